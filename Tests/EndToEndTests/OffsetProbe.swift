import Foundation

/// End offsets of topics and a consumer group's committed offsets, read with Python's confluent_kafka
/// (a client independent of ours). Does not join the group.
struct OffsetProbe {
    /// `topic → partition → offset`.
    struct Snapshot: Decodable {
        var end: [String: [String: Int64]]
        var committed: [String: [String: Int64]]

        /// The number of records in `topic` (no transactions, so end offsets count records).
        func recordCount(_ topic: String) -> Int64 {
            (end[topic] ?? [:]).values.reduce(0, +)
        }

        /// The sum of the group's committed offsets of `topic` (partitions without a commit count 0).
        func committedCount(_ topic: String) -> Int64 {
            (committed[topic] ?? [:]).values.reduce(0) { $0 + max($1, 0) }
        }

        /// Partitions of `topic` whose committed offset differs from the end offset (an empty partition with no
        /// commit counts as equal). Empty when the group has finished the topic.
        func uncommitted(_ topic: String) -> [String: (committed: Int64, end: Int64)] {
            var result: [String: (committed: Int64, end: Int64)] = [:]
            for (partition, endOffset) in end[topic] ?? [:] {
                let committedOffset = committed[topic]?[partition] ?? -1001
                if committedOffset == endOffset || (endOffset == 0 && committedOffset < 0) { continue }
                result[partition] = (committedOffset, endOffset)
            }
            return result
        }
    }

    private static let script = """
        import json, sys
        from confluent_kafka import Consumer, TopicPartition
        bootstrap, group, topics = sys.argv[1], sys.argv[2], sys.argv[3:]
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
        try:
            meta = c.list_topics(timeout=10)
            result = {"end": {}, "committed": {}}
            for topic in topics:
                parts = sorted(meta.topics[topic].partitions)
                tps = [TopicPartition(topic, p) for p in parts]
                result["end"][topic] = {str(tp.partition): c.get_watermark_offsets(tp, timeout=10)[1] for tp in tps}
                result["committed"][topic] = {str(tp.partition): tp.offset for tp in c.committed(tps, timeout=10)}
            print(json.dumps(result))
        finally:
            c.close()
        """

    let python: URL
    let bootstrapServers: String
    let directory: URL

    func snapshot(group: String, topics: [String]) async throws -> Snapshot {
        let output = try await CommandRunner.checked(
            python, ["-c", Self.script, bootstrapServers, group] + topics, timeout: .seconds(60), in: directory)
        do {
            return try JSONDecoder().decode(Snapshot.self, from: output)
        } catch {
            throw E2EError("offset probe printed \(String(decoding: output, as: UTF8.self))")
        }
    }
}
