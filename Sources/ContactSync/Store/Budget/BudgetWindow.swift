import Foundation

/// One budget window: calls are counted from `start` (inclusive) to `end` (exclusive), where the budget resets.
/// Both are whole milliseconds (see ``StoreTime``), the form the stores keep.
public struct BudgetWindow: Sendable, Hashable, CustomStringConvertible {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = StoreTime.truncate(start)
        self.end = StoreTime.truncate(end)
    }

    public func contains(_ date: Date) -> Bool { start <= date && date < end }

    public var description: String { "\(start.formatted(.iso8601))..<\(end.formatted(.iso8601))" }
}
