import ArgumentParser
import Dispatch
import Foundation
import Kafka
import Logging

/// Runs librdkafka's mock Kafka cluster as a process: prints the bootstrap servers alone on the first stdout line,
/// then serves fault-injection commands on stdin until SIGTERM/SIGINT.
@main
struct KafkaMockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-mock",
        abstract: "Run librdkafka's mock Kafka cluster.",
        discussion: """
            Prints the bootstrap servers alone on the first line of stdout, then runs until SIGTERM or SIGINT.
            Commands on stdin, one per line, each answered with "ok" or "error: ..." on stdout:
              broker-down <id>            broker-up <id>            rtt <id> <milliseconds>
              request-errors <apiKey> <code,code,...>               create-topic <name>[:<partitions>]
            """
    )

    @Option(name: .long, help: "Number of brokers.")
    var brokers: Int = 1

    @Option(name: .long, help: "A topic to create, as name or name:partitions. Repeatable.")
    var topic: [String] = []

    @Option(name: .long, help: "Partitions of a --topic given without a count.")
    var defaultPartitions: Int32 = 4

    @Option(name: .long, help: "Log level of the mock cluster's logs (on stderr).")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
        guard defaultPartitions >= 1 else { throw ValidationError("--default-partitions must be at least 1") }
        for spec in topic { _ = try TopicSpec(spec, defaultPartitions: defaultPartitions) }
    }

    func run() throws {
        var logger = Logger(label: "kafka-mock") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = logLevel
        let cluster = try KafkaMockCluster(brokers: brokers, logger: logger)
        for spec in topic {
            let topic = try TopicSpec(spec, defaultPartitions: defaultPartitions)
            try cluster.createTopic(topic.name, partitions: topic.partitions)
        }
        MockOutput.line(cluster.bootstrapServers)
        logger.info(
            "Mock cluster running",
            metadata: [MockLogKey.bootstrapServers: "\(cluster.bootstrapServers)", MockLogKey.topic: "\(topic)"]
        )

        let stopped = DispatchSemaphore(value: 0)
        let signalSources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stopped.signal() }
            source.resume()
            return source
        }
        let commands = Thread {
            Thread.current.name = "kafka-mock-stdin"
            while let line = readLine() {
                MockOutput.line(MockCommandRunner(cluster: cluster).execute(line))
            }
        }
        commands.start()

        stopped.wait()
        signalSources.forEach { $0.cancel() }
        logger.info("Mock cluster stopping")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
