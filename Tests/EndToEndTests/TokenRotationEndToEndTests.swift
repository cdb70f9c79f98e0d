import Foundation
import Testing

extension PipelineEndToEndTests {
    /// Issue 10, item 3: the token given by file rotates without a restart. Mid-run the simulator's account gets a
    /// new token (the old one refused from then on: a systemic pause, `/ready` 503 naming it); then the secret file is
    /// rewritten, as a secret store rotates it; the same worker process resumes by itself.
    @Suite("Token rotation")
    struct TokenRotationEndToEndTests {
        static let oldToken = "rot-OLD-SECRET-4b1e7d"
        static let newToken = "rot-NEW-SECRET-9c2d5a"

        @Test(.timeLimit(.minutes(4)))
        func rotatedSecretFileResumesTheSameWorker() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let system = try await E2ESystem(name: "token-rotation", token: Self.oldToken, simulatorLatencyMs: 5)
            defer { system.shutdown() }
            let plan = EventPlan(
                runID: "tr", unique: 1_200, badPerKind: 0, duplicates: 120, customers: E2ESystem.customers, seed: 23)
            try await system.produce(plan)
            let expected = Int64(plan.events.count)
            let tokenFile = system.directory.appendingPathComponent("komet-token")
            try Data("\(Self.oldToken)\n".utf8).write(to: tokenFile)
            let configuration = try system.writeWorkerConfiguration(
                maxInFlight: 8,
                extra: ["komet": ["tokenFile": tokenFile.path], "retry": ["systemicProbeInterval": "1s"]])
            // No KOMET_TOKEN: the worker reads the file.
            let worker = try system.startWorker(configuration: configuration, tokenInEnvironment: false)
            let pid = worker.pid
            let http = try await WorkerHTTP.of(worker)
            try await system.waitUntil(
                "20% of the outcomes", timeout: .seconds(90), interval: .milliseconds(200), worker: worker
            ) {
                try await system.outcomeCount() * 5 >= expected
            }
            #expect(worker.stderr().contains("the Komet token comes from komet.tokenFile"))

            // The account's token changes: the worker's is refused, calls and consumption pause.
            try await system.simulator.rotateToken(to: Self.newToken)
            try await system.waitUntil(
                "/ready 503 for the systemic pause", timeout: .seconds(30), interval: .milliseconds(100),
                worker: worker
            ) {
                let (status, body) = try await http.ready()
                return status == 503 && body.contains("Komet refuses our calls")
            }
            // Held a few probe intervals: the worker stays paused while the file still holds the old token.
            try await Task.sleep(for: .seconds(4))
            let (pausedStatus, pausedBody) = try await http.ready()
            #expect(pausedStatus == 503, "/ready while the file holds the refused token: \(pausedStatus) \(pausedBody)")
            let outcomesWhilePaused = try await system.outcomeCount()
            #expect(outcomesWhilePaused < expected, "the run finished before the token was rotated")
            let refusedBefore = try await system.simulator.counters()["authFailures", default: 0]
            #expect(refusedBefore > 0)

            // The secret file is rewritten (written aside and renamed over, as secret stores do).
            try Data("\(Self.newToken)\n".utf8).write(to: tokenFile, options: .atomic)
            let rotatedAt = clock.now
            try await system.waitUntil(
                "/ready 200 after the rotation", timeout: .seconds(30), interval: .milliseconds(100), worker: worker
            ) {
                try await http.ready().status == 200
            }
            let resumedAfter = clock.now - rotatedAt
            try await system.waitUntilFinished(expected: expected, timeout: .seconds(120), worker: worker)
            #expect(worker.isRunning && worker.pid == pid, "the worker process changed")
            #expect(system.workers.count == 1, "a second worker was started")
            let refusedAfter = try await system.simulator.counters()["authFailures", default: 0]
            let exit = try #require(
                try await worker.terminate(timeout: .seconds(30)), "the worker did not exit within 30 s of SIGTERM")
            #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")

            let lines = WorkerLogLine.parse(worker.stderr())
            #expect(
                lines.contains {
                    $0.level == "notice" && $0.message.contains("the Komet token file holds a new token")
                },
                "no notice that the new token is used")
            #expect(lines.contains { $0.level == "notice" && $0.message.contains("Komet calls resume") })
            let errors = lines.filter(\.isErrorOrWorse)
            #expect(
                errors.count == 1 && errors[0].message.contains("Komet refuses our calls"),
                PipelineEndToEndTests.comment("error-level lines", errors.map(\.raw)))

            let contents = try await system.readTopics()
            let contacts = try await system.simulator.contacts()
            let audit = FaultRunAudit(plan: plan, contents: contents, contacts: contacts)
            #expect(audit.issues.isEmpty, PipelineEndToEndTests.comment("token rotation problems", audit.issues))
            #expect(contents.deadLetters.isEmpty, "\(contents.deadLetters.count) dead letters")
            #expect(contents.success.count == plan.events.count)
            #expect(
                contacts.count == plan.validKeys.count, "\(contacts.count) contacts for \(plan.validKeys.count) keys")
            let uncommitted = try await system.snapshot().uncommitted(E2ESystem.inputTopic)
            #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

            // Neither token, nor a piece of either, in any log line or record.
            let scan = try await TokenScan.run(
                system, fragments: [Self.newToken, "OLD-SECRET", "NEW-SECRET", "4b1e7d", "9c2d5a"])
            #expect(scan.hits.isEmpty, PipelineEndToEndTests.comment("token found", scan.hits))

            print(
                FaultTable.line(
                    name: "token rotation", events: plan.events.count,
                    faults: "token rotated mid-run: \(refusedAfter) refused calls, resumed "
                        + "\(PipelineEndToEndTests.seconds(resumedAfter)) s after the file was rewritten, same process",
                    audit: audit, seconds: PipelineEndToEndTests.seconds(clock.now - start)))
        }
    }
}
