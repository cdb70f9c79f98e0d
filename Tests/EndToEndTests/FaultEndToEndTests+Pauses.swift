import Foundation
import Testing

extension PipelineEndToEndTests.FaultEndToEndTests {
    @Test(.timeLimit(.minutes(3)))
    func revokedTokenPausesAndTheSameWorkerResumes() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let system = try await E2ESystem(name: "revoked-token", token: Self.token, simulatorLatencyMs: 5)
        defer { system.shutdown() }
        let plan = EventPlan(
            runID: "rt", unique: 1_200, badPerKind: 5, duplicates: 120, customers: E2ESystem.customers, seed: 41)
        try await system.produce(plan)
        let expected = Int64(plan.events.count)
        let maxInFlight = 8
        let probeInterval = Duration.seconds(1)
        let configuration = try system.writeWorkerConfiguration(
            maxInFlight: maxInFlight, extra: ["retry": ["systemicProbeInterval": "1s"]])
        let worker = try system.startWorker(configuration: configuration)
        try await system.waitUntil(
            "20% of the outcomes", timeout: .seconds(90), interval: .milliseconds(200), worker: worker
        ) {
            try await system.outcomeCount() * 5 >= expected
        }

        let before = try await system.simulator.counters()
        let revokedAt = clock.now
        try await system.simulator.setFaults(#"{"rejectToken": true}"#)
        try await system.waitUntil(
            "the worker to log that Komet refuses its calls", timeout: .seconds(30), interval: .milliseconds(100),
            worker: worker
        ) {
            worker.stderr().contains("Komet refuses our calls")
        }
        let pauseHeld = Duration.seconds(8)
        try await Task.sleep(for: pauseHeld)
        let outcomesAtRestore = try await system.outcomeCount()
        try await system.simulator.setFaults(#"{"rejectToken": false}"#)
        let restoredAt = clock.now
        let during = try await system.simulator.counters()
        let refusedCalls = (during["authFailures"] ?? 0) - (before["authFailures"] ?? 0)
        #expect(outcomesAtRestore < expected, "the run had finished before the token was accepted again")

        try await system.waitUntilFinished(expected: expected, timeout: .seconds(90), worker: worker)
        #expect(worker.isRunning && system.workers.count == 1, "the run was not finished by the same worker process")
        let exit = try #require(
            try await worker.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
        #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")

        let lines = WorkerLogLine.parse(worker.stderr())
        let errors = lines.filter(\.isErrorOrWorse)
        #expect(errors.count == 1, PipelineEndToEndTests.comment("error-level lines", errors.map(\.raw)))
        let refusal = errors.first?.message ?? ""
        #expect(
            refusal.contains("Komet refuses our calls") && refusal.contains("consumption paused"),
            "the error line is not the systemic pause: \(errors.first?.raw ?? "none")")
        let resumes = lines.filter { $0.level == "notice" && $0.message.contains("Komet calls resume") }
        #expect(!resumes.isEmpty, "no notice line `Komet calls resume`")

        // One probe per interval while paused, plus the calls in flight when the first refusal came.
        let pauseSeconds = Double((restoredAt - revokedAt).components.seconds) + 1
        let refusalBound = Int(pauseSeconds / Double(probeInterval.components.seconds)) + maxInFlight + 2
        #expect(
            refusedCalls <= refusalBound,
            "\(refusedCalls) calls refused for the token in \(pauseSeconds) s, bound \(refusalBound)")

        let contents = try await system.readTopics()
        let audit = FaultRunAudit(plan: plan, contents: contents, contacts: try await system.simulator.contacts())
        #expect(audit.issues.isEmpty, PipelineEndToEndTests.comment("revoked token problems", audit.issues))
        #expect(audit.validDeadLetters == 0, "\(audit.validDeadLetters) valid events were dead-lettered")
        let uncommitted = try await system.snapshot().uncommitted(E2ESystem.inputTopic)
        #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

        print(
            FaultTable.line(
                name: "revoked token", events: plan.events.count,
                faults: "token refused for \(PipelineEndToEndTests.seconds(restoredAt - revokedAt)) s: "
                    + "\(refusedCalls) refused calls (bound \(refusalBound)), \(errors.count) error line",
                audit: audit, seconds: PipelineEndToEndTests.seconds(clock.now - start)))
    }

    @Test(.timeLimit(.minutes(3)))
    func spentQuotaPausesCallsUntilReset() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        // About 480 add calls are needed (valid keys and unknown customers); the quota covers 300 a "day".
        let quota = 300
        let system = try await E2ESystem(name: "quota", token: Self.token, simulatorLatencyMs: 5, quota: quota)
        defer { system.shutdown() }
        let plan = EventPlan(
            runID: "qu", unique: 500, badPerKind: 4, duplicates: 50, customers: E2ESystem.customers, seed: 51)
        try await system.produce(plan)
        let expected = Int64(plan.events.count)
        let maxInFlight = 8
        let probeInterval = Duration.seconds(2)
        let configuration = try system.writeWorkerConfiguration(
            maxInFlight: maxInFlight, extra: ["retry": ["quotaProbeInterval": "2s"]])
        let worker = try system.startWorker(configuration: configuration)

        // The pause starts with the first quota answer: the last moment the counter was seen at 0 is before it.
        var lastSeenUnspent = clock.now
        try await system.waitUntil(
            "the quota to run out", timeout: .seconds(90), interval: .milliseconds(100), worker: worker
        ) {
            let now = clock.now
            guard (try await system.simulator.counters()["quotaExceeded"] ?? 0) > 0 else {
                lastSeenUnspent = now
                return false
            }
            return true
        }
        try await Task.sleep(for: .seconds(8))
        let outcomesAtReset = try await system.outcomeCount()
        let atReset = try await system.simulator.counters()
        try await system.simulator.resetQuota()
        let resetAt = clock.now
        #expect(outcomesAtReset < expected, "the run had finished before the quota was reset")

        try await system.waitUntilFinished(expected: expected, timeout: .seconds(90), worker: worker)
        #expect(system.workers.count == 1)
        let exit = try #require(
            try await worker.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
        #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")

        let final = try await system.simulator.counters()
        let quotaAnswers = final["quotaExceeded"] ?? 0
        let pause = resetAt - lastSeenUnspent
        let pauseSeconds = Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18
        let quotaBound = Int(pauseSeconds / Double(probeInterval.components.seconds)) + maxInFlight + 2
        #expect(
            quotaAnswers <= quotaBound,
            "\(quotaAnswers) calls answered `quota spent` during a \(pauseSeconds) s pause, bound \(quotaBound)")
        #expect((atReset["quotaUsed"] ?? 0) == quota, "quota used at the reset: \(atReset["quotaUsed"] ?? -1)")

        let lines = WorkerLogLine.parse(worker.stderr())
        let quotaWarnings = lines.filter { $0.level == "warning" && $0.raw.lowercased().contains("quota") }
        #expect(quotaWarnings.count == 1, PipelineEndToEndTests.comment("quota warnings", quotaWarnings.map(\.raw)))

        let contents = try await system.readTopics()
        let audit = FaultRunAudit(plan: plan, contents: contents, contacts: try await system.simulator.contacts())
        #expect(audit.issues.isEmpty, PipelineEndToEndTests.comment("spent quota problems", audit.issues))
        #expect(audit.validDeadLetters == 0, "\(audit.validDeadLetters) valid events were dead-lettered")
        let uncommitted = try await system.snapshot().uncommitted(E2ESystem.inputTopic)
        #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

        print(
            FaultTable.line(
                name: "quota spent", events: plan.events.count,
                faults: "quota \(quota)/day spent, paused \(String(format: "%.1f", pauseSeconds)) s until reset: "
                    + "\(quotaAnswers) quota answers (bound \(quotaBound))",
                audit: audit, seconds: PipelineEndToEndTests.seconds(clock.now - start)))
    }
}
