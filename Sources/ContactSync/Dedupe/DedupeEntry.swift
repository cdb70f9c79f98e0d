import Foundation

/// One row of a ``DedupeStore``.
public struct DedupeEntry: Sendable, Equatable {
    /// The state of a dedupe key.
    public enum State: Sendable, Equatable {
        /// Claimed by `owner` at `since`; the call's outcome is not (yet) known.
        case pending(owner: String, since: Date)
        /// Created in Komet as `contactId`, recorded at `at`.
        case done(contactId: Int64, at: Date)
    }

    public var key: String
    public var state: State

    public init(key: String, state: State) {
        self.key = key
        self.state = state
    }

    /// When the row was last written (`since` or `at`); rows are pruned by it.
    public var touchedAt: Date {
        switch state {
        case .pending(_, let since): since
        case .done(_, let at): at
        }
    }
}
