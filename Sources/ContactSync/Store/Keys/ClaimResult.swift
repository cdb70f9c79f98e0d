import Foundation

/// What ``DedupeStore/claim(key:owner:origin:now:)`` found.
public enum ClaimResult: Sendable, Equatable {
    /// No row existed; a `pending(owner, now)` row was inserted atomically. The caller may call Komet.
    case claimed
    /// The contact was already created: skip the call. `origin` is the input record that claimed the key.
    case done(contactId: Int64, at: Date, origin: String?)
    /// An earlier attempt's outcome is unknown (ambiguous). The row is unchanged.
    case pending(owner: String, since: Date, origin: String?)
}
