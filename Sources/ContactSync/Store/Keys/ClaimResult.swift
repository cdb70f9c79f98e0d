import Foundation

/// What ``DedupeStore/claim(key:owner:origin:now:leaseUntil:)`` found.
public enum ClaimResult: Sendable, Equatable {
    /// No row existed; a pending row (epoch 1) was inserted atomically. The caller may call Komet while it holds
    /// the lease.
    case claimed(Claim)
    /// The contact was already created: skip the call. `origin` is the input record that claimed the key.
    case done(CreatedContact, at: Date, origin: String?)
    /// Another attempt holds the key, or held it and its outcome is unknown. The row is unchanged.
    case pending(ClaimLease, since: Date, origin: String?)
}
