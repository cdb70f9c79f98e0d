import Foundation
import SyncTestSupport
import Testing

/// Issue 3 end to end: the bad-input corpus and 10,000 seeded mutants, interleaved with valid control events, through
/// kafka-mock, the worker and komet-sim. Records are produced and read back binary-safe with Python's confluent_kafka.
extension PipelineEndToEndTests {
    /// Nested in the serialized end-to-end suite, so it never runs beside another end-to-end test on 2 cores.
    @Suite("Bad input")
    struct BadInputEndToEndTests {
        static let token = "tok-SECRET-bad-input-5d2e"
        static let mutantCount = 10_000
        /// The fixed seed; `BAD_INPUT_FUZZ_SEED` overrides it.
        static let seed: UInt64 =
            ProcessInfo.processInfo.environment["BAD_INPUT_FUZZ_SEED"].flatMap { UInt64($0) }
            ?? 0x00C0_FFEE_BAD1_4407

        @Test(.timeLimit(.minutes(8)))
        func corpusAndFuzzEachEndWithOneOutcome() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            print("e2e bad-input: seed \(Self.seed) (set BAD_INPUT_FUZZ_SEED to replay), \(Self.mutantCount) mutants")
            let system = try await E2ESystem(name: "bad-input", token: Self.token)
            defer { system.shutdown() }
            let kafka = BadInputKafka(
                python: try await E2EEnvironment.pythonWithConfluentKafka(in: system.directory),
                bootstrapServers: system.bootstrapServers, directory: system.directory)

            // A control before every corpus case, then the mutants with a control every 1,000.
            let corpus = BadInputCorpus.endToEndCases
            var plan: [BadInputRecord] = []
            for (index, badCase) in corpus.enumerated() {
                plan.append(BadInputRecord(control: index))
                plan.append(BadInputRecord(badCase))
            }
            var mutator = BadInputMutator(seed: Self.seed)
            for index in 0..<Self.mutantCount {
                if index % 1_000 == 0 { plan.append(BadInputRecord(control: 10_000 + index)) }
                plan.append(BadInputRecord(mutant: mutator.memberListMutant(index), index: index))
            }
            let positions = try await kafka.produce(
                topic: E2ESystem.inputTopic,
                records: plan.map { ($0.key, $0.value, $0.headers.map { ($0.key, $0.value) }) })
            var planByPosition: [RecordPosition: BadInputRecord] = [:]
            for (position, record) in zip(positions, plan) { planByPosition[position] = record }
            #expect(planByPosition.count == plan.count, "two records were reported at one position")

            let configuration = try system.writeWorkerConfiguration(maxInFlight: 32)
            try Self.merge(BadInputCorpus.workerSettings, into: configuration)
            let worker = try system.startWorker(configuration: configuration)
            let workerPID = worker.pid
            let expected = Int64(plan.count)
            try await system.waitUntil("\(expected) outcomes", timeout: .seconds(300), worker: worker) {
                try await system.outcomeCount() >= expected
            }
            #expect(worker.isRunning && worker.pid == workerPID, "the worker is no longer the process that was started")
            let exit = try #require(
                try await worker.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
            #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")

            let input = try await kafka.readAll(topic: E2ESystem.inputTopic)
            let success = try await kafka.readAll(topic: E2ESystem.successTopic)
            let deadLetters = try await kafka.readAll(topic: E2ESystem.deadLetterTopic)

            // The input topic holds exactly what was produced.
            var issues: [String] = []
            #expect(input.count == plan.count, "the input topic holds \(input.count) records, \(plan.count) produced")
            for record in input {
                guard let planned = planByPosition[record.position] else {
                    issues.append("input \(record.position) was not produced by the test")
                    continue
                }
                if record.key != planned.key || record.value != planned.value {
                    issues.append("input \(record.position) (\(planned.name)) differs from what was produced")
                }
            }

            // Match every outcome to its input position.
            var outcomes: [RecordPosition: [(kind: String, record: BinaryRecord)]] = [:]
            for record in success {
                guard let value = record.value,
                    let json = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
                    let source = json["source"] as? [String: Any],
                    let partition = (source["partition"] as? NSNumber)?.int32Value,
                    let offset = (source["offset"] as? NSNumber)?.int64Value
                else {
                    issues.append("success record \(record.position) has no parseable source")
                    continue
                }
                let status = json["status"] as? String ?? "<none>"
                outcomes[RecordPosition(partition: partition, offset: offset), default: []].append(
                    ("success " + status, record))
            }
            for record in deadLetters {
                guard let partition = record.header("kafka_dlt-original-partition").flatMap({ Int32($0) }),
                    let offset = record.header("kafka_dlt-original-offset").flatMap({ Int64($0) })
                else {
                    issues.append("DLQ record \(record.position) lacks its original position")
                    continue
                }
                let reason = record.header("komet-sync.reason") ?? "<none>"
                outcomes[RecordPosition(partition: partition, offset: offset), default: []].append(
                    ("dlq " + reason, record))
            }
            for position in outcomes.keys where planByPosition[position] == nil {
                issues.append("an outcome answers \(position), which the test did not produce")
            }

            var counts: [String: Int] = [:]
            for (position, planned) in planByPosition.sorted(by: { $0.key < $1.key }) {
                let found = outcomes[position] ?? []
                guard found.count == 1, let outcome = found.first else {
                    issues.append("\(planned.name) at \(position): \(found.count) outcomes (\(found.map(\.kind)))")
                    continue
                }
                counts[outcome.kind, default: 0] += 1
                let isDeadLetter = outcome.kind.hasPrefix("dlq ")
                if isDeadLetter {
                    let reason = String(outcome.kind.dropFirst(4))
                    if !BadInputCorpus.knownReasons.contains(reason) {
                        issues.append("\(planned.name) at \(position): unknown reason \(reason)")
                    }
                    if outcome.record.key != planned.key || outcome.record.value != planned.value {
                        issues.append("\(planned.name) at \(position): DLQ key/value bytes differ from the input's")
                    }
                }
                switch planned.expectation {
                case .deadLetter(let reason):
                    if outcome.kind != "dlq " + reason {
                        issues.append("\(planned.name) at \(position): \(outcome.kind), expected dlq \(reason)")
                    }
                case .created:
                    if outcome.kind != "success created" {
                        issues.append("\(planned.name) at \(position): \(outcome.kind), expected success created")
                    }
                case .anyOutcome:
                    if !isDeadLetter && outcome.kind != "success created" {
                        issues.append("\(planned.name) at \(position): \(outcome.kind) (every mutant key is unique)")
                    }
                }
            }
            #expect(issues.isEmpty, "\(issues.count) issues:\n\(issues.prefix(40).joined(separator: "\n"))")

            let snapshot = try await system.snapshot()
            let uncommitted = snapshot.uncommitted(E2ESystem.inputTopic)
            #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

            let created = counts["success created"] ?? 0
            let dlq = counts.filter { $0.key.hasPrefix("dlq ") }.values.reduce(0, +)
            let seconds = PipelineEndToEndTests.seconds(clock.now - start)
            print(
                "e2e bad-input: \(plan.count) events (\(corpus.count) corpus, \(Self.mutantCount) mutants), "
                    + "outcomes: "
                    + counts.sorted { $0.value > $1.value }.map { "\($0.key)=\($0.value)" }.joined(
                        separator: ", "))
            print(
                [
                    "fault-table", "bad-input corpus+fuzz", "\(plan.count)",
                    "\(corpus.count) corpus cases + \(Self.mutantCount) seeded mutants (seed \(Self.seed))",
                    "\(created)/\(counts["success duplicate"] ?? 0)/\(counts["success reconciled"] ?? 0)/\(dlq)", "0",
                    seconds,
                ].joined(separator: " | "))
        }

        /// Merges `settings` (by section) into the JSON configuration file at `url`.
        static func merge(_ settings: [String: [String: String]], into url: URL) throws {
            var configuration = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
            for (section, values) in settings {
                var merged = configuration[section] as? [String: Any] ?? [:]
                merged.merge(values) { _, new in new }
                configuration[section] = merged
            }
            try JSONSerialization.data(withJSONObject: configuration, options: [.sortedKeys]).write(to: url)
        }
    }
}
