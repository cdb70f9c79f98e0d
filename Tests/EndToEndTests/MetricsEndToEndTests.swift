import Foundation
import SyncTestSupport
import Testing

extension PipelineEndToEndTests {
    /// What an operator watches: `/metrics`, `/health` and `/ready` on a worker under faults.
    @Suite("Metrics and health")
    struct MetricsEndToEndTests {
        static let token = PipelineEndToEndTests.token

        /// A run with server errors, throttles, ambiguous answers and a revoked token: the scrape is valid exposition,
        /// its calls are the simulator's, its outcomes are the topics' records, and the lag ends at 0.
        @Test(.timeLimit(.minutes(4)))
        func aFaultedRunsMetricsAddUp() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let system = try await E2ESystem(name: "metrics", token: Self.token, simulatorLatencyMs: 3)
            defer { system.shutdown() }
            let plan = EventPlan(
                runID: "mx", unique: 700, badPerKind: 3, duplicates: 70, customers: E2ESystem.customers, seed: 61)
            let expected = Int64(plan.events.count)
            let configuration = try system.writeWorkerConfiguration(
                maxInFlight: 8,
                extra: ["retry": ["systemicProbeInterval": "1s", "baseDelay": "20ms", "maxDelay": "200ms"]])
            let worker = try system.startWorker(configuration: configuration)
            let http = try await WorkerHTTP.of(worker)

            // Before any event: every known outcome series is already there, at 0.
            let initial = try await http.metrics()
            let outcomeSeries = initial.values("komet_sync_outcomes_total")
            #expect(outcomeSeries.count == 33, "\(outcomeSeries.count) outcome series before the first outcome")
            #expect(outcomeSeries.allSatisfy { $0.value == 0 })
            #expect(try await http.health() == (200, "ok\n"))

            try await system.simulator.setFaults(
                #"{"serverErrorRate": 0.05, "throttleRate": 0.02, "throttleRetryAfterSeconds": 1, "ambiguousRate": 0.01}"#
            )
            try await system.produce(plan)
            try await system.waitUntil(
                "30% of the outcomes", timeout: .seconds(90), interval: .milliseconds(200), worker: worker
            ) {
                try await system.outcomeCount() * 10 >= expected * 3
            }

            // A revoked token: /ready names it, the pause gauge shows it, /health stays up.
            try await system.simulator.setFaults(#"{"rejectToken": true}"#)
            try await system.waitUntil(
                "/ready to name the systemic pause", timeout: .seconds(30), interval: .milliseconds(100),
                worker: worker
            ) {
                try await http.ready() == (503, "paused: Komet refuses our calls (token or permission)\n")
            }
            let paused = try await http.metrics()
            #expect(paused.sum("komet_sync_komet_paused", ["reason": "systemic"]) == 1)
            #expect(paused.sum("komet_sync_ready") == 0)
            #expect(try await http.health().status == 200, "a refused token is not a liveness failure")
            try await Task.sleep(for: .seconds(2))
            try await system.simulator.setFaults(#"{"rejectToken": false}"#)

            try await system.waitUntilFinished(expected: expected, timeout: .seconds(120), worker: worker)
            try await system.simulator.waitForHeldAdds()
            // Offsets are committed each second and sampled every 5 s: the lag reaches 0 within a few samples.
            var final = try await http.metrics()
            try await system.waitUntil(
                "the lag of every partition to reach 0", timeout: .seconds(30), interval: .milliseconds(500),
                worker: worker
            ) {
                final = try await http.metrics()
                let lags = final.values("komet_sync_consumer_lag")
                return lags.count == 4 && lags.allSatisfy { $0.value == 0 }
                    && final.sum("komet_sync_outcomes_total") == Double(expected)
                    && final.sum("komet_sync_quota_used") >= final.sum("komet_sync_komet_calls_total")
            }
            #expect(try await http.ready() == (200, "ready\n"))
            #expect(try await http.health() == (200, "ok\n"))

            // Valid exposition, by Prometheus' own checker.
            let scrapeFile = system.directory.appendingPathComponent("metrics.txt")
            try Data(final.text.utf8).write(to: scrapeFile)
            let check = try await CommandRunner.run(
                try E2EEnvironment.tool("promtool"), ["check", "metrics"], stdinFile: scrapeFile,
                in: system.directory)
            #expect(
                check.status == 0,
                "promtool check metrics: \(check.stderr)\(String(decoding: check.stdout, as: UTF8.self))")

            // Every metric name the alert rules and the dashboard use is in this live scrape; the manifests, the
            // compose file and the rules check too.
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let deployCheck = try await CommandRunner.run(
                repository.appendingPathComponent("scripts/check-deploy"), ["--scrape", scrapeFile.path],
                timeout: .seconds(120), in: system.directory)
            let deployOutput = String(decoding: deployCheck.stdout, as: UTF8.self)
            #expect(deployCheck.status == 0, "scripts/check-deploy --scrape: \(deployOutput)\(deployCheck.stderr)")
            #expect(deployOutput.contains("metric names of the alerts and the dashboard are in the scrape"))

            // Calls: the worker's count is the simulator's, method by method, and every call was timed.
            let stats = try await system.simulator.counters()
            let adds = final.sum("komet_sync_komet_calls_total", ["method": "customer.contact.add"])
            let lists = final.sum("komet_sync_komet_calls_total", ["method": "customer.contact.list"])
            #expect(Int(adds) == stats["addCalls"], "add calls: metrics \(adds), simulator \(stats["addCalls"] ?? -1)")
            #expect(
                Int(lists) == stats["listCalls"], "list calls: metrics \(lists), simulator \(stats["listCalls"] ?? -1)")
            #expect(final.sum("komet_sync_komet_call_duration_seconds_count") == adds + lists)
            #expect(final.sum("komet_sync_komet_calls_in_flight") == 0)
            let failedCalls =
                final.sum("komet_sync_komet_call_duration_seconds_count")
                - final.sum(
                    "komet_sync_komet_call_duration_seconds_count", ["result": "ok"])
            #expect(failedCalls > 0, "the faults made no failed call")
            #expect(final.sum("komet_sync_komet_retries_total") > 0, "no retry counted under faults")

            // Outcomes: each label's count is the number of records in the topics with that status or reason.
            let contents = try await system.readTopics()
            var recorded: [String: Int] = [:]
            for record in contents.success {
                let json = record.payload.flatMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                recorded["success/" + (json?["status"] as? String ?? "?"), default: 0] += 1
            }
            for record in contents.deadLetters {
                recorded["dead_letter/" + (record.header("komet-sync.reason") ?? "?"), default: 0] += 1
            }
            var scraped: [String: Int] = [:]
            for sample in final.values("komet_sync_outcomes_total") where sample.value > 0 {
                scraped["\(sample.labels["kind"] ?? "?")/\(sample.labels["outcome"] ?? "?")"] = Int(sample.value)
            }
            #expect(
                scraped == recorded,
                "outcomes: metrics \(scraped.sorted { $0.key < $1.key }), topics \(recorded.sorted { $0.key < $1.key })"
            )
            #expect(
                final.sum("komet_sync_quota_used") + final.sum("komet_sync_quota_remaining")
                    == final.sum("komet_sync_quota_limit"))
            #expect(final.sum("komet_sync_assigned_partitions") == 4)
            #expect(final.sum("komet_sync_store_round_trips_total") > 0)
            #expect(final.sum("process_resident_memory_bytes") > 1_000_000)
            #expect(final.values("komet_sync_build_info").count == 1)

            let exit = try #require(try await worker.terminate(timeout: .seconds(30)))
            #expect(exit.reason == .exit && exit.status == 0, "worker exit: \(exit.reason) \(exit.status)")
            print(
                "e2e metrics: \(plan.events.count) events, \(Int(adds)) adds and \(Int(lists)) look-ups, "
                    + "\(Int(failedCalls)) failed calls, \(scraped.count) outcome labels; "
                    + "run time \(PipelineEndToEndTests.seconds(clock.now - start)) s")
        }
    }
}
