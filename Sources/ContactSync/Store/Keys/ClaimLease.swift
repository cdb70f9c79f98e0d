import Foundation

/// Who holds a pending key, at which epoch, and until when (DESIGN.md, "Claims are fenced").
///
/// A claim starts at epoch 1; each takeover (by another replica, or by the same record consumed again after a
/// restart) bumps it. An attempt starts only while its holder's lease has at least one request timeout left, so a
/// holder whose lease ran out or whose epoch moved on makes no call: the epoch is the fencing token, the lease the
/// promise that nobody takes the key over while a call may be on its way.
public struct ClaimLease: Sendable, Equatable {
    public var owner: String
    public var epoch: Int64
    /// Nobody takes the key over before this instant (plus the late-arrival window, see ``EventProcessor``).
    public var until: Date

    public init(owner: String, epoch: Int64, until: Date) {
        self.owner = owner
        self.epoch = epoch
        self.until = until
    }
}

/// The claim an event holds: what it passes back to the store to renew, release or finish it.
public struct Claim: Sendable, Equatable {
    public var key: String
    public var owner: String
    public var epoch: Int64

    public init(key: String, owner: String, epoch: Int64) {
        self.key = key
        self.owner = owner
        self.epoch = epoch
    }
}
