import Foundation
import SyncTestSupport
import Testing

extension PipelineEndToEndTests {
    /// SIGTERM early in a worker's life, while the consumer group is still joining. librdkafka 2.0.2 (Debian
    /// bookworm's) aborts in `rd_kafka_destroy` when a cooperative-sticky member is destroyed after a JoinGroup answer
    /// and before its first assignment (`rd_kafka_sticky_assignor_state_destroy: Assertion 'assignor_state' failed`,
    /// librdkafka #4312). Nested in the serialized pipeline suite, like the fault runs.
    @Suite("Shutdown")
    struct ShutdownEndToEndTests {
        static let token = PipelineEndToEndTests.token

        /// One worker of the SIGTERM schedule: when it starts (from the schedule's start), and how long after its own
        /// start it gets its SIGTERM.
        struct PlannedStop {
            var name: String
            var startAt: Duration
            var sigtermAfter: Duration
        }

        /// How one stopped worker ended.
        struct Stop: CustomStringConvertible {
            var planned: PlannedStop
            var worker: ChildProcess
            var reason: Process.TerminationReason
            var status: Int32
            /// From the SIGTERM to the exit.
            var took: Duration

            var exitedZero: Bool { reason == .exit && status == 0 }
            var description: String {
                "\(planned.name) (SIGTERM \(PipelineEndToEndTests.seconds(planned.sigtermAfter)) s after start): "
                    + "\(reason == .exit ? "exit" : "signal") \(status) after \(PipelineEndToEndTests.seconds(took)) s"
            }
        }

        /// `count` workers, started `0.2 ..< 1.2 s` apart (so that several are alive and joining at once), each sent
        /// a SIGTERM at a seeded-random moment in its first `0.05 ..< 3 s`. The first 50 ms are left out: they are
        /// exec and dynamic loading (about 15 ms here), before any code of the worker runs, when a signal's default
        /// action ends any program; `sigtermDuringStartUpExitsZero` covers the start-up after that.
        static func schedule(prefix: String, count: Int, random: inout SeededGenerator) -> [PlannedStop] {
            var startAt = Duration.zero
            return (0..<count).map { index in
                if index > 0 { startAt += .milliseconds(Int.random(in: 200..<1_200, using: &random)) }
                return PlannedStop(
                    name: "\(prefix)-\(index)", startAt: startAt,
                    sigtermAfter: .milliseconds(Int.random(in: 50..<3_000, using: &random)))
            }
        }

        /// A SIGTERM while the worker is still starting up, before the service group traps signals, exits 0 at once:
        /// nothing has started, so nothing needs draining. To hold the worker in its start-up, another process keeps
        /// its SQLite file locked, and opening the store waits (the store's busy timeout is 5 s).
        @Test(.timeLimit(.minutes(1)))
        func sigtermDuringStartUpExitsZero() async throws {
            let system = try await E2ESystem(name: "sigterm-start-up", token: Self.token)
            defer { system.shutdown() }
            let configuration = try system.writeWorkerConfiguration(maxInFlight: 2)
            let database = system.directory.appendingPathComponent("dedupe.sqlite")
            let lock = try ChildProcess(
                name: "sqlite-lock", executable: system.offsets.python,
                arguments: [
                    "-c",
                    "import sqlite3, sys, time\n"
                        + "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                        + "c.execute('BEGIN EXCLUSIVE')\n"
                        + "print('locked', flush=True)\n"
                        + "time.sleep(60)\n",
                    database.path,
                ],
                in: system.directory)
            defer { lock.kill() }
            #expect(try await lock.firstStdoutLine() == "locked")

            let worker = try system.startWorker(configuration: configuration, name: "starting")
            // Long past exec and loading: the worker waits for the lock, in the middle of its start-up.
            try await Task.sleep(for: .seconds(1))
            #expect(worker.isRunning, "the worker exited before its SIGTERM: \(worker.stderrTail())")
            let exit = try #require(
                try await worker.terminate(timeout: .seconds(10)), "the starting worker ignored SIGTERM for 10 s")
            #expect(exit.reason == .exit && exit.status == 0, "starting worker exit: \(exit.reason) \(exit.status)")
            #expect(worker.stderr().contains("stop signal before start-up finished"), "\(worker.stderrTail())")
            print(
                "e2e sigterm-start-up: SIGTERM 1 s into the start-up: \(exit.reason == .exit ? "exit" : "signal") "
                    + "\(exit.status) after \(PipelineEndToEndTests.seconds(exit.took)) s")
        }

        /// SIGTERMs at random moments in the first seconds of 24 workers' lives: 12 joining a group that has no
        /// stable member (every join is a first one), then 12 joining while one worker is stable and processing.
        /// Every exit code is 0, and once a last worker has finished the run, every input has exactly one outcome and
        /// every offset is committed. `E2E_SIGTERM_SEED` replays a schedule, `E2E_SIGTERM_COUNT` sets the workers per
        /// phase.
        @Test(.timeLimit(.minutes(3)))
        func sigtermDuringJoinsExitsZero() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let environment = ProcessInfo.processInfo.environment
            let seed = environment["E2E_SIGTERM_SEED"].flatMap { UInt64($0) } ?? 4_312
            let perPhase = environment["E2E_SIGTERM_COUNT"].flatMap { Int($0) } ?? 12
            var random = SeededGenerator(seed: seed)

            let system = try await E2ESystem(name: "sigterm-joins", token: Self.token, simulatorLatencyMs: 20)
            defer { system.shutdown() }
            let plan = EventPlan(
                runID: "sj", unique: 900, badPerKind: 5, duplicates: 100, customers: E2ESystem.customers, seed: 43)
            try await system.produce(plan)
            let expected = Int64(plan.events.count)
            // A small in-flight limit keeps the run going while the workers come and go.
            let configuration = try system.writeWorkerConfiguration(maxInFlight: 2)

            // Phase 1: nobody is stable; each worker joins (or re-forms) the group.
            var stops = try await Self.run(
                Self.schedule(prefix: "alone", count: perPhase, random: &random), system: system,
                configuration: configuration)

            // Phase 2: one worker is assigned and processing; the others join it (a rebalance of a stable group).
            let stable = try system.startWorker(configuration: configuration, name: "stable")
            let outcomesBefore = try await system.outcomeCount()
            try await system.waitUntil(
                "the stable worker's first outcomes", timeout: .seconds(60), interval: .milliseconds(200),
                worker: stable
            ) {
                try await system.outcomeCount() >= min(expected, outcomesBefore + 20)
            }
            stops += try await Self.run(
                Self.schedule(prefix: "joiner", count: perPhase, random: &random), system: system,
                configuration: configuration)
            let outcomesAfterStops = try await system.outcomeCount()

            // The stable worker finishes the run, then stops like any other (drain, commit, exit 0).
            try await system.waitUntilFinished(expected: expected, timeout: .seconds(90), worker: stable)
            let stableExit = try #require(
                try await stable.terminate(timeout: .seconds(30)), "the stable worker did not exit within 30 s")
            #expect(
                stableExit.reason == .exit && stableExit.status == 0,
                "stable worker exit: \(stableExit.reason) \(stableExit.status)")

            #expect(stops.count >= 20)
            let failed = stops.filter { !$0.exitedZero }
            #expect(
                failed.isEmpty,
                PipelineEndToEndTests.comment(
                    "workers that did not exit 0 after SIGTERM",
                    failed.map { "\($0.description); stderr:\n\($0.worker.stderrTail(6))" }))

            let contents = try await system.readTopics()
            let audit = FaultRunAudit(plan: plan, contents: contents, contacts: try await system.simulator.contacts())
            #expect(audit.issues.isEmpty, PipelineEndToEndTests.comment("SIGTERM run problems", audit.issues))
            let uncommitted = try await system.snapshot().uncommitted(E2ESystem.inputTopic)
            #expect(uncommitted.isEmpty, "committed != end offsets: \(uncommitted)")

            // How the stops fell (with partitions, with an empty assignment, before any assignment, before subscribing,
            // during the start-up), and how often the 2.0.2 assignor abort (or its workaround) showed up.
            let assigned = stops.count { $0.worker.stderr().contains("Kafka partitions assigned") }
            let assertions = stops.count { $0.worker.stderr().contains("assignor_state") }
            let keptHandles = stops.count { $0.worker.stderr().contains("handle kept until the process exits") }
            let beforeSubscribing = stops.count {
                $0.worker.stderr().contains("Kafka consumer stopped before subscribing")
            }
            let duringStartUp = stops.count { $0.worker.stderr().contains("stop signal before start-up finished") }
            // An empty assignment is logged at debug level only: the rest got one (their handle was destroyed).
            let emptyOnly = stops.count - assigned - keptHandles - beforeSubscribing - duringStartUp
            let exits = Dictionary(grouping: stops) {
                $0.exitedZero ? "0" : "\($0.reason == .exit ? "" : "signal ")\($0.status)"
            }
            .mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            print(
                "e2e sigterm-joins: seed \(seed), \(stops.count) SIGTERMs in the first 3 s of a worker's life, exits "
                    + "{\(exits.joined(separator: ", "))}; \(assigned) had partitions, \(emptyOnly) only an empty "
                    + "assignment, \(keptHandles) no assignment (consumer handle kept until exit), \(beforeSubscribing) "
                    + "stopped before subscribing, \(duringStartUp) during the start-up; \(assertions) assignor "
                    + "assertions; "
                    + "\(outcomesAfterStops) of \(expected) outcomes when the stops ended, stable worker exit "
                    + "\(stableExit.status) after \(PipelineEndToEndTests.seconds(stableExit.took)) s; "
                    + "\(audit.outcomeCount) outcomes in all; \(PipelineEndToEndTests.seconds(clock.now - start)) s")
            for stop in stops {
                print("e2e sigterm-joins: \(stop.description)")
            }
        }

        /// Starts the scheduled workers and sends each its SIGTERM on time, several alive at once; returns when all of
        /// them have exited (each within 30 s of its SIGTERM, else the test fails).
        static func run(_ schedule: [PlannedStop], system: E2ESystem, configuration: URL) async throws -> [Stop] {
            let clock = ContinuousClock()
            let start = clock.now
            var pending = schedule[...]
            // Started and waiting for their SIGTERM (with the start time), and signalled (with the SIGTERM's time).
            var running: [(planned: PlannedStop, worker: ChildProcess, at: ContinuousClock.Instant)] = []
            var signalled: [(planned: PlannedStop, worker: ChildProcess, at: ContinuousClock.Instant)] = []
            var stops: [Stop] = []
            while !pending.isEmpty || !running.isEmpty || !signalled.isEmpty {
                let now = clock.now
                while let next = pending.first, now - start >= next.startAt {
                    pending.removeFirst()
                    running.append(
                        (next, try system.startWorker(configuration: configuration, name: next.name), clock.now))
                }
                var waiting: [(planned: PlannedStop, worker: ChildProcess, at: ContinuousClock.Instant)] = []
                for entry in running {
                    if now - entry.at >= entry.planned.sigtermAfter {
                        entry.worker.process.terminate()
                        signalled.append((entry.planned, entry.worker, clock.now))
                    } else {
                        waiting.append(entry)
                    }
                }
                running = waiting
                var alive: [(planned: PlannedStop, worker: ChildProcess, at: ContinuousClock.Instant)] = []
                for entry in signalled {
                    if entry.worker.isRunning {
                        alive.append(entry)
                        continue
                    }
                    entry.worker.process.waitUntilExit()
                    stops.append(
                        Stop(
                            planned: entry.planned, worker: entry.worker,
                            reason: entry.worker.process.terminationReason,
                            status: entry.worker.process.terminationStatus, took: clock.now - entry.at))
                }
                signalled = alive
                if let late = signalled.first(where: { now - $0.at > .seconds(30) }) {
                    throw E2EError(
                        "\(late.planned.name) did not exit within 30 s of its SIGTERM; stderr:\n"
                            + late.worker.stderrTail())
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            return stops
        }
    }
}
