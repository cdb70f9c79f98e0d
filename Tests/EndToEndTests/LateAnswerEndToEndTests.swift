import Foundation
import Testing

extension PipelineEndToEndTests {
    /// Late answers with one replica: Komet is sometimes slower than the worker's request timeout but still does the
    /// work (a latency spike: the add is processed, and the contact created, after the client gave up). The worker
    /// must not take "no answer in time" for "not created": afterwards the simulator holds no duplicate contact and
    /// every input has exactly one outcome. Nested in the serialized pipeline suite, like the fault runs.
    @Suite("Late answers")
    struct LateAnswerEndToEndTests {
        static let token = PipelineEndToEndTests.token

        @Test(.timeLimit(.minutes(4)))
        func latencySpikesPastTheTimeoutCreateNoDuplicates() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let system = try await E2ESystem(name: "late-answers", token: Self.token, simulatorLatencyMs: 5)
            defer { system.shutdown() }
            // 5% of the calls (adds and lists) take 2.5-3.5 s more: past the worker's 2 s request timeout.
            try await system.simulator.setFaults(#"{"spikeRate": 0.05, "spikeMinMs": 2500, "spikeMaxMs": 3500}"#)
            let plan = EventPlan(
                runID: "la", unique: 1_385, badPerKind: 5, duplicates: 115, customers: E2ESystem.customers, seed: 61)
            #expect(plan.events.count == 1_500)
            try await system.produce(plan)
            let expected = Int64(plan.events.count)

            let settings: WorkerSettings.Sections = [
                "komet": ["requestTimeout": "2s"],
                // Nothing is exhausted: a spiked call is answered late, not refused.
                "retry": ["maxAttempts": 50, "maxElapsed": "10m", "baseDelay": "100ms", "maxDelay": "1s"],
            ]
            let worker = try system.startWorker(
                configuration: try system.writeWorkerConfiguration(
                    maxInFlight: 16, extra: WorkerSettings.merged(settings, WorkerSettings.fencedClaims)))
            try await system.waitUntilFinished(expected: expected, timeout: .seconds(150), worker: worker)
            // Every spiked add has landed: a duplicate it makes is in the contacts read below.
            try await system.simulator.waitForHeldAdds()
            let exit = try #require(
                try await worker.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
            #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")

            let audit = try await ReplicaRunAudit.collect(system: system, plan: plan)
            #expect(
                audit.duplicateContacts == 0,
                PipelineEndToEndTests.comment(
                    "duplicate contacts (\(audit.duplicateContacts) in all; groups)", audit.duplicateExamples))
            #expect(
                audit.inputsWithoutOneOutcome == 0,
                Comment(
                    rawValue: "\(audit.inputsWithoutOutcome) inputs without an outcome, "
                        + "\(audit.inputsWithSeveralOutcomes) with several"))
            #expect(audit.uncommitted.isEmpty, "committed != end offsets: \(audit.uncommittedText)")
            #expect(
                audit.outcomes.issues.isEmpty,
                PipelineEndToEndTests.comment("late-answer run problems", audit.outcomes.issues))
            let spikes = audit.stats["spikes", default: 0]
            #expect(spikes > 0, "no latency spike was drawn")

            let seconds = PipelineEndToEndTests.seconds(clock.now - start)
            print(
                "e2e late answers: \(plan.events.count) events, \(spikes) spikes of 2.5-3.5 s over a 2 s timeout; "
                    + "\(audit.summary); simulator \(audit.stats); \(seconds) s")
            print(
                FaultTable.line(
                    name: "late answers (1 replica)", events: plan.events.count,
                    faults: "spikes x \(spikes) (rate 0.05, 2.5-3.5 s > 2 s timeout)", audit: audit, seconds: seconds))
        }
    }
}
