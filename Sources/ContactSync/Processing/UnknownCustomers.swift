import Foundation
import Synchronization

/// How long Komet's "customer not found" is remembered, and how it is recognised.
public struct UnknownCustomerSettings: Sendable, Equatable {
    /// How long a refusal is remembered; zero turns the memory off.
    public var memory: Duration = .seconds(3_600)
    /// Fragments of Komet's message for an unknown customer (matched ignoring case).
    public var patterns: [String] = ["customer not found"]
}

/// Customers Komet said it does not know, remembered for a while: a later event for one of them is dead-lettered
/// `komet_rejected` at once, without spending a call of the daily quota on the same answer.
///
/// A refusal counts when its message contains one of the patterns (case-insensitive); Komet does not document the
/// text, so the patterns are a setting (`komet.unknownCustomerPatterns`). Refusals are kept in this replica's memory
/// and, given a store, in the store every replica shares (``CustomerRefusals``), so whichever replica learnt it, the
/// others spend no call either. A customer the store had no refusal for is looked up there again after
/// ``recheckInterval`` at the earliest, so ordinary traffic costs one store read per customer per interval.
final class UnknownCustomers: Sendable {
    typealias Settings = UnknownCustomerSettings

    /// What Komet answered, and when.
    struct Refusal: Sendable {
        var message: String
        var until: ContinuousClock.Instant
    }

    private struct State {
        var refusals: [Int64: Refusal] = [:]
        /// Customers the shared store had no refusal for, and when it was asked.
        var checked: [Int64: ContinuousClock.Instant] = [:]
    }

    static let recheckInterval: Duration = .seconds(5)

    private let settings: Settings
    private let store: (any CustomerRefusals)?
    private let state = Mutex(State())

    init(settings: Settings, store: (any CustomerRefusals)? = nil) {
        self.settings = Settings(
            memory: settings.memory, patterns: settings.patterns.map { $0.lowercased() }.filter { !$0.isEmpty })
        self.store = store
    }

    /// Remembers `customerId` when `message` says Komet does not know it, here and in the shared store. A store that
    /// cannot record it leaves the refusal to this replica's memory.
    func noteRefusal(of customerId: Int64, message: String) async {
        guard settings.memory > .zero else { return }
        let lowered = message.lowercased()
        guard settings.patterns.contains(where: { lowered.contains($0) }) else { return }
        let refusal = Refusal(message: message, until: .now + settings.memory)
        state.withLock { $0.refusals[customerId] = refusal }
        try? await store?.recordRefusal(
            customerId: customerId, message: message, until: Date().addingTimeInterval(settings.memory.timeInterval))
    }

    /// Komet's message for `customerId`, when it refused the customer within the memory (as this replica or another
    /// one learnt). A store that cannot answer counts as no refusal: the call is made, and Komet answers.
    func refusal(of customerId: Int64) async -> String? {
        guard settings.memory > .zero else { return nil }
        let now = ContinuousClock.now
        let local: String?? = state.withLock { state in
            if let refusal = state.refusals[customerId] {
                if now < refusal.until { return .some(refusal.message) }
                state.refusals[customerId] = nil
            }
            if let checked = state.checked[customerId], now - checked < Self.recheckInterval { return .some(nil) }
            return nil
        }
        if let local { return local }
        guard let store, let found = try? await store.refusal(customerId: customerId, now: Date()) else {
            state.withLock { state in
                if state.checked.count > 10_000 {
                    state.checked = state.checked.filter { now - $0.value < Self.recheckInterval }
                }
                state.checked[customerId] = now
            }
            return nil
        }
        let message = found
        state.withLock { $0.refusals[customerId] = Refusal(message: message, until: now + Self.recheckInterval) }
        return message
    }
}
