import Foundation
import KometClient
import Synchronization

/// One `customer.contact.list` answers every reconciliation of that customer that is due by the time it starts.
///
/// A look-up is valid for a pending key when it started after the key's late-arrival window ended: from then on only
/// the key's current holder (the reconciler itself) can create its contact. So a burst of ambiguous calls to one
/// customer (an outage, latency spikes) costs one look-up, not one per key: reconcilers that are due when a look-up is
/// already running wait for it, and those that come shortly after reuse its answer.
final class SharedLookups: Sendable {
    private struct Lookup {
        var id: UInt64
        var startedAt: Date
        /// nil while running; the customer's contacts once answered.
        var contacts: [KometContact]?
        var finishedAt: ContinuousClock.Instant?
    }

    private struct State {
        var next: UInt64 = 0
        /// The latest look-up of each customer.
        var byCustomer: [Int64: Lookup] = [:]
    }

    private let state = Mutex(State())
    /// How long a finished look-up is kept for reconcilers that come after it.
    private let keep: Duration
    private let pollInterval: Duration

    init(keep: Duration = .seconds(30), pollInterval: Duration = .milliseconds(20)) {
        self.keep = keep
        self.pollInterval = pollInterval
    }

    /// What a reconciler is to do.
    enum Decision {
        /// Use this answer: it started after the reconciler's `validFrom`.
        case answered([KometContact])
        /// Make the look-up, then report it with ``finish(_:contacts:)`` or ``fail(_:)``; others due by now wait for
        /// it meanwhile.
        case yours(Ticket)
    }

    struct Ticket: Sendable {
        var customerId: Int64
        var id: UInt64
    }

    /// The answer of a look-up of `customerId` that started at or after `validFrom` (waiting while one runs), or a
    /// ticket to make one. Checking and registering are one step, so concurrent reconcilers of one customer make one
    /// look-up.
    func lookUp(customerId: Int64, validFrom: Date) async throws -> Decision {
        while true {
            let now = ContinuousClock.now
            let found: Decision? = state.withLock { state in
                if let lookup = state.byCustomer[customerId], lookup.startedAt >= validFrom,
                    lookup.finishedAt.map({ now - $0 <= keep }) ?? true
                {
                    return lookup.contacts.map(Decision.answered)  // nil: running, wait for it
                }
                if state.byCustomer.count > 64 {
                    state.byCustomer = state.byCustomer.filter { $0.value.finishedAt.map { now - $0 <= keep } ?? true }
                }
                state.next += 1
                state.byCustomer[customerId] = Lookup(id: state.next, startedAt: Date())
                return .yours(Ticket(customerId: customerId, id: state.next))
            }
            if let found { return found }
            // A running look-up that fails is removed (``fail(_:)``); the next round then registers a new one.
            try await Task.sleep(for: pollInterval)
        }
    }

    func finish(_ ticket: Ticket, contacts: [KometContact]) {
        state.withLock { state in
            guard state.byCustomer[ticket.customerId]?.id == ticket.id else { return }
            state.byCustomer[ticket.customerId]?.contacts = contacts
            state.byCustomer[ticket.customerId]?.finishedAt = ContinuousClock.now
        }
    }

    func fail(_ ticket: Ticket) {
        state.withLock { state in
            if state.byCustomer[ticket.customerId]?.id == ticket.id { state.byCustomer[ticket.customerId] = nil }
        }
    }
}
