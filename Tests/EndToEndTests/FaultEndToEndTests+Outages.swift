import Foundation
import Testing

extension PipelineEndToEndTests.FaultEndToEndTests {
    @Test(.timeLimit(.minutes(3)))
    func brokerOutageLosesNothing() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let system = try await E2ESystem(name: "broker-outage", token: Self.token, simulatorLatencyMs: 5)
        defer { system.shutdown() }
        let plan = EventPlan(
            runID: "bo", unique: 1_400, badPerKind: 5, duplicates: 150, customers: E2ESystem.customers, seed: 21)
        try await system.produce(plan)
        let expected = Int64(plan.events.count)
        let worker = try system.startWorker(configuration: try system.writeWorkerConfiguration(maxInFlight: 16))

        try await system.waitUntil(
            "25% of the outcomes", timeout: .seconds(90), interval: .milliseconds(200), worker: worker
        ) {
            try await system.outcomeCount() * 4 >= expected
        }
        let outcomesAtOutage = try await system.outcomeCount()
        let outage = Duration.seconds(10)
        try await system.mockCommand("broker-down 1")
        try await Task.sleep(for: outage)
        try await system.mockCommand("broker-up 1")
        #expect(worker.isRunning, "the worker exited during the broker outage: \(worker.stderrTail())")
        #expect(outcomesAtOutage < expected, "the run had finished before the outage")

        // The same worker process finishes the run.
        try await system.waitUntilFinished(expected: expected, timeout: .seconds(120), worker: worker)
        #expect(system.workers.count == 1)
        // The outage outlasts the group session (6 s): the assignment was lost, and let go of at once.
        #expect(worker.stderr().contains("partitions lost"), "no lost assignment during a 10 s broker outage")
        let exit = try #require(
            try await worker.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
        #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")

        let contents = try await system.readTopics()
        let audit = FaultRunAudit(plan: plan, contents: contents, contacts: try await system.simulator.contacts())
        #expect(audit.issues.isEmpty, PipelineEndToEndTests.comment("broker outage problems", audit.issues))
        let uncommitted = try await system.snapshot().uncommitted(E2ESystem.inputTopic)
        #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

        print(
            FaultTable.line(
                name: "broker outage", events: plan.events.count,
                faults: "broker 1 down \(outage.components.seconds) s at \(outcomesAtOutage) outcomes",
                audit: audit, seconds: PipelineEndToEndTests.seconds(clock.now - start)))
    }

    @Test(.timeLimit(.minutes(3)))
    func kometOutagePausesCallsWithoutDeadLetters() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let system = try await E2ESystem(name: "komet-outage", token: Self.token, simulatorLatencyMs: 5)
        defer { system.shutdown() }
        let plan = EventPlan(
            runID: "ko", unique: 1_400, badPerKind: 5, duplicates: 150, customers: E2ESystem.customers, seed: 31)
        try await system.produce(plan)
        let expected = Int64(plan.events.count)

        let bound = OutageBound(
            maxInFlight: 8, outageThreshold: 5, baseDelay: .milliseconds(200), maxDelay: .seconds(2),
            outage: .seconds(30))
        // maxAttempts 3: retrying each event on its own would dead-letter every event of the outage.
        let configuration = try system.writeWorkerConfiguration(
            maxInFlight: bound.maxInFlight,
            extra: [
                "retry": [
                    "maxAttempts": 3, "baseDelay": "200ms", "maxDelay": "2s", "outageThreshold": bound.outageThreshold,
                ]
            ])
        let worker = try system.startWorker(configuration: configuration)
        try await system.waitUntil(
            "15% of the outcomes", timeout: .seconds(90), interval: .milliseconds(200), worker: worker
        ) {
            try await system.outcomeCount() * 100 >= expected * 15
        }
        let before = try await system.simulator.counters()
        try await system.simulator.setFaults(#"{"serverErrorRate": 1}"#)
        // Outcomes of calls answered before the faults began may still be publishing: the outage's window starts once
        // they are out.
        try await Task.sleep(for: .seconds(2))
        let atOutageStart = try await system.snapshot()
        try await Task.sleep(for: bound.outage - .seconds(2))
        try await system.simulator.setFaults(#"{"serverErrorRate": 0}"#)
        let after = try await system.simulator.counters()
        let atOutageEnd = try await system.snapshot()
        let callsDuringOutage = (after["serverErrors"] ?? 0) - (before["serverErrors"] ?? 0)
        print("e2e komet outage: \(callsDuringOutage) calls during the 30 s outage, bound \(bound.description)")
        #expect(
            callsDuringOutage <= bound.calls,
            "\(callsDuringOutage) Komet calls during the outage, bound \(bound.description)")
        #expect(callsDuringOutage > 0, "no call reached the simulator during the outage")
        #expect(
            atOutageStart.recordCount(E2ESystem.successTopic) + atOutageStart.recordCount(E2ESystem.deadLetterTopic)
                < expected, "the run had finished before the outage")

        try await system.waitUntilFinished(expected: expected, timeout: .seconds(90), worker: worker)
        #expect(system.workers.count == 1)
        let exit = try #require(
            try await worker.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
        #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")

        let contents = try await system.readTopics()
        let audit = FaultRunAudit(plan: plan, contents: contents, contacts: try await system.simulator.contacts())
        #expect(audit.issues.isEmpty, PipelineEndToEndTests.comment("Komet outage problems", audit.issues))
        #expect(audit.validDeadLetters == 0, "\(audit.validDeadLetters) valid events were dead-lettered")
        // Bad events that need no call may be dead-lettered during the outage (validation reasons); nothing else may.
        let validationReasons = Set(EventKind.badKinds.compactMap(\.expectedReason)).subtracting(["komet_rejected"])
        let outageDeadLetters = E2ESystem.deadLetters(in: contents.deadLetters, from: atOutageStart, to: atOutageEnd)
        let kometDeadLetters = outageDeadLetters.filter {
            !validationReasons.contains($0.header("komet-sync.reason") ?? "")
        }
        #expect(
            kometDeadLetters.isEmpty,
            PipelineEndToEndTests.comment(
                "dead letters during the outage",
                kometDeadLetters.map { "\($0.key ?? "nil"): \($0.header("komet-sync.reason") ?? "nil")" }))
        let uncommitted = try await system.snapshot().uncommitted(E2ESystem.inputTopic)
        #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

        let scan = try await TokenScan.run(system, fragments: Self.tokenFragments)
        #expect(scan.hits.isEmpty, PipelineEndToEndTests.comment("token hits", scan.hits))

        print(
            FaultTable.line(
                name: "Komet outage (503 for 30 s)", events: plan.events.count,
                faults: "every call 503 for 30 s: \(callsDuringOutage) calls (bound \(bound.calls)); "
                    + "\(outageDeadLetters.count) validation DLQs in the window",
                audit: audit, seconds: PipelineEndToEndTests.seconds(clock.now - start)))
    }
}
