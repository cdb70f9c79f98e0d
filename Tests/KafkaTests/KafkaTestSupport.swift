import Foundation
import Kafka
import Logging
import Synchronization

/// Shared helpers for the Kafka tests: a logger, mock cluster settings, waiting for conditions.
enum KafkaTestSupport {
    /// Logs at `warning` unless `KAFKA_TEST_LOG_LEVEL` says otherwise.
    static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        let level = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? .warning
        return logger
    }

    /// Like `logger(_:)`, and also keeps every record (at any level) in `records`, for tests that check a log line.
    static func logger(_ label: String, records: LogRecords) -> Logger {
        let consoleLevel = logger(label).logLevel
        return Logger(label: label) { label in
            var console = StreamLogHandler.standardError(label: label)
            console.logLevel = consoleLevel
            return MultiplexLogHandler([console, RecordingLogHandler(records: records)])
        }
    }

    /// Consumer settings for the mock cluster (DESIGN.md: a second member rebalances slowly without these).
    static func consumerConfiguration(
        _ cluster: KafkaMockCluster,
        group: String,
        extra: [String: String] = [:]
    ) -> [String: String] {
        [
            "bootstrap.servers": cluster.bootstrapServers,
            "group.id": group,
            "session.timeout.ms": "6000",
            "max.poll.interval.ms": "10000",
            "heartbeat.interval.ms": "500",
        ].merging(extra) { $1 }
    }

    static func producerConfiguration(_ cluster: KafkaMockCluster, extra: [String: String] = [:]) -> [String: String] {
        ["bootstrap.servers": cluster.bootstrapServers].merging(extra) { $1 }
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8))"
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    static func waitUntil(timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Runs `consumer` while `body` runs, then stops it and waits for `run` to return (close + commit done).
    static func withRunningConsumer<R: Sendable>(
        _ consumer: KafkaConsumer,
        delegate: RecordingDelegate,
        _ body: () async throws -> R
    ) async throws -> R {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run(delegate: delegate) }
            do {
                let result = try await body()
                consumer.stop()
                try await group.waitForAll()
                return result
            } catch {
                consumer.stop()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}

/// A delegate that records everything it is told; optionally stores offsets as records arrive.
final class RecordingDelegate: KafkaConsumerDelegate {
    struct State {
        var messages: [KafkaMessage] = []
        var assigned: [TopicPartition] = []
        var revoked: [TopicPartition] = []
        var callbackThreads: Set<String> = []
        var storeErrors: [KafkaError] = []
    }

    let state: Mutex<State> = Mutex(State())
    /// Called for each record; returns the next offset to store for it, or nil to store nothing.
    private let storePolicy: @Sendable (KafkaMessage) -> Int64?

    init(storePolicy: @escaping @Sendable (KafkaMessage) -> Int64? = { _ in nil }) {
        self.storePolicy = storePolicy
    }

    var messages: [KafkaMessage] { state.withLock { $0.messages } }
    var assigned: [TopicPartition] { state.withLock { $0.assigned } }
    var revoked: [TopicPartition] { state.withLock { $0.revoked } }

    func consumer(_ consumer: KafkaConsumer, didReceive message: KafkaMessage) {
        recordThread()
        if let next = storePolicy(message) {
            do {
                try consumer.storeOffset(message.topicPartition, nextOffset: next)
            } catch let error as KafkaError {
                state.withLock { $0.storeErrors.append(error) }
            } catch {}
        }
        state.withLock { $0.messages.append(message) }
    }

    func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition]) {
        recordThread()
        state.withLock { $0.assigned.append(contentsOf: partitions) }
    }

    func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool) {
        recordThread()
        state.withLock { $0.revoked.append(contentsOf: partitions) }
    }

    private func recordThread() {
        let name = Thread.current.name ?? "?"
        state.withLock { _ = $0.callbackThreads.insert(name) }
    }
}
