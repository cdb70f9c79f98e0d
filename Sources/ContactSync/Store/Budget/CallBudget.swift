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
    /// Spends `count` calls in `window` at once (one statement or transaction): as many as the limit still allows are
    /// granted, the rest are `.spent`; one answer per call, in order, each as ``spendCall(in:limit:)`` would give it.
    func spendCalls(_ count: Int, in window: BudgetWindow, limit: Int) async throws -> [CallSpend]
    /// The calls spent in the window starting at `windowStart` (0 when none were).
    func callsUsed(windowStart: Date) async throws -> Int
    /// Deletes the rows of windows that ended before `cutoff`; returns how many.
    func pruneBudget(before cutoff: Date) async throws -> Int
}

extension CallBudget {
    /// One spend after another: for budgets with nothing better (test doubles, memory).
    public func spendCalls(_ count: Int, in window: BudgetWindow, limit: Int) async throws -> [CallSpend] {
        var spends: [CallSpend] = []
        for _ in 0..<count { spends.append(try await spendCall(in: window, limit: limit)) }
        return spends
    }
}

extension CallSpend {
    /// The answers for `count` calls of which the first `granted` were granted, leaving the window at `used`.
    static func answers(count: Int, granted: Int, used: Int, resetsAt: Date) -> [CallSpend] {
        (0..<count).map { index in
            index < granted ? .granted(used: used - granted + index + 1) : .spent(used: used, resetsAt: resetsAt)
        }
    }
}
