import ArgumentParser
import AsyncHTTPClient
import ContactSync
import Foundation
import Kafka
import KometClient
import KometSimulator
import Logging
import ServiceLifecycle

/// `komet-contact-sync demo`: the whole service on embedded defaults, in one process.
///
/// It starts librdkafka's mock cluster, the Komet simulator and the worker (SQLite dedupe store in a temporary
/// folder), produces the bundled sample events, shows progress, and ends with a table of outcomes.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the worker against an in-process mock Kafka cluster and Komet simulator."
    )

    @Option(name: .long, help: "Simulated Komet latency per call, in milliseconds.")
    var latencyMs = 25

    @Option(name: .long, help: "Log level of the worker (its log goes to stderr).")
    var logLevel = "warning"

    @Option(name: .long, help: "Give up when the sample has not finished after this many seconds.")
    var timeout = 120

    func run() async throws {
        Bootstrap.ignoreBrokenPipes()
        let secret = "demo-" + UUID().uuidString
        let token = KometToken(secret)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "komet-sync-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let quiet = Logger.Level(rawValue: logLevel) ?? .warning
        LoggingSystem.bootstrap { label in
            StructuredLogHandler(label: label, level: quiet, format: .text, redact: token.redact)
        }
        let logger = Logger(label: "komet-contact-sync.demo")

        print("Starting the mock Kafka cluster …")
        let cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        let inputTopic = "contacts.created"
        try cluster.createTopic(inputTopic, partitions: 4)
        try cluster.createTopic("contacts.komet.succeeded", partitions: 4)
        try cluster.createTopic("contacts.komet.dlq", partitions: 4)

        print("Starting the Komet simulator …")
        let simulator = KometSimulator(
            configuration: KometSimulatorConfiguration(
                token: secret, customers: Set(1...50), contactTypes: ["None", "Buyer", "A/P"],
                dailyQuota: 1_000, seed: 42),
            logger: logger)
        simulator.faults.latencyMs = latencyMs

        let samples = DemoSample.all()
        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: KometClientConfiguration().recommendedHTTPClientConfiguration)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
                let simulatorGroup = ServiceGroup(
                    services: [simulator.service(host: "127.0.0.1", port: 0) { portContinuation.yield($0) }],
                    logger: logger)
                group.addTask {
                    try await simulatorGroup.run()
                }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw CleanExit.message("the simulator did not start") }

                let settings = try SyncConfiguration(
                    source: ConfigurationSource(fileValues: [
                        "kafka.bootstrap.servers": cluster.bootstrapServers,
                        "kafka.group.id": "komet-contact-sync-demo",
                        "komet.baseURL": "http://127.0.0.1:\(port)/api",
                        "dedupe.backend": "sqlite",
                        "dedupe.sqlitePath": folder.appendingPathComponent("dedupe.sqlite").path,
                        "http.port": "-1",
                        "log.level": logLevel,
                    ]))
                try await Self.produce(samples, topic: inputTopic, bootstrap: cluster.bootstrapServers, logger: logger)
                print("Produced \(samples.count) sample events to \(inputTopic) (4 partitions).")

                let worker = SyncService(
                    configuration: settings, token: token,
                    stores: SyncStores(try SQLiteStore(path: settings.sqlitePath)),
                    httpClient: httpClient, logger: logger)
                let serviceGroup = ServiceGroup(services: [worker], logger: logger)
                group.addTask { try await serviceGroup.run() }

                let clock = ContinuousClock()
                let started = clock.now
                var shown = -1
                while true {
                    let done = worker.health.outcomes.values.reduce(0, +)
                    if done != shown {
                        print("  outcomes: \(done)/\(samples.count)")
                        shown = done
                    }
                    if done >= samples.count { break }
                    if clock.now - started > .seconds(timeout) {
                        print("Timed out after \(timeout) s with \(done) of \(samples.count) outcomes.")
                        break
                    }
                    try await Task.sleep(for: .milliseconds(250))
                }
                await serviceGroup.triggerGracefulShutdown()
                try await group.next()  // the worker has drained and committed
                await simulatorGroup.triggerGracefulShutdown()
                try await group.waitForAll()
                let matched = Self.printTable(outcomes: worker.health.outcomes, samples: samples, simulator: simulator)
                guard matched else { throw ExitCode.failure }
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    private static func produce(
        _ samples: [DemoSample], topic: String, bootstrap: String, logger: Logger
    ) async throws {
        let producer = try KafkaProducer(configuration: ["bootstrap.servers": bootstrap], logger: logger)
        for sample in samples {
            _ = try await producer.send(
                topic: topic, key: sample.key.map { Array($0.utf8) }, value: Array(sample.value.utf8),
                headers: sample.headers.map { KafkaHeader(key: $0.0, string: $0.1) })
        }
        await producer.shutdown(flushTimeout: .seconds(5))
    }

    /// Prints outcomes by status or reason beside the expected counts; returns whether they match.
    private static func printTable(outcomes: [String: Int], samples: [DemoSample], simulator: KometSimulator) -> Bool {
        var expected: [String: Int] = [:]
        for sample in samples { expected[sample.expected, default: 0] += 1 }
        let labels = Set(outcomes.keys).union(expected.keys).sorted { lhs, rhs in
            let order = ["created", "duplicate", "reconciled"]
            let left = order.firstIndex(of: lhs) ?? order.count
            let right = order.firstIndex(of: rhs) ?? order.count
            return (left, lhs) < (right, rhs)
        }
        let width = max(24, labels.map(\.count).max() ?? 0)
        func row(_ a: String, _ b: String, _ c: String, _ d: String) -> String {
            a.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + b.padding(toLength: 12, withPad: " ", startingAt: 0)
                + "  " + c.leftPadded(8) + "  " + d.leftPadded(8)
        }
        print("")
        print(row("status / reason", "topic", "outcomes", "expected"))
        print(String(repeating: "-", count: width + 36))
        for label in labels {
            let topic = ["created", "duplicate", "reconciled"].contains(label) ? "succeeded" : "dlq"
            print(row(label, topic, "\(outcomes[label] ?? 0)", "\(expected[label] ?? 0)"))
        }
        print(String(repeating: "-", count: width + 36))
        let total = outcomes.values.reduce(0, +)
        print(row("total", "", "\(total)", "\(samples.count)"))
        let contacts = simulator.contacts().values.reduce(0) { $0 + $1.count }
        print("")
        print(
            "Sample events: \(samples.count); outcome records: \(total); contacts created in the simulator: \(contacts)."
        )
        let matched = total == samples.count && outcomes == expected
        print(matched ? "Every event has exactly one outcome, as expected." : "MISMATCH: see the table.")
        return matched
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
