import Foundation

/// One row of a ``DedupeStore``.
public struct DedupeEntry: Sendable, Equatable {
    /// The state of a dedupe key.
    public enum State: Sendable, Equatable {
        /// Held by `lease.owner` (last written at `since`); the call's outcome is not (yet) known.
        case pending(ClaimLease, since: Date)
        /// Created in Komet as `contact` (its id, customer and the digest of the request that created it), recorded at
        /// `at`.
        case done(CreatedContact, at: Date)
    }

    public var key: String
    public var state: State
    /// The input record that claimed the key (``RecordPosition/description``), when known. A replay of that very
    /// record after a crash finds the key `done` or `pending` with its own origin: it is the same event, not a
    /// duplicate.
    public var origin: String?

    public init(key: String, state: State, origin: String? = nil) {
        self.key = key
        self.state = state
        self.origin = origin
    }

    /// When the row was last written (`since` or `at`); rows are pruned by it.
    public var touchedAt: Date {
        switch state {
        case .pending(_, let since): since
        case .done(_, let at): at
        }
    }

    /// The row as a claim's answer.
    var claimResult: ClaimResult {
        switch state {
        case .pending(let lease, let since): .pending(lease, since: since, origin: origin)
        case .done(let contact, let at): .done(contact, at: at, origin: origin)
        }
    }
}
