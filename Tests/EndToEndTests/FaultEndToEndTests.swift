import Foundation
import SyncTestSupport
import Testing

extension PipelineEndToEndTests {
    /// Fault runs: worker crashes, a broker outage, a Komet outage, a revoked token and a spent quota. Nested in the
    /// serialized pipeline suite so that no two end-to-end runs share the machine's two cores.
    /// Each test prints a `fault-table | ...` line (see `FaultTable`).
    @Suite("Faults")
    struct FaultEndToEndTests {
        static let token = PipelineEndToEndTests.token
        /// Distinctive pieces of the token that must not appear either.
        static let tokenFragments = ["SECRET-7f3a", "7f3a9c"]

        @Test(.timeLimit(.minutes(5)))
        func crashesLoseAndDuplicateNothing() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let system = try await E2ESystem(name: "crash", token: Self.token, simulatorLatencyMs: 5)
            defer { system.shutdown() }
            try await system.simulator.setFaults(#"{"serverErrorRate": 0.05, "ambiguousRate": 0.02}"#)
            let plan = EventPlan(
                runID: "cr", unique: 4_560, badPerKind: 20, duplicates: 440, customers: E2ESystem.customers, seed: 11)
            #expect(plan.events.count >= 5_000)
            try await system.produce(plan)
            let expected = Int64(plan.events.count)
            let configuration = try system.writeWorkerConfiguration(
                maxInFlight: 16, extra: ["retry": ["baseDelay": "100ms", "maxDelay": "1s"]])

            // Ten kill points, one at a seeded-random place in each tenth of 5%...90% of the outcomes.
            var random = SeededGenerator(seed: 99)
            let killCount = 10
            let thresholds: [Int64] = (0..<killCount).map { index in
                let width = 0.85 / Double(killCount)
                let fraction = 0.05 + width * (Double(index) + Double.random(in: 0..<1, using: &random))
                return Int64(fraction * Double(expected))
            }

            var worker = try system.startWorker(configuration: configuration, name: "worker-0")
            var killedAt: [Int64] = []
            for (index, threshold) in thresholds.enumerated() {
                // Each killed worker must have done some work of its own, so every kill lands mid-processing.
                let target = max(threshold, try await system.outcomeCount() + 20)
                try await system.waitUntil(
                    "\(target) outcomes before kill \(index + 1)", timeout: .seconds(90),
                    interval: .milliseconds(100), worker: worker
                ) {
                    try await system.outcomeCount() >= target
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0..<200, using: &random)))
                worker.kill()
                killedAt.append(try await system.outcomeCount())
                #expect(worker.process.terminationReason == .uncaughtSignal, "\(worker.name) was not killed")
                worker = try system.startWorker(configuration: configuration, name: "worker-\(index + 1)")
            }
            try await system.waitUntilFinished(expected: expected, timeout: .seconds(150), worker: worker)
            let exit = try #require(
                try await worker.terminate(timeout: .seconds(30)), "the last worker did not exit within 30 s of SIGTERM"
            )
            #expect(exit.reason == .exit && exit.status == 0, "last worker exit: \(exit.reason) \(exit.status)")
            #expect(killedAt.count == killCount)
            #expect(killedAt.last.map { $0 < expected } ?? false, "the last kill came after the run had finished")

            let contents = try await system.readTopics()
            let audit = FaultRunAudit(
                plan: plan, contents: contents, contacts: try await system.simulator.contacts())
            #expect(audit.issues.isEmpty, PipelineEndToEndTests.comment("crash run problems", audit.issues))
            let uncommitted = try await system.snapshot().uncommitted(E2ESystem.inputTopic)
            #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

            let scan = try await TokenScan.run(system, fragments: Self.tokenFragments)
            #expect(scan.hits.isEmpty, PipelineEndToEndTests.comment("token hits", scan.hits))
            #expect(scan.places == (killCount + 1) * 2 + 3)

            let stats = try await system.simulator.counters()
            // How the restarts recovered (from every worker's log): claims left pending by a kill, and outcomes whose
            // delivery was unknown, resolved by reading the outcome partition back.
            let logs = system.workers.map { $0.stderr() }.joined(separator: "\n").split(separator: "\n")
            let pendingClaims = logs.count { $0.contains("earlier attempt has an unknown outcome") }
            let resolved = logs.filter { $0.contains("resolved an outcome of unknown delivery") }
            let resolvedFound = resolved.count { $0.contains(#""outcome.found":"true""#) }
            // Personal data stays out of the logs (log.personalData is off): every email of the plan ends in
            // @example.com, so no line may contain it.
            let emailLines = logs.filter { $0.contains("@example.com") }
            #expect(emailLines.isEmpty, "log lines with an email: \(emailLines.prefix(3))")
            print(
                "e2e crash: kills at outcome counts \(killedAt); pending claims met after restarts: \(pendingClaims); "
                    + "outcomes of unknown delivery: \(resolved.count) (\(resolvedFound) found in Kafka, "
                    + "\(resolved.count - resolvedFound) published again); token scan: \(scan.bytes) bytes in "
                    + "\(scan.places) places")
            print(
                FaultTable.line(
                    name: "crash (kill -9)", events: plan.events.count,
                    faults: "\(killedAt.count) x kill -9, 503 x \(stats["serverErrors"] ?? -1) (rate 0.05), "
                        + "ambiguous x \(stats["ambiguous"] ?? -1) (rate 0.02)",
                    audit: audit, seconds: PipelineEndToEndTests.seconds(clock.now - start)))
        }
    }
}
