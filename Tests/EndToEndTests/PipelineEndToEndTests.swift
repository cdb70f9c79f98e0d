import Foundation
import Testing

/// Drives the built executables as separate processes: kafka-mock (librdkafka's mock cluster), komet-sim (the Komet
/// simulator) and the worker, and checks the result with third-party clients (kcat, Python confluent_kafka).
/// Build first (`swift build --build-tests`, or scripts/test); a missing executable fails the test.
@Suite("End to end: worker, kafka-mock and komet-sim", .serialized)
struct PipelineEndToEndTests {
    static let token = "tok-SECRET-7f3a9c"

    @Test(.timeLimit(.minutes(5)))
    func pipelineDeliversExactlyOneOutcomePerEvent() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let system = try await E2ESystem(name: "exactly-once", token: Self.token)
        defer { system.shutdown() }
        let plan = EventPlan(
            runID: "eo", unique: 1_010, badPerKind: 10, duplicates: 120, customers: E2ESystem.customers, seed: 42)
        try await system.produce(plan)

        let worker = try system.startWorker(configuration: try system.writeWorkerConfiguration(maxInFlight: 32))
        let expected = Int64(plan.events.count)
        try await system.waitUntil("\(expected) outcomes", timeout: .seconds(180), worker: worker) {
            try await system.outcomeCount() >= expected
        }
        let exit = try #require(
            try await worker.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
        #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")

        let contents = try await system.readTopics()
        #expect(contents.input.count == plan.events.count, "input topic holds \(contents.input.count) records")
        let ledger = OutcomeLedger(contents)
        #expect(ledger.issues.isEmpty, Self.comment("unmatched outcome records", ledger.issues))

        var outcomeIssues: [String] = []
        var contactIdByKey: [String: Int64] = [:]
        for (key, positions) in ledger.positionsByKey.sorted(by: { $0.key < $1.key }) {
            guard let kind = plan.kindByKey[key] else {
                outcomeIssues.append("input key \(key) is not one the test produced")
                continue
            }
            if Set(positions.map(\.partition)).count != 1 {
                outcomeIssues.append("key \(key) landed in several partitions: \(positions)")
            }
            for (index, position) in positions.enumerated() {
                let input = ledger.inputs[position]!
                let outcomes = ledger.outcomes[position] ?? []
                if outcomes.count != 1 {
                    outcomeIssues.append("input \(position) (key \(key)) has \(outcomes.count) outcomes, expected 1")
                }
                for outcome in outcomes {
                    outcomeIssues += ledger.check(
                        outcome, for: input, kind: kind, expectedStatuses: index == 0 ? ["created"] : ["duplicate"])
                    guard case .success(let success) = outcome, let contactId = success.contactId else { continue }
                    if index == 0 {
                        contactIdByKey[key] = contactId
                    } else if let first = contactIdByKey[key], first != contactId {
                        outcomeIssues.append(
                            "duplicate \(position) of \(key) points at contact \(contactId), not \(first)")
                    }
                }
            }
        }
        #expect(outcomeIssues.isEmpty, Self.comment("outcome problems", outcomeIssues))

        let contacts = try await system.simulator.contacts()
        let simulatorIssues = OutcomeLedger.simulatorIssues(contacts, plan: plan, contactIdByKey: contactIdByKey)
        #expect(simulatorIssues.isEmpty, Self.comment("simulator problems", simulatorIssues))

        let snapshot = try await system.snapshot()
        let uncommitted = snapshot.uncommitted(E2ESystem.inputTopic)
        #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")
        #expect(snapshot.end[E2ESystem.inputTopic]?.count == 4)

        print(
            "e2e exactly-once: \(plan.events.count) events (\(plan.duplicateCount) duplicates, \(plan.badCount) bad), "
                + "\(ledger.outcomeCount) outcomes (\(contents.success.count) success, "
                + "\(contents.deadLetters.count) DLQ, "
                + "\(ledger.duplicateStatusCount) duplicate), \(contacts.count) contacts, "
                + "\(Self.seconds(clock.now - start)) s")
    }

    @Test(.timeLimit(.minutes(5)))
    func restartMidwayLosesNothing() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let system = try await E2ESystem(name: "restart", token: Self.token, simulatorLatencyMs: 20)
        defer { system.shutdown() }
        let plan = EventPlan(
            runID: "rs", unique: 900, badPerKind: 7, duplicates: 100, customers: E2ESystem.customers, seed: 7)
        try await system.produce(plan)
        let expected = Int64(plan.events.count)
        // A small in-flight limit makes the run last long enough (20 ms per Komet call) to stop it midway.
        let configuration = try system.writeWorkerConfiguration(maxInFlight: 2)

        let first = try system.startWorker(configuration: configuration)
        try await system.waitUntil(
            "30% of the outcomes", timeout: .seconds(120), interval: .milliseconds(200), worker: first
        ) {
            try await system.outcomeCount() * 10 >= expected * 3
        }
        let firstExit = try #require(
            try await first.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
        #expect(
            firstExit.reason == .exit && firstExit.status == 0,
            "first worker exit: \(firstExit.reason) \(firstExit.status)")
        let snapshotAtStop = try await system.snapshot()
        let outcomesAtStop =
            snapshotAtStop.recordCount(E2ESystem.successTopic) + snapshotAtStop.recordCount(E2ESystem.deadLetterTopic)
        let committedAtStop = snapshotAtStop.committedCount(E2ESystem.inputTopic)
        #expect(outcomesAtStop < expected, "the first run already finished everything; the restart proved nothing")

        let second = try system.startWorker(configuration: configuration)
        try await system.waitUntil("every input committed", timeout: .seconds(180), worker: second) {
            let snapshot = try await system.snapshot()
            return snapshot.uncommitted(E2ESystem.inputTopic).isEmpty
                && snapshot.recordCount(E2ESystem.successTopic) + snapshot.recordCount(E2ESystem.deadLetterTopic)
                    >= expected
        }
        let secondExit = try #require(
            try await second.terminate(timeout: .seconds(30)),
            "the restarted worker did not exit within 30 s of SIGTERM")
        #expect(secondExit.reason == .exit && secondExit.status == 0, "second worker exit: \(secondExit.status)")

        let contents = try await system.readTopics()
        #expect(contents.input.count == plan.events.count)
        let ledger = OutcomeLedger(contents)
        #expect(ledger.issues.isEmpty, Self.comment("unmatched outcome records", ledger.issues))

        var issues: [String] = []
        var contactIdByKey: [String: Int64] = [:]
        var inputsWithSeveralOutcomes = 0
        for (key, positions) in ledger.positionsByKey.sorted(by: { $0.key < $1.key }) {
            guard let kind = plan.kindByKey[key] else {
                issues.append("input key \(key) is not one the test produced")
                continue
            }
            var creations = 0
            for position in positions {
                let outcomes = ledger.outcomes[position] ?? []
                if outcomes.isEmpty { issues.append("input \(position) (key \(key)) has no outcome") }
                if outcomes.count > 1 { inputsWithSeveralOutcomes += 1 }
                for outcome in outcomes {
                    issues += ledger.check(
                        outcome, for: ledger.inputs[position]!, kind: kind,
                        expectedStatuses: ["created", "duplicate", "reconciled"])
                    if case .success(let success) = outcome, success.status != "duplicate" {
                        creations += 1
                        contactIdByKey[key] = success.contactId
                    }
                }
            }
            if kind == .valid && creations != 1 {
                issues.append("key \(key) has \(creations) created/reconciled outcomes, expected exactly 1")
            }
        }
        #expect(issues.isEmpty, Self.comment("outcome problems", issues))

        let contacts = try await system.simulator.contacts()
        let simulatorIssues = OutcomeLedger.simulatorIssues(contacts, plan: plan, contactIdByKey: contactIdByKey)
        #expect(simulatorIssues.isEmpty, Self.comment("simulator problems", simulatorIssues))

        let uncommitted = try await system.snapshot().uncommitted(E2ESystem.inputTopic)
        #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

        print(
            "e2e restart: \(plan.events.count) events (\(plan.duplicateCount) duplicates, \(plan.badCount) bad), "
                + "\(outcomesAtStop) outcomes and \(committedAtStop) inputs committed at the stop (first exit took "
                + "\(Self.seconds(firstExit.took)) s), "
                + "\(ledger.outcomeCount) outcomes in all, \(inputsWithSeveralOutcomes) inputs with more than one "
                + "outcome, \(contacts.count) contacts, \(Self.seconds(clock.now - start)) s")
    }

    @Test(.timeLimit(.minutes(5)))
    func tokenNeverLeaks() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let system = try await E2ESystem(name: "token", token: Self.token)
        defer { system.shutdown() }
        // Transient failures make the worker log retries and errors too, not only the happy path.
        try await system.simulator.setFaults(#"{"serverErrorRate": 0.2}"#)
        let plan = EventPlan(
            runID: "tk", unique: 180, badPerKind: 4, duplicates: 20, customers: E2ESystem.customers, seed: 3)
        try await system.produce(plan)

        let worker = try system.startWorker(
            configuration: try system.writeWorkerConfiguration(maxInFlight: 16, logLevel: "debug"))
        let expected = Int64(plan.events.count)
        try await system.waitUntil("\(expected) outcomes", timeout: .seconds(120), worker: worker) {
            try await system.outcomeCount() >= expected
        }
        let exit = try #require(
            try await worker.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
        #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")

        let stderr = worker.stderr()
        let stdout = worker.stdout()
        let stderrLines = stderr.split(separator: "\n").count
        #expect(stderrLines >= plan.events.count, "the worker logged \(stderrLines) lines for \(expected) outcomes")

        var places: [(name: String, text: String)] = [("worker stderr", stderr), ("worker stdout", stdout)]
        for topic in E2ESystem.allTopics {
            places.append(("topic \(topic)", try await system.kcat.rawDump(topic: topic)))
        }
        let fragment = "SECRET-7f3a9c"
        for place in places {
            #expect(!place.text.contains(Self.token), "the token appears in the \(place.name)")
            #expect(!place.text.contains(fragment), "a fragment of the token appears in the \(place.name)")
        }
        let successRecords = places.first { $0.name == "topic \(E2ESystem.successTopic)" }?.text ?? ""
        #expect(
            !successRecords.contains("authenticationToken"), "a success record carries an authenticationToken field")

        let stats = (try? await system.simulator.stats()) ?? "?"
        print(
            "e2e token: \(plan.events.count) events, \(try await system.outcomeCount()) outcomes, \(stderrLines) log "
                + "lines, \(places.reduce(0) { $0 + $1.text.utf8.count }) bytes searched, simulator stats \(stats), "
                + "\(Self.seconds(clock.now - start)) s")
    }

    static func comment(_ title: String, _ issues: [String]) -> Comment {
        Comment(rawValue: "\(issues.count) \(title):\n" + issues.prefix(25).joined(separator: "\n"))
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f", Double(seconds) + Double(attoseconds) / 1e18)
    }
}
