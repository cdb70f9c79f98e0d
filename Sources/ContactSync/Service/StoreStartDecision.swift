import Kafka

/// Whether the worker may start on its store, from what the store and Kafka say about the consumer group
/// (DESIGN.md, "Lost state is never silent"). A pure function, so every case is tested without a broker.
public enum StoreStartDecision: Sendable, Equatable {
    /// Start; `recordGroup`: record the group as served first (the store has no row for it yet).
    case start(recordGroup: Bool)
    /// The store has never served the group, yet the group has committed offsets: the store was emptied or replaced.
    case refuse

    /// - Parameters:
    ///   - served: the store has a row for the group (``ServedGroups/servesGroup(_:)``).
    ///   - committed: the group's committed offsets on the input topics (empty: a brand-new deployment).
    ///   - acceptEmptyStore: the operator asked to start over deliberately (`run --accept-empty-store`).
    public static func decide(
        served: Bool, committed: [TopicPartition: Int64], acceptEmptyStore: Bool
    ) -> StoreStartDecision {
        if served { return .start(recordGroup: false) }
        if committed.isEmpty || acceptEmptyStore { return .start(recordGroup: true) }
        return .refuse
    }
}

/// The worker refuses to start: its store has no record of the consumer group, which already has committed offsets.
/// The message names the store (never its password), the group and the two ways out.
public struct EmptyStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var storeName: String
    public var groupID: String
    /// Partitions of the input topics with a committed offset.
    public var committedPartitions: Int

    public init(storeName: String, groupID: String, committedPartitions: Int) {
        self.storeName = storeName
        self.groupID = groupID
        self.committedPartitions = committedPartitions
    }

    public var description: String {
        "refusing to start: the \(storeName) has no record of serving consumer group \(groupID), but the group has "
            + "committed offsets on \(committedPartitions) input partition(s), so the store was emptied or replaced "
            + "and starting would create again in Komet every contact it forgot. Either rebuild the keys from the "
            + "success topic with `komet-contact-sync rebuild-store --config FILE` and start again, or, to start "
            + "over deliberately (re-sent events would then create duplicate contacts), start once with "
            + "`komet-contact-sync run --accept-empty-store`"
    }
}
