import Foundation
import KometClient

/// The simulator's mutable state, kept behind one lock. Each transition does its bookkeeping and returns what to
/// answer; sleeping and I/O happen outside the lock.
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
    var faults = KometFaults.none
    /// Contacts by customer, in creation order.
    var contacts: [Int64: [KometContact]] = [:]
    var nextContactId: Int64 = 1001
    var stats = KometSimulatorStats()
    var quotaDay: Int64
    var rng: SplitMix64

    init(configuration: KometSimulatorConfiguration, day: Int64) {
        self.configuration = configuration
        self.quotaDay = day
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
        return .none
    }

    /// Checks the token, then spends one unit of quota. Returns the status-0 message of a refusal, or nil.
    /// Calls with a bad token are not charged (there is no user to charge); refused calls over quota are not either.
    mutating func authorize(token: String?, day: Int64) -> String? {
        if faults.rejectToken || token != configuration.token {
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

    /// Validates and stores a contact. `answered` is false when the answer will be dropped (ambiguous fault).
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
        guard configuration.contactTypes.contains(type) else {
            return "The contact type is not registered"
        }
        return nil
    }

    /// Forgets contacts, counters, quota and faults (contact ids keep growing).
    mutating func reset() {
        contacts = [:]
        faults = .none
        stats = KometSimulatorStats()
        stats.dailyQuota = configuration.dailyQuota
        rng = SplitMix64(seed: configuration.seed)
    }
}
