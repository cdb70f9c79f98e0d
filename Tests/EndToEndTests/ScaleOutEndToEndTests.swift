import Foundation
import Testing

extension PipelineEndToEndTests {
    /// Issue 8's scale-out run: replicas of one consumer group on one PostgreSQL store, 12 input partitions, 2,400
    /// distinct keys and then waves of re-sends, while one replica is killed (`kill -9`) and replaced, a 4th is added
    /// and one is stopped with SIGTERM. Komet answers 503 to 30% of the calls (the retries span the rebalances and are
    /// never exhausted) and holds 3% of the adds past the worker's request timeout (late answers: the contact is
    /// created after the client gave up). Afterwards the simulator holds no duplicate contact, every input has exactly
    /// one outcome, and every offset is committed. Nested in the serialized pipeline suite, like the fault runs.
    @Suite("Scale-out")
    struct ScaleOutEndToEndTests {
        static let token = PipelineEndToEndTests.token

        /// One thing the test did during the run, and the outcome records there were at that moment.
        struct Step: CustomStringConvertible {
            var what: String
            var outcomes: Int64
            var description: String { "\(what) at \(outcomes)" }
        }

        @Test(.timeLimit(.minutes(6)))
        func replicasOnOnePostgresCreateEachContactOnce() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            // 150 ms per call and 4 events in flight per replica keep the run going while replicas come and go.
            let system = try await E2ESystem(
                name: "scale-out", token: Self.token, simulatorLatencyMs: 150, partitions: 12)
            defer { system.shutdown() }
            // Late adds are held 3 s, past the worker's 2 s request timeout: the client gives up, then the contact is
            // created.
            try await system.simulator.setFaults(#"{"serverErrorRate": 0.3, "lateRate": 0.03, "lateDelayMs": 3000}"#)

            var plan = EventPlan(
                runID: "so", unique: 2_435, badPerKind: 5, duplicates: 0, customers: E2ESystem.customers, seed: 81)
            let originals = plan.events
            let resends = plan.appendResends(count: 600, seed: 82)
            let waves = stride(from: 0, to: resends.count, by: 200).map {
                Array(resends[$0..<min($0 + 200, resends.count)])
            }
            #expect(plan.validKeys.count == 2_400 && resends.count == 600 && waves.count == 3)
            #expect(plan.events.count >= 3_000)
            let expected = Int64(plan.events.count)
            func outcomes(_ fraction: Double) -> Int64 { Int64(Double(expected) * fraction) }

            let settings: WorkerSettings.Sections = [
                "komet": ["requestTimeout": "2s"],
                // Retries span the rebalances and are never exhausted. 30% of 503s are a flaky Komet, not an outage:
                // 10 failures in a row (0.3^10) do not happen in this run, so the call gate does not pause.
                "retry": [
                    "maxAttempts": 200, "maxElapsed": "30m", "baseDelay": "100ms", "maxDelay": "1s",
                    "outageThreshold": 10,
                ],
            ]
            let replicas = try await ReplicaSet(
                system: system, maxInFlight: 4, extra: WorkerSettings.merged(settings, WorkerSettings.fencedClaims))
            try await system.produce(originals)

            var steps: [Step] = []
            let first = try replicas.start(count: 3)
            try await replicas.waitForOutcomes(outcomes(0.10))
            try await system.produce(waves[0])
            steps.append(Step(what: "re-send wave 1 (\(waves[0].count))", outcomes: try await system.outcomeCount()))

            try await replicas.waitForOutcomes(outcomes(0.20))
            replicas.kill(first[1])
            #expect(first[1].process.terminationReason == .uncaughtSignal, "\(first[1].name) was not killed")
            let replacement = try replicas.start()[0]
            steps.append(
                Step(
                    what: "kill -9 \(first[1].name), \(replacement.name) started",
                    outcomes: try await system.outcomeCount()))

            try await replicas.waitForOutcomes(outcomes(0.35))
            try await system.produce(waves[1])
            let fourth = try replicas.start()[0]
            steps.append(
                Step(
                    what: "re-send wave 2 (\(waves[1].count)), \(fourth.name) added",
                    outcomes: try await system.outcomeCount()))

            try await replicas.waitForOutcomes(outcomes(0.50))
            let sigtermAt = try await system.outcomeCount()
            let stopped = try await replicas.terminate(first[0])
            #expect(
                stopped.reason == .exit && stopped.status == 0,
                "\(first[0].name) exit after SIGTERM: \(stopped.reason) \(stopped.status)")
            steps.append(
                Step(
                    what: "SIGTERM \(first[0].name) (exit \(stopped.status) after "
                        + "\(PipelineEndToEndTests.seconds(stopped.took)) s)", outcomes: sigtermAt))

            try await replicas.waitForOutcomes(outcomes(0.60))
            try await system.produce(waves[2])
            steps.append(Step(what: "re-send wave 3 (\(waves[2].count))", outcomes: try await system.outcomeCount()))

            try await replicas.waitUntilFinished(expected: expected, timeout: .seconds(150))
            // Every late add has landed: a duplicate it makes is in the contacts read below.
            try await system.simulator.waitForHeldAdds()
            let exits = try await replicas.terminateAll()
            let failedExits = exits.filter { !$0.exitedZero }.map { "\($0.name): \($0.status)" }
            #expect(failedExits.isEmpty, "replicas that did not exit 0 after SIGTERM: \(failedExits)")

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
            #expect(audit.inputPartitions == 12)
            #expect(
                audit.outcomes.validDeadLetters == 0, "\(audit.outcomes.validDeadLetters) valid events dead-lettered")
            #expect(
                audit.outcomes.issues.isEmpty,
                PipelineEndToEndTests.comment("scale-out run problems", audit.outcomes.issues))
            // The faults happened.
            let serverErrors = audit.stats["serverErrors", default: 0]
            let late = audit.stats["late", default: 0]
            #expect(serverErrors > 0 && late > 0, "faults drawn: \(serverErrors) x 503, \(late) late")

            let seconds = PipelineEndToEndTests.seconds(clock.now - start)
            print("e2e scale-out: steps (outcome records): \(steps.map(\.description).joined(separator: "; "))")
            print("e2e scale-out: replicas: \(replicas.logSummary())")
            print(
                "e2e scale-out: \(plan.events.count) events, \(audit.summary); simulator \(audit.stats); \(seconds) s")
            print(
                FaultTable.line(
                    name: "scale-out (PostgreSQL, 12 partitions)", events: plan.events.count,
                    faults: "3 replicas, kill -9 + replacement, a 4th added, 1 SIGTERM; 3 re-send waves of 200; "
                        + "503 x \(serverErrors) (rate 0.3), late x \(late) (rate 0.03, 3 s > 2 s timeout)",
                    audit: audit, seconds: seconds))
        }
    }
}
