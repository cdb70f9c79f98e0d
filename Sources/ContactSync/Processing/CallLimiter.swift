import Foundation

/// What every Komet call spends before it is made: one unit of the shared budget (counted atomically in the store,
/// so N replicas together stay within it) after this replica's rate limit lets it go.
final class CallLimiter: Sendable {
    /// The answer for one call.
    enum Admission: Sendable, Equatable {
        /// The call may be made; `used` counts it.
        case granted(used: Int, window: BudgetWindow)
        /// The window's budget is spent: no call until `window.end`.
        case spent(used: Int, window: BudgetWindow)
    }

    let budget: any CallBudget
    let settings: CallBudgetSettings
    private let rate: CallRate?
    /// Spends of concurrent calls, made together: one statement for all that arrive during the previous one.
    private let spends: GroupCommit<BudgetWindow, CallSpend>

    init(budget: any CallBudget, settings: CallBudgetSettings) {
        self.budget = budget
        self.settings = settings
        rate = CallRate(callsPerSecond: settings.callsPerSecond)
        let limit = settings.limit
        spends = GroupCommit { windows in
            // Nearly always one window; at a window's end a batch may straddle two: each spends in its own, in order.
            var answers: [BudgetWindow: ArraySlice<CallSpend>] = [:]
            for window in Set(windows) {
                answers[window] = ArraySlice(
                    try await budget.spendCalls(windows.count { $0 == window }, in: window, limit: limit))
            }
            // One answer per spend (the fallback, never used, makes no call).
            return windows.map { answers[$0, default: []].popFirst() ?? .spent(used: limit, resetsAt: $0.end) }
        }
    }

    /// Waits for the rate limit, then spends one unit of the current window. Store errors are thrown (the caller makes
    /// no call and retries later).
    func admit() async throws -> Admission {
        try await rate?.wait()
        let window = settings.schedule.window(containing: Date())
        switch try await spends.submit(window) {
        case .granted(let used): return .granted(used: used, window: window)
        case .spent(let used, _): return .spent(used: used, window: window)
        }
    }

    /// The window that is current now.
    func currentWindow() -> BudgetWindow {
        settings.schedule.window(containing: Date())
    }
}
