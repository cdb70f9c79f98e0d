import Synchronization

/// What a producer knows about partitions, for `partition(topic:key:)` and `nextOffsetLowerBound`: cached partition
/// counts, the high watermark first seen per partition, and the highest offset delivered per partition.
/// Thread-safe; the delivery report callback writes to it from the poll thread.
final class KafkaProducerPartitionState: Sendable {
    private struct CachedCount {
        var count: Int32
        var fetchedAt: ContinuousClock.Instant
    }

    private struct State {
        var partitionCounts: [String: CachedCount] = [:]
        var highWatermarks: [TopicPartition: Int64] = [:]
        var highestDelivered: [TopicPartition: Int64] = [:]
    }

    /// How long a partition count is trusted before it is asked for again.
    let partitionCountLifetime: Duration
    private let state: Mutex<State> = Mutex(State())

    init(partitionCountLifetime: Duration) {
        self.partitionCountLifetime = partitionCountLifetime
    }

    /// The cached partition count of `topic`, unless unknown or older than `partitionCountLifetime`.
    func partitionCount(_ topic: String, now: ContinuousClock.Instant = .now) -> Int32? {
        state.withLock { state in
            guard let cached = state.partitionCounts[topic], now - cached.fetchedAt < partitionCountLifetime else {
                return nil
            }
            return cached.count
        }
    }

    func setPartitionCount(_ count: Int32, for topic: String, now: ContinuousClock.Instant = .now) {
        state.withLock { $0.partitionCounts[topic] = CachedCount(count: count, fetchedAt: now) }
    }

    /// Records a delivery report's offset.
    func delivered(_ partition: TopicPartition, offset: Int64) {
        guard offset >= 0 else { return }
        state.withLock { state in
            state.highestDelivered[partition] = max(state.highestDelivered[partition] ?? offset, offset)
        }
    }

    /// Records a queried high watermark (the first one is kept; a later, higher one raises it).
    func setHighWatermark(_ partition: TopicPartition, _ highWatermark: Int64) {
        state.withLock { state in
            state.highWatermarks[partition] = max(state.highWatermarks[partition] ?? highWatermark, highWatermark)
        }
    }

    /// max(highest delivered offset + 1, cached high watermark), or nil when no high watermark is cached yet.
    func nextOffsetLowerBound(_ partition: TopicPartition) -> Int64? {
        state.withLock { state in
            guard let highWatermark = state.highWatermarks[partition] else { return nil }
            return max(highWatermark, (state.highestDelivered[partition] ?? -1) + 1)
        }
    }
}
