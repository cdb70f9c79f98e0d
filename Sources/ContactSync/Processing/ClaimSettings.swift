import Foundation

/// How claims are fenced and when a pending claim may be reconciled (DESIGN.md, "Claims are fenced").
public struct ClaimSettings: Sendable, Equatable {
    /// How long a claim is held without renewal (`dedupe.claimLease`). A holder renews it before each call, so it
    /// must be longer than one call (the request timeout); nobody else takes the key over before it ends.
    public var lease: Duration = .seconds(60)
    /// How long after a lease ends, or after an ambiguous answer, Komet may still finish a call the client gave up on
    /// (`komet.lateArrivalWindow`). A pending key is reconciled only once both have passed.
    public var lateArrivalWindow: Duration = .seconds(30)
    /// How often an event waiting for another holder's claim looks at the row again.
    public var holdPollInterval: Duration = .seconds(1)

    public init(
        lease: Duration = .seconds(60), lateArrivalWindow: Duration = .seconds(30),
        holdPollInterval: Duration = .seconds(1)
    ) {
        self.lease = lease
        self.lateArrivalWindow = lateArrivalWindow
        self.holdPollInterval = holdPollInterval
    }

    /// When a pending claim with this lease may be taken over and reconciled.
    func dueAt(_ lease: ClaimLease) -> Date {
        lease.until.addingTimeInterval(lateArrivalWindow.timeInterval)
    }

    /// The end of a lease taken or renewed at `now`.
    func leaseEnd(from now: Date) -> Date {
        now.addingTimeInterval(lease.timeInterval)
    }
}
