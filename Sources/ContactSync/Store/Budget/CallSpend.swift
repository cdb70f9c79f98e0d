import Foundation

/// The answer of ``CallBudget/spendCall(in:limit:)``.
public enum CallSpend: Sendable, Equatable {
    /// The call may be made; `used` counts it.
    case granted(used: Int)
    /// The window's budget is gone: no call until `resetsAt`. `used` is the window's count (the limit, unless the
    /// limit was lowered).
    case spent(used: Int, resetsAt: Date)
}
