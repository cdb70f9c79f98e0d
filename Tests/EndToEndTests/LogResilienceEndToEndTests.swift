import Foundation
import Testing

extension PipelineEndToEndTests {
    /// The reader of the worker's log goes away (a log collector that dies, a closed pipe): the worker goes on.
    @Suite("Logs that survive")
    struct LogResilienceEndToEndTests {
        static let token = PipelineEndToEndTests.token

        /// The worker logs at debug level into a pipe; halfway through the run the test closes the pipe's reading
        /// end. Every later write fails with EPIPE: the worker keeps processing, stays healthy, gives every event
        /// exactly one outcome, and still exits 0 on SIGTERM.
        @Test(.timeLimit(.minutes(3)))
        func aClosedStderrDoesNotStopTheWorker() async throws {
            let system = try await E2ESystem(name: "closed-stderr", token: Self.token, simulatorLatencyMs: 2)
            defer { system.shutdown() }
            let plan = EventPlan(
                runID: "cs", unique: 200, badPerKind: 2, duplicates: 20, customers: E2ESystem.customers, seed: 17)
            let half = plan.events.count / 2
            let configuration = try system.writeWorkerConfiguration(maxInFlight: 8, logLevel: "debug")
            let worker = try system.startWorker(configuration: configuration, stderrThroughPipe: true)
            let http = try await WorkerHTTP.of(worker)

            try await system.produce(Array(plan.events[..<half]))
            try await system.waitUntilFinished(expected: Int64(half), timeout: .seconds(60), worker: worker)
            try worker.closeStderrReader()
            let loggedBeforeClose = worker.stderr().utf8.count

            try await system.produce(Array(plan.events[half...]))
            try await system.waitUntilFinished(
                expected: Int64(plan.events.count), timeout: .seconds(60), worker: worker)
            #expect(worker.isRunning)
            #expect(try await http.health() == (200, "ok\n"))
            #expect(try await http.ready() == (200, "ready\n"))
            // The worker did write after the close (debug lines for every event): those writes went nowhere.
            #expect(worker.stderr().utf8.count == loggedBeforeClose)

            let exit = try #require(try await worker.terminate(timeout: .seconds(30)), "no exit after SIGTERM")
            #expect(exit.reason == .exit && exit.status == 0, "exit: \(exit.reason) \(exit.status)")
            let contents = try await system.readTopics()
            let audit = FaultRunAudit(plan: plan, contents: contents, contacts: try await system.simulator.contacts())
            #expect(audit.issues.isEmpty, PipelineEndToEndTests.comment("closed-stderr run problems", audit.issues))
            #expect(contents.success.count + contents.deadLetters.count == plan.events.count)
        }
    }
}
