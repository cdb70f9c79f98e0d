import Foundation

/// The shared count of Komet calls per budget window, so that N replicas together never make more calls than the
/// budget (Komet's daily quota less a reserve) allows.
///
/// One row per window, keyed by the window's start. Spending is one atomic statement (or transaction): two replicas
/// spending the last unit at once get one grant between them.
public protocol CallBudget: Sendable {
    /// Spends one call in `window` when fewer than `limit` were spent in it: `.granted` with the count including this
    /// call, or `.spent` with the count and the window's end, when the budget opens again.
    func spendCall(in window: BudgetWindow, limit: Int) async throws -> CallSpend
    /// The calls spent in the window starting at `windowStart` (0 when none were).
    func callsUsed(windowStart: Date) async throws -> Int
    /// Deletes the rows of windows that ended before `cutoff`; returns how many.
    func pruneBudget(before cutoff: Date) async throws -> Int
}
