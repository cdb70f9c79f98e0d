import Foundation
import Kafka
import Logging

/// The start-up check of the worker's store (``StoreStartDecision``): asks the store whether it has served the
/// consumer group and Kafka for the group's committed offsets, then records the group or throws ``EmptyStoreError``.
/// Runs before the consumer subscribes.
struct StoreStartCheck {
    var groups: any ServedGroups
    var configuration: SyncConfiguration
    var acceptEmptyStore: Bool
    var logger: Logger

    func run() async throws {
        let groupID = configuration.consumerGroupID
        let served = try await groups.servesGroup(groupID)
        var committed: [TopicPartition: Int64] = [:]
        if !served { committed = try await committedOffsets(groupID: groupID) }
        switch StoreStartDecision.decide(served: served, committed: committed, acceptEmptyStore: acceptEmptyStore) {
        case .refuse:
            throw EmptyStoreError(
                storeName: groups.storeName, groupID: groupID, committedPartitions: committed.count)
        case .start(recordGroup: false):
            return
        case .start(recordGroup: true):
            if !committed.isEmpty {
                logger.warning(
                    "starting over on an empty store (--accept-empty-store): re-sent events will be created again",
                    metadata: [SyncLogKey.store: "\(groups.storeName)", SyncLogKey.group: "\(groupID)"])
            }
            try await groups.recordServedGroup(groupID, now: Date())
        }
    }

    /// The group's committed offsets on the input topics, asked with a reader that never joins the group.
    private func committedOffsets(groupID: String) async throws -> [TopicPartition: Int64] {
        let reader = try KafkaPartitionReader(
            configuration: KafkaRoleSettings.consumer(configuration.kafka), groupID: groupID, logger: logger)
        do {
            let offsets = try await reader.committedOffsets(topics: configuration.inputTopics, timeout: .seconds(30))
            await reader.close()
            return offsets
        } catch {
            await reader.close()
            throw error
        }
    }
}

extension SyncConfiguration {
    /// The consumer group's id (`kafka.group.id`; the consumer refuses to start without one).
    public var consumerGroupID: String {
        kafka["group.id"].flatMap { $0.isEmpty ? nil : $0 } ?? "komet-contact-sync"
    }
}
