import DequeModule

/// Tracks the unfinished offsets of one partition and the offset that is safe to commit.
///
/// Offsets are tracked in the order they are received (ascending within a partition). Finishing them out of order is
/// fine: the committable position is the lowest unfinished offset, so a finished event never hides an earlier one
/// that is still in flight. With nothing unfinished it is one past the highest offset seen.
struct OffsetTracker: Sendable {
    private var unfinished: Deque<Int64> = []
    private var finishedEarly: Set<Int64> = []
    private var highestSeen: Int64?

    /// The next offset to commit (the Kafka "position"), or `nil` before any record was tracked.
    private(set) var committable: Int64?

    /// Records an offset that was received and is not finished yet.
    mutating func track(_ offset: Int64) {
        if let highestSeen, offset <= highestSeen { return }
        highestSeen = offset
        unfinished.append(offset)
        if committable == nil { committable = offset }
    }

    /// Marks an offset finished. Returns the new committable position when it moved forward.
    mutating func finish(_ offset: Int64) -> Int64? {
        guard let first = unfinished.first, offset >= first else { return nil }
        if offset != first {
            finishedEarly.insert(offset)
            return nil
        }
        unfinished.removeFirst()
        while let next = unfinished.first, finishedEarly.remove(next) != nil {
            unfinished.removeFirst()
        }
        let position = unfinished.first ?? (highestSeen.map { $0 + 1 } ?? offset + 1)
        committable = position
        return position
    }

    /// How many offsets are received and not yet finished.
    var unfinishedCount: Int { unfinished.count - finishedEarly.count }
}
