import Foundation
import SyncTestSupport
import Testing

extension PipelineEndToEndTests {
    /// One call budget for all replicas: three workers on one PostgreSQL store share `komet.dailyQuota` 500 with a
    /// test-short `komet.quotaPeriod`, so the reset comes within the test.
    @Suite("Budget")
    struct BudgetEndToEndTests {
        static let budget = 500
        static let period = 30
        static let events = 800

        @Test(.timeLimit(.minutes(3)))
        func replicasShareOneBudget() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            // The simulator's own quota is larger than the run, so only the workers' budget holds calls back.
            let system = try await E2ESystem(
                name: "budget", token: PipelineEndToEndTests.token, simulatorLatencyMs: 5, quota: 100_000)
            defer { system.shutdown() }
            let plan = EventPlan(
                runID: "bu", unique: Self.events, badPerKind: 0, duplicates: 0, customers: E2ESystem.customers,
                seed: 61)
            #expect(plan.events.count == Self.events)
            try await system.produce(plan)

            let postgres = try await TestPostgres.shared()
            let database = try await postgres.createDatabase()
            let configuration = try system.writeWorkerConfiguration(
                maxInFlight: 16,
                extra: [
                    "komet": ["dailyQuota": "\(Self.budget)", "quotaPeriod": "\(Self.period)s"],
                    "dedupe": ["backend": "postgres"],
                    "postgres": [
                        "host": postgres.host, "port": "\(postgres.port)", "database": database,
                        "user": postgres.user, "tls": "disable",
                    ],
                ])
            // Start early in a window, so the budget is spent well before its reset (a wait of at most a few seconds).
            let schedule = BudgetWindows(period: .seconds(Self.period))
            while schedule.window(containing: Date()).end.timeIntervalSinceNow < Double(Self.period) - 5 {
                try await Task.sleep(for: .milliseconds(100))
            }
            let firstWindow = schedule.window(containing: Date())
            let workers = try (0..<3).map { index in
                try system.startWorker(
                    configuration: configuration, name: "worker-\(index)",
                    environment: ["PGPASSWORD": postgres.password])
            }

            // Until the first reset, the simulator must never see more calls than the budget.
            var maxBeforeReset = 0
            var createdBeforeReset = 0
            var readings = 0
            while Date() < firstWindow.end.addingTimeInterval(-0.5) {
                let counters = try await system.simulator.counters()
                let calls = (counters["addCalls"] ?? 0) + (counters["listCalls"] ?? 0)
                if Date() < firstWindow.end.addingTimeInterval(-0.3) {
                    maxBeforeReset = max(maxBeforeReset, calls)
                    createdBeforeReset = max(createdBeforeReset, counters["created"] ?? 0)
                    readings += 1
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(readings > 10)
            #expect(
                maxBeforeReset <= Self.budget,
                "the simulator saw \(maxBeforeReset) calls before the reset; the budget is \(Self.budget)")
            // The budget was spent before the reset (a unit whose admission found its key already claimed makes no
            // call, hence the margin), so calls did wait for it.
            #expect(maxBeforeReset >= Self.budget * 9 / 10, "only \(maxBeforeReset) calls before the reset")
            // Read with the calls, from the simulator: reading the topics takes long enough on a loaded machine for the
            // reset to come and the rest of the run to finish meanwhile.
            #expect(createdBeforeReset < Self.events, "the run finished before the reset")

            try await system.waitUntilFinished(expected: Int64(Self.events), timeout: .seconds(90), worker: workers[0])
            for worker in workers {
                let exit = try #require(
                    try await worker.terminate(timeout: .seconds(30)), "\(worker.name) did not exit after SIGTERM")
                #expect(exit.reason == .exit && exit.status == 0, "\(worker.name) exit: \(exit.reason) \(exit.status)")
            }

            let counters = try await system.simulator.counters()
            let calls = (counters["addCalls"] ?? 0) + (counters["listCalls"] ?? 0)
            let contents = try await system.readTopics()
            let audit = FaultRunAudit(plan: plan, contents: contents, contacts: try await system.simulator.contacts())
            #expect(audit.issues.isEmpty, PipelineEndToEndTests.comment("budget run problems", audit.issues))
            #expect(audit.deadLetters == 0, "\(audit.deadLetters) events were dead-lettered")
            #expect(audit.created + audit.reconciled == Self.events)
            #expect(audit.extraContacts == 0)
            #expect(calls >= Self.events, "\(calls) calls for \(Self.events) contacts")
            let uncommitted = try await system.snapshot().uncommitted(E2ESystem.inputTopic)
            #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

            // The logs say when the budget was spent and when it came back.
            let lines = workers.flatMap { WorkerLogLine.parse($0.stderr()) }
            let spent = lines.filter { $0.message.hasPrefix("Komet call budget spent") }
            let resumed = lines.filter { $0.message.hasPrefix("Komet call budget reset") }
            #expect(!spent.isEmpty && spent.count <= workers.count, "budget spent lines: \(spent.count)")
            #expect(!resumed.isEmpty && resumed.count <= workers.count, "budget reset lines: \(resumed.count)")
            #expect(spent.allSatisfy { $0.raw.contains(#""komet.budget.limit":\#(Self.budget)"#) })

            print(
                "e2e budget: \(Self.events) events, 3 workers on PostgreSQL, budget \(Self.budget) per "
                    + "\(Self.period) s window: \(maxBeforeReset) calls before the reset, \(calls) in all, "
                    + "\(audit.created) created, \(audit.deadLetters) dead letters, "
                    + "\(PipelineEndToEndTests.seconds(clock.now - start)) s")
        }
    }
}

/// The workers' budget windows (anchored at 00:00 UTC, advancing by the period), computed here the way the worker
/// does, so the test knows when the reset comes.
private struct BudgetWindows {
    var period: Duration

    func window(containing date: Date) -> (start: Date, end: Date) {
        let seconds = Double(period.components.seconds)
        let midnight = Calendar(identifier: .gregorian).startOfDay(for: date, in: .gmt)
        let index = (date.timeIntervalSince(midnight) / seconds).rounded(.down)
        let start = midnight.addingTimeInterval(index * seconds)
        return (start, start.addingTimeInterval(seconds))
    }
}

extension Calendar {
    fileprivate func startOfDay(for date: Date, in zone: TimeZone) -> Date {
        var calendar = self
        calendar.timeZone = zone
        return calendar.startOfDay(for: date)
    }
}
