import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension PipelineEndToEndTests {
    /// The SQLite file deleted while the worker runs: consumption stops and `/ready` fails; a restart refuses the
    /// empty store; `rebuild-store` rebuilds the keys from the success topic; re-sent events are then duplicates.
    @Suite("Lost store")
    struct LostStoreEndToEndTests {
        @Test(.timeLimit(.minutes(3)))
        func deletedStoreStopsRefusesAndRebuilds() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let system = try await E2ESystem(
                name: "lost-store", token: PipelineEndToEndTests.token, simulatorLatencyMs: 30)
            defer { system.shutdown() }
            let plan = EventPlan(
                runID: "ls", unique: 1_500, badPerKind: 0, duplicates: 0, customers: E2ESystem.customers, seed: 5)
            try await system.produce(plan)
            let expected = Int64(plan.events.count)
            let configuration = try system.writeWorkerConfiguration(maxInFlight: 4)
            let storePath = system.directory.appendingPathComponent("dedupe.sqlite").path

            // 1. Mid-run, the SQLite file is deleted.
            let first = try system.startWorker(configuration: configuration, name: "worker-0")
            try await system.waitUntil(
                "300 outcomes", timeout: .seconds(60), interval: .milliseconds(100), worker: first
            ) {
                try await system.outcomeCount() >= 300
            }
            try FileManager.default.removeItem(atPath: storePath)
            let deletedAt = clock.now
            let http = try await WorkerHTTP.of(first)
            try await system.waitUntil(
                "/ready fails with `store lost`", timeout: .seconds(10), interval: .milliseconds(100), worker: first
            ) {
                let (status, body) = try await http.ready()
                return status == 503 && body.hasPrefix("store lost")
            }
            let detected = clock.now - deletedAt
            try await system.waitUntil(
                "the consumer to stop", timeout: .seconds(30), interval: .milliseconds(100), worker: first
            ) {
                first.stderr().contains("komet-contact-sync stopped")
            }
            // JSON log lines (which escape `/`): the messages of error lines about the lost store.
            let errorLines = first.stderr().split(separator: "\n").compactMap { line -> String? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["level"] as? String == "error", let message = object["message"] as? String,
                    message.contains("store lost")
                else { return nil }
                return message
            }
            #expect(errorLines.count == 1, "store-lost error lines: \(errorLines)")
            #expect(errorLines.first.map { $0.contains(storePath) && $0.contains("rebuild-store") } ?? false)

            // Consumption has stopped: neither the committed offsets nor Komet's adds move any more.
            let stopped = try await system.snapshot()
            let addsAtStop = try await system.simulator.counters()["addCalls"] ?? -1
            #expect(stopped.committedCount(E2ESystem.inputTopic) < expected, "the run finished before the deletion")
            try await Task.sleep(for: .seconds(3))
            let later = try await system.snapshot()
            #expect(later.committed == stopped.committed, "committed offsets moved after the store was lost")
            #expect(try await system.simulator.counters()["addCalls"] == addsAtStop, "Komet adds after the loss")
            #expect(try await http.ready().status == 503)
            let firstExit = try #require(try await first.terminate(timeout: .seconds(30)))
            #expect(firstExit.reason == .exit && firstExit.status == 0, "worker-0 exit: \(firstExit.status)")
            let outcomesAtStop = try await system.outcomeCount()
            let successesAtStop = try await system.snapshot().recordCount(E2ESystem.successTopic)
            let contactsAtStop = try await system.simulator.counters()["contacts"] ?? -1

            // 2. A restart refuses the empty store (EX_CONFIG) and says what to do.
            let refused = try system.startWorker(configuration: configuration, name: "worker-refused")
            let refusal = try #require(
                try await Self.exit(of: refused, within: .seconds(60)), "the restart did not exit")
            #expect(refusal == 78, "restart on the empty store exited \(refusal)")
            #expect(refused.stderr().contains("rebuild-store --config"), "refusal: \(refused.stderrTail(3))")
            #expect(refused.stderr().contains("--accept-empty-store"))
            #expect(try await system.simulator.counters()["addCalls"] == addsAtStop)

            // 3. rebuild-store writes every key of the success topic as done.
            let rebuild = try await CommandRunner.run(
                try E2EEnvironment.binary("komet-contact-sync"), ["rebuild-store", "--config", configuration.path],
                timeout: .seconds(60), in: system.directory)
            let summary = String(decoding: rebuild.stdout, as: UTF8.self)
            #expect(rebuild.status == 0, "rebuild-store exited \(rebuild.status): \(rebuild.stderr)")
            #expect(summary.contains("read \(successesAtStop) records"), "rebuild summary: \(summary)")

            // 4. A restarted worker finishes the rest and answers every re-sent event `duplicate`.
            let resendFrom = try await system.snapshot().end[E2ESystem.inputTopic] ?? [:]
            try await system.produce(plan)
            let worker = try system.startWorker(configuration: configuration, name: "worker-1")
            try await system.waitUntilFinished(expected: 2 * expected, timeout: .seconds(90), worker: worker)
            let exit = try #require(try await worker.terminate(timeout: .seconds(30)))
            #expect(exit.reason == .exit && exit.status == 0, "worker-1 exit: \(exit.status)")

            let ledger = OutcomeLedger(try await system.readTopics())
            #expect(ledger.issues.isEmpty, PipelineEndToEndTests.comment("unmatched outcomes", ledger.issues))
            var resent = 0
            var problems: [String] = []
            for (position, outcomes) in ledger.outcomes {
                guard position.offset >= resendFrom[String(position.partition)] ?? 0 else { continue }
                resent += 1
                guard outcomes.count == 1, case .success(let success) = outcomes[0], success.status == "duplicate"
                else {
                    problems.append("re-sent \(position): \(outcomes.count) outcomes, not one duplicate")
                    continue
                }
            }
            #expect(resent == plan.events.count, "\(resent) re-sent inputs have outcomes")
            #expect(problems.isEmpty, PipelineEndToEndTests.comment("re-sent events", problems))
            let stats = try await system.simulator.counters()
            #expect(stats["contacts"] == plan.validKeys.count, "contacts \(stats["contacts"] ?? -1) != keys")
            let newContacts = (stats["contacts"] ?? 0) - contactsAtStop
            print(
                "e2e lost-store: \(plan.events.count) events, file deleted at \(outcomesAtStop) outcomes, detected in "
                    + "\(PipelineEndToEndTests.seconds(detected)) s; restart exit \(refusal); rebuild: "
                    + "\(summary.trimmingCharacters(in: .whitespacesAndNewlines)); after the rebuild \(newContacts) "
                    + "new contacts (the unprocessed rest), \(resent) re-sends all duplicate, duplicate contacts "
                    + "\((stats["contacts"] ?? 0) - plan.validKeys.count); run time "
                    + "\(PipelineEndToEndTests.seconds(clock.now - start)) s")
        }

        /// The exit status once the process has exited, or nil if it still runs after `bound`.
        static func exit(of process: ChildProcess, within bound: Duration) async throws -> Int32? {
            let deadline = ContinuousClock.now + bound
            while process.process.isRunning {
                if ContinuousClock.now > deadline { return nil }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.process.waitUntilExit()
            return process.process.terminationStatus
        }
    }
}
