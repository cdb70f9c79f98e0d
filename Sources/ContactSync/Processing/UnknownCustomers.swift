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
/// text, so the patterns are a setting (`komet.unknownCustomerPatterns`). Per replica, in memory: a restart forgets.
final class UnknownCustomers: Sendable {
    typealias Settings = UnknownCustomerSettings

    /// What Komet answered, and when.
    struct Refusal: Sendable {
        var message: String
        var until: ContinuousClock.Instant
    }

    private let settings: Settings
    private let refusals = Mutex<[Int64: Refusal]>([:])

    init(settings: Settings) {
        self.settings = Settings(
            memory: settings.memory, patterns: settings.patterns.map { $0.lowercased() }.filter { !$0.isEmpty })
    }

    /// Remembers `customerId` when `message` says Komet does not know it.
    func noteRefusal(of customerId: Int64, message: String) {
        guard settings.memory > .zero else { return }
        let lowered = message.lowercased()
        guard settings.patterns.contains(where: { lowered.contains($0) }) else { return }
        let refusal = Refusal(message: message, until: .now + settings.memory)
        refusals.withLock { $0[customerId] = refusal }
    }

    /// Komet's message for `customerId`, when it refused the customer within the memory.
    func refusal(of customerId: Int64) -> String? {
        let now = ContinuousClock.now
        return refusals.withLock { refusals in
            guard let refusal = refusals[customerId] else { return nil }
            guard now < refusal.until else {
                refusals[customerId] = nil
                return nil
            }
            return refusal.message
        }
    }
}
