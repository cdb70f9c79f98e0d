import Foundation

/// One test's world: a temporary folder, a kafka-mock process, a komet-sim process, the clients that look at them,
/// and the worker processes started against them. `shutdown()` stops every process it started.
final class E2ESystem {
    static let inputTopic = "contacts.created"
    static let successTopic = "contacts.komet.succeeded"
    static let deadLetterTopic = "contacts.komet.dlq"
    static let allTopics = [inputTopic, successTopic, deadLetterTopic]
    static let customers = 1...1000

    let directory: URL
    let token: String
    let group: String
    let bootstrapServers: String
    let simulatorURL: URL
    let kcat: Kcat
    let offsets: OffsetProbe
    let simulator: SimulatorAdmin
    /// The kafka-mock process (fault commands such as `broker-down 1` go to its stdin with `send(line:)`).
    let kafkaMock: ChildProcess
    /// The komet-sim process.
    let kometSimulator: ChildProcess
    /// Every worker process started so far, in start order (stopped and killed ones too), for their logs.
    private(set) var workers: [ChildProcess] = []
    private let workerBinary: URL
    private var processes: [ChildProcess] = []
    private var isShutDown = false

    /// Starts kafka-mock (3 topics of `partitions` partitions each) and komet-sim (daily quota `quota`).
    init(
        name: String, token: String, simulatorLatencyMs: Int = 0, quota: Int = 100_000, partitions: Int = 4
    ) async throws {
        let directory = try E2EEnvironment.makeTemporaryDirectory(name)
        var started: [ChildProcess] = []
        do {
            let mockBinary = try E2EEnvironment.binary("kafka-mock")
            let simBinary = try E2EEnvironment.binary("komet-sim")
            workerBinary = try E2EEnvironment.binary("komet-contact-sync")
            let python = try await E2EEnvironment.pythonWithConfluentKafka(in: directory)

            let mock = try ChildProcess(
                name: "kafka-mock", executable: mockBinary,
                arguments: ["--brokers", "1"] + Self.allTopics.flatMap { ["--topic", "\($0):\(partitions)"] },
                environment: E2EEnvironment.childEnvironment(), in: directory)
            started.append(mock)
            let sim = try ChildProcess(
                name: "komet-sim", executable: simBinary,
                arguments: [
                    "--host", "127.0.0.1", "--port", "0", "--token", token,
                    "--customers", "\(Self.customers.lowerBound)-\(Self.customers.upperBound)",
                    "--types", "None,Buyer,A/P", "--quota", "\(quota)", "--seed", "1",
                    "--latency-ms", "\(simulatorLatencyMs)",
                ],
                environment: E2EEnvironment.childEnvironment(), in: directory)
            started.append(sim)

            let bootstrapServers = try await mock.firstStdoutLine()
            guard !bootstrapServers.isEmpty, !bootstrapServers.contains(" ") else {
                throw E2EError("kafka-mock's first line is not a bootstrap server list: \(bootstrapServers)")
            }
            let listening = try await sim.firstStdoutLine()
            guard listening.hasPrefix("listening on "),
                let url = URL(string: String(listening.dropFirst("listening on ".count)))
            else {
                throw E2EError("komet-sim's first line is not `listening on URL`: \(listening)")
            }
            self.bootstrapServers = bootstrapServers
            simulatorURL = url
            kcat = try Kcat(bootstrapServers: bootstrapServers, directory: directory)
            offsets = OffsetProbe(python: python, bootstrapServers: bootstrapServers, directory: directory)
            simulator = SimulatorAdmin(baseURL: url)
            kafkaMock = mock
            kometSimulator = sim
        } catch {
            for process in started.reversed() { process.stop() }
            E2EEnvironment.removeTemporaryDirectory(directory)
            throw error
        }
        self.directory = directory
        self.token = token
        group = "e2e-\(name)"
        processes = started
    }

    deinit {
        shutdown()
    }

    /// Stops every process this system started (SIGTERM, then SIGKILL) and removes the folder. Idempotent.
    func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        for process in processes.reversed() {
            process.stop()
        }
        processes.removeAll()
        E2EEnvironment.removeTemporaryDirectory(directory)
    }

    /// Writes the worker's configuration file (`fileName` in the test's folder) and returns its path. `extra` adds
    /// settings by section, e.g. `["retry": ["maxAttempts": 3]]`; its keys win over the defaults written here.
    func writeWorkerConfiguration(
        maxInFlight: Int, logLevel: String = "info", extra: [String: [String: Any]] = [:],
        fileName: String = "worker.json"
    ) throws -> URL {
        var configuration: [String: Any] = [
            "kafka": [
                "bootstrap.servers": bootstrapServers, "group.id": group,
                "session.timeout.ms": "6000", "heartbeat.interval.ms": "500", "max.poll.interval.ms": "10000",
            ],
            "topics": [
                "input": Self.inputTopic, "success": Self.successTopic, "deadLetter": Self.deadLetterTopic,
            ],
            // Leases just longer than a call and a short late-arrival window (the simulator's faults answer or land
            // within a second or two), so that claims left by a killed worker are reconciled within the test. The
            // worker's own call budget stays out of the way unless a test sets it (the simulator's quota is the one
            // under test elsewhere).
            "komet": [
                "baseURL": simulatorURL.appendingPathComponent("api").absoluteString, "requestTimeout": "5s",
                "lateArrivalWindow": "2s", "dailyQuota": "10000000",
            ],
            "dedupe": [
                "backend": "sqlite", "sqlitePath": directory.appendingPathComponent("dedupe.sqlite").path,
                "claimLease": "8s",
            ],
            "mapping": ["defaultContactType": "Buyer", "registeredContactTypes": "None,Buyer,A/P"],
            // Shorter than max.poll.interval.ms above, as the worker requires.
            "pipeline": ["maxInFlight": maxInFlight, "drainTimeout": "5s"],
            "http": ["port": 0],
            "log": ["level": logLevel, "format": "json"],
        ]
        for (section, settings) in extra {
            var merged = configuration[section] as? [String: Any] ?? [:]
            merged.merge(settings) { _, new in new }
            configuration[section] = merged
        }
        let url = directory.appendingPathComponent(fileName)
        let data = try JSONSerialization.data(withJSONObject: configuration, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: url)
        return url
    }

    /// Starts `komet-contact-sync run --config FILE` with the token in `KOMET_TOKEN` (unless `tokenInEnvironment` is
    /// false: the configuration's `komet.tokenFile` then holds it) and `environment` added (a database password,
    /// say). `name` prefixes its log files; `stderrThroughPipe` see ``ChildProcess``.
    func startWorker(
        configuration: URL, name: String = "worker", environment: [String: String] = [:],
        stderrThroughPipe: Bool = false, tokenInEnvironment: Bool = true
    ) throws -> ChildProcess {
        let variables =
            tokenInEnvironment ? environment.merging(["KOMET_TOKEN": token]) { _, token in token } : environment
        let worker = try ChildProcess(
            name: name, executable: workerBinary,
            arguments: ["run", "--config", configuration.path],
            environment: E2EEnvironment.childEnvironment(adding: variables), stderrThroughPipe: stderrThroughPipe,
            in: directory)
        processes.append(worker)
        workers.append(worker)
        return worker
    }

    /// Produces the plan's events to the input topic.
    func produce(_ plan: EventPlan) async throws {
        try await produce(plan.events)
    }

    /// Produces `events` to the input topic, in order (a wave of re-sends, say).
    func produce(_ events: [EventPlan.Event]) async throws {
        try await kcat.produce(topic: Self.inputTopic, records: events.map { ($0.key, $0.value) })
    }

    /// The current offsets of the three topics and the worker group's commits.
    func snapshot() async throws -> OffsetProbe.Snapshot {
        try await offsets.snapshot(group: group, topics: Self.allTopics)
    }

    /// The number of outcome records (success + DLQ) so far.
    func outcomeCount() async throws -> Int64 {
        let snapshot = try await snapshot()
        return snapshot.recordCount(Self.successTopic) + snapshot.recordCount(Self.deadLetterTopic)
    }

    /// Polls `condition` every `interval` until it is true or `timeout` passes; fails if `worker` exits meanwhile.
    func waitUntil(
        _ what: String, timeout: Duration, interval: Duration = .seconds(1), worker: ChildProcess,
        _ condition: () async throws -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if try await condition() { return }
            if !worker.isRunning {
                throw E2EError(
                    "the worker exited (status \(worker.process.terminationStatus)) while waiting for \(what); "
                        + "stderr:\n\(worker.stderrTail())")
            }
            if clock.now > deadline {
                throw E2EError("timed out after \(timeout) waiting for \(what); worker stderr:\n\(worker.stderrTail())")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Reads back the input, success and DLQ topics.
    func readTopics() async throws -> TopicContents {
        TopicContents(
            input: try await kcat.readAll(topic: Self.inputTopic),
            success: try await kcat.readAll(topic: Self.successTopic),
            deadLetters: try await kcat.readAll(topic: Self.deadLetterTopic)
        )
    }
}

/// The records of the three topics.
struct TopicContents {
    var input: [KafkaRecord]
    var success: [KafkaRecord]
    var deadLetters: [KafkaRecord]
}
