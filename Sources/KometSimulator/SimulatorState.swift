import Foundation
import KometClient

/// The simulator's mutable state, kept behind one lock. Each transition does its bookkeeping and returns what to
/// answer; sleeping and I/O happen outside the lock.
///
/// Held adds (late fault, spikes) are processed by `settle(now:day:)`, which the simulator runs before every other
/// transition and read: a held add lands at its due time from the point of view of every call, list and counter,
/// with no timer and whatever became of the request that brought it.
struct SimulatorState: Sendable {
    /// What a call with a valid token and quota left gets.
    enum AddOutcome: Sendable, Equatable {
        case created(contactId: Int64)
        case failed(message: String)
    }

    enum ListOutcome: Sendable, Equatable {
        case listed([KometContact])
        case failed(message: String)
    }

    static let invalidTokenMessage = "Invalid authentication token"
    static let quotaMessage = "Daily API request limit exceeded"
    static let customerNotFoundMessage = "Customer not found"

    let configuration: KometSimulatorConfiguration
    /// The token calls must carry: the configured one until `PUT /admin/token` rotates it (kept by `reset()`, like a
    /// real account's token).
    var token: String
    var faults = KometFaults.none
    /// The registered contact types: the configured ones, plus those registered with `POST /admin/types`.
    var contactTypes: Set<String>
    /// Contacts by customer, in creation order.
    var contacts: [Int64: [KometContact]] = [:]
    var nextContactId: Int64 = 1001
    var stats = KometSimulatorStats()
    var quotaDay: Int64
    var rng: SplitMix64
    /// Adds held by the late fault or a spike, not processed yet.
    var heldAdds: [HeldAdd] = []
    /// Tickets of held adds whose handler still waits for the outcome.
    var waitingTickets: Set<Int> = []
    /// Outcomes of processed held adds, until their waiting handler takes them.
    var heldOutcomes: [Int: AddOutcome] = [:]
    var nextTicket = 1

    init(configuration: KometSimulatorConfiguration, day: Int64) {
        self.configuration = configuration
        self.token = configuration.token
        self.quotaDay = day
        self.contactTypes = configuration.contactTypes
        self.rng = SplitMix64(seed: configuration.seed)
        self.stats.dailyQuota = configuration.dailyQuota
    }

    /// Counts a call and draws its fault.
    mutating func beginCall(_ endpoint: SimulatedEndpoint) -> SimulatedFault {
        switch endpoint {
        case .add: stats.addCalls += 1
        case .list: stats.listCalls += 1
        }
        let draw = Double.random(in: 0..<1, using: &rng)
        var threshold = faults.serverErrorRate
        if draw < threshold {
            stats.serverErrors += 1
            return .serverError
        }
        threshold += faults.throttleRate
        if draw < threshold {
            stats.throttled += 1
            return .throttle(retryAfterSeconds: faults.throttleRetryAfterSeconds)
        }
        threshold += faults.timeoutRate
        if draw < threshold {
            stats.timeouts += 1
            return .timeout(sleepMs: faults.timeoutSleepMs)
        }
        threshold += faults.ambiguousRate
        if draw < threshold {
            stats.ambiguous += 1
            return .ambiguous
        }
        if endpoint == .add {
            threshold += faults.lateRate
            if draw < threshold {
                stats.late += 1
                return .late(delayMs: faults.lateDelayMs)
            }
        }
        threshold += faults.spikeRate
        if draw < threshold {
            stats.spikes += 1
            return .spike(delayMs: Int.random(in: faults.spikeRangeMs, using: &rng))
        }
        return .none
    }

    /// Holds an add until `due`; returns the ticket its handler waits with.
    mutating func hold(_ body: AddContactBody, until due: ContinuousClock.Instant) -> Int {
        let ticket = nextTicket
        nextTicket += 1
        heldAdds.append(HeldAdd(ticket: ticket, due: due, body: body))
        waitingTickets.insert(ticket)
        stats.heldAdds = heldAdds.count
        return ticket
    }

    /// Processes the held adds due by `now`, in the order of their due times, as calls that arrive then: token,
    /// quota (of `day`), validation, creation. The outcome is kept for a handler that still waits.
    mutating func settle(now: ContinuousClock.Instant, day: Int64) {
        guard heldAdds.contains(where: { $0.due <= now }) else { return }
        let landing = heldAdds.filter { $0.due <= now }.sorted { ($0.due, $0.ticket) < ($1.due, $1.ticket) }
        heldAdds.removeAll { $0.due <= now }
        stats.heldAdds = heldAdds.count
        for held in landing {
            let waiting = waitingTickets.remove(held.ticket) != nil
            let outcome: AddOutcome
            if let refusal = authorize(token: held.body.authenticationToken, day: day) {
                outcome = .failed(message: refusal)
            } else {
                outcome = addContact(held.body, answered: waiting)
            }
            if waiting { heldOutcomes[held.ticket] = outcome }
        }
    }

    /// The outcome of a processed held add, taken by its handler; nil if it was not processed (or was dropped by a
    /// reset).
    mutating func takeHeldOutcome(ticket: Int) -> AddOutcome? {
        heldOutcomes.removeValue(forKey: ticket)
    }

    /// The handler of a held add stopped waiting: the add is still processed at its due time, unanswered.
    mutating func abandon(ticket: Int) {
        waitingTickets.remove(ticket)
        heldOutcomes[ticket] = nil
    }

    /// Checks the token, then spends one unit of quota. Returns the status-0 message of a refusal, or nil.
    /// Calls with a bad token are not charged (there is no user to charge); refused calls over quota are not either.
    mutating func authorize(token: String?, day: Int64) -> String? {
        if faults.rejectToken || token != self.token {
            stats.authFailures += 1
            return Self.invalidTokenMessage
        }
        if day != quotaDay {
            quotaDay = day
            stats.quotaUsed = 0
        }
        guard stats.quotaUsed < configuration.dailyQuota else {
            stats.quotaExceeded += 1
            return Self.quotaMessage
        }
        stats.quotaUsed += 1
        return nil
    }

    /// Counts a call refused for a problem of the request (size, JSON).
    mutating func reject() {
        stats.rejected += 1
    }

    /// Validates and stores a contact. `answered` is false when the answer will be dropped (ambiguous fault,
    /// or a held add whose handler stopped waiting).
    mutating func addContact(_ body: AddContactBody, answered: Bool) -> AddOutcome {
        if let message = validationFailure(body) {
            stats.rejected += 1
            return .failed(message: message)
        }
        guard let customerId = body.customerId, let name = body.name, let type = body.type else {
            stats.rejected += 1
            return .failed(message: "Invalid request")
        }
        let contact = KometContact(
            id: nextContactId,
            name: name,
            type: type,
            phone: body.phone,
            ext: body.ext,
            mobile: body.mobile,
            fax: body.fax,
            email: body.email,
            description: body.description,
            instantMessaging: body.instantMessaging,
            emailPOD: body.emailPOD ?? false
        )
        nextContactId += 1
        contacts[customerId, default: []].append(contact)
        stats.contacts += 1
        if answered { stats.created += 1 }
        return .created(contactId: contact.id)
    }

    /// The contacts of a customer.
    mutating func listContacts(customerId: Int64?, answered: Bool) -> ListOutcome {
        guard let customerId else {
            stats.rejected += 1
            return .failed(message: "Field 'customerId' is required")
        }
        guard configuration.customers.contains(customerId) else {
            stats.rejected += 1
            return .failed(message: Self.customerNotFoundMessage)
        }
        if answered { stats.listed += 1 }
        return .listed(contacts[customerId] ?? [])
    }

    /// Komet's checks of an add, in its order: customer, required fields, field limits, contact type.
    /// Messages name the field but never echo a value.
    private func validationFailure(_ body: AddContactBody) -> String? {
        guard let customerId = body.customerId else { return "Field 'customerId' is required" }
        guard configuration.customers.contains(customerId) else { return Self.customerNotFoundMessage }
        guard let name = body.name, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            return "Field 'name' is required"
        }
        guard let type = body.type, !type.trimmingCharacters(in: .whitespaces).isEmpty else {
            return "Field 'type' is required"
        }
        typealias Limit = KometContactRequest.Limit
        let limited: [(String, String?, Int)] = [
            ("name", name, Limit.name),
            ("type", type, Limit.type),
            ("phone", body.phone, Limit.phone),
            ("ext", body.ext, Limit.ext),
            ("mobile", body.mobile, Limit.mobile),
            ("fax", body.fax, Limit.fax),
            ("email", body.email, Limit.email),
            ("description", body.description, Limit.description),
            ("instantMessaging", body.instantMessaging, Limit.instantMessaging),
        ]
        for (field, value, limit) in limited {
            if let value, value.count > limit {
                return "Field '\(field)' is longer than \(limit) characters"
            }
        }
        guard contactTypes.contains(type) else {
            return "The contact type is not registered"
        }
        return nil
    }

    /// Forgets contacts, held adds, counters, quota, faults and registered types (back to the configured ones;
    /// contact ids and tickets keep growing).
    mutating func reset() {
        contacts = [:]
        contactTypes = configuration.contactTypes
        heldAdds = []
        waitingTickets = []
        heldOutcomes = [:]
        faults = .none
        stats = KometSimulatorStats()
        stats.dailyQuota = configuration.dailyQuota
        rng = SplitMix64(seed: configuration.seed)
    }
}
