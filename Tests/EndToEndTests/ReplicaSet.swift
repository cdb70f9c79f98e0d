import Foundation
import SyncTestSupport

/// Worker replicas in one consumer group, all on one PostgreSQL database (the test process's server, a fresh
/// database per set): how the service scales out. The test starts, kills (`kill -9`), stops (SIGTERM) and adds
/// replicas; every wait fails at once when a replica that should be running has exited, and every failure carries
/// each replica's stderr tail. The system's `shutdown()` stops whatever is still running.
final class ReplicaSet {
    /// What the test did to a replica.
    enum State: String {
        case running
        case killed
        case stopped
    }

    /// One worker process of the set.
    struct Replica {
        var process: ChildProcess
        var state: State
    }

    let system: E2ESystem
    /// The one configuration file every replica runs with.
    let configuration: URL
    /// The PostgreSQL database every replica shares.
    let database: String
    /// Every replica started so far, in start order.
    private(set) var replicas: [Replica] = []
    private let environment: [String: String]

    /// Creates the database and writes the replicas' configuration: `dedupe.backend=postgres` on the test server
    /// (TLS off, the password in `PGPASSWORD`), plus `extra` (laid over it by section).
    init(system: E2ESystem, maxInFlight: Int, extra: WorkerSettings.Sections = [:]) async throws {
        let postgres = try await TestPostgres.shared()
        let database = try await postgres.createDatabase()
        let store: WorkerSettings.Sections = [
            "dedupe": ["backend": "postgres"],
            "postgres": [
                "host": postgres.host, "port": postgres.port, "database": database, "user": postgres.user,
                "tls": "disable",
            ],
        ]
        self.system = system
        self.database = database
        environment = ["PGPASSWORD": postgres.password]
        configuration = try system.writeWorkerConfiguration(
            maxInFlight: maxInFlight, extra: WorkerSettings.merged(store, extra), fileName: "replica.json")
    }

    /// The replicas that should be running (neither killed nor stopped).
    var running: [ChildProcess] { replicas.filter { $0.state == .running }.map(\.process) }

    /// Starts `count` replicas, named `replica-N` in start order.
    @discardableResult
    func start(count: Int = 1) throws -> [ChildProcess] {
        try (0..<count).map { _ in
            let process = try system.startWorker(
                configuration: configuration, name: "replica-\(replicas.count)", environment: environment)
            replicas.append(Replica(process: process, state: .running))
            return process
        }
    }

    /// `kill -9`: no drain, no commit. Returns once the process has exited.
    func kill(_ process: ChildProcess) {
        mark(process, .killed)
        process.kill()
    }

    /// SIGTERM; returns the exit, or throws (with the replica's stderr) when it is still running after `timeout`.
    func terminate(
        _ process: ChildProcess, timeout: Duration = .seconds(60)
    ) async throws -> (status: Int32, reason: Process.TerminationReason, took: Duration) {
        mark(process, .stopped)
        guard let exit = try await process.terminate(timeout: timeout) else {
            throw E2EError(
                "\(process.name) did not exit within \(timeout) of SIGTERM; stderr:\n\(process.stderrTail())")
        }
        return exit
    }

    /// SIGTERMs every running replica at once (one signal each) and returns each one's exit by name; a replica still
    /// running `timeout` after the signals fails the call.
    func terminateAll(timeout: Duration = .seconds(60)) async throws -> [(
        name: String, status: Int32, exitedZero: Bool
    )] {
        let processes = running
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        for process in processes {
            mark(process, .stopped)
            process.process.terminate()
        }
        var exits: [(name: String, status: Int32, exitedZero: Bool)] = []
        for process in processes {
            while process.isRunning {
                guard clock.now < deadline else {
                    throw E2EError(
                        "\(process.name) did not exit within \(timeout) of SIGTERM; stderr:\n\(process.stderrTail())")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            process.process.waitUntilExit()
            let status = process.process.terminationStatus
            exits.append((process.name, status, process.process.terminationReason == .exit && status == 0))
        }
        return exits
    }

    /// Polls `condition` every `interval` until it is true; throws when `timeout` passes first or a replica that
    /// should be running has exited (with every replica's stderr tail).
    func waitUntil(
        _ what: String, timeout: Duration, interval: Duration = .milliseconds(500), _ condition: () async throws -> Bool
    ) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if try await condition() { return }
            if let exited = running.first(where: { !$0.isRunning }) {
                throw E2EError(
                    "\(exited.name) exited (status \(exited.process.terminationStatus)) while waiting for \(what)\n"
                        + report())
            }
            if clock.now > deadline {
                throw E2EError("timed out after \(timeout) waiting for \(what)\n" + report())
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Waits until the group has committed every input record and at least `expected` outcome records exist.
    func waitUntilFinished(expected: Int64, timeout: Duration) async throws {
        do {
            try await waitUntil("every input committed and \(expected) outcomes", timeout: timeout) {
                let snapshot = try await system.snapshot()
                return snapshot.uncommitted(E2ESystem.inputTopic).isEmpty
                    && snapshot.recordCount(E2ESystem.successTopic)
                        + snapshot.recordCount(E2ESystem.deadLetterTopic) >= expected
            }
        } catch let error as E2EError {
            guard let snapshot = try? await system.snapshot() else { throw error }
            let outcomes =
                snapshot.recordCount(E2ESystem.successTopic) + snapshot.recordCount(E2ESystem.deadLetterTopic)
            let uncommitted = snapshot.uncommitted(E2ESystem.inputTopic).sorted { $0.key < $1.key }
                .map { "partition \($0.key): committed \($0.value.committed), end \($0.value.end)" }
            throw E2EError(
                "\(error.description)\n-- at the timeout: \(outcomes) of \(expected) outcome records; uncommitted: "
                    + (uncommitted.isEmpty ? "none" : uncommitted.joined(separator: "; ")))
        }
    }

    /// Waits until the outcome records reach `target`.
    func waitForOutcomes(_ target: Int64, timeout: Duration = .seconds(120)) async throws {
        try await waitUntil("\(target) outcome records", timeout: timeout, interval: .milliseconds(300)) {
            try await system.outcomeCount() >= target
        }
    }

    /// Every replica's state, exit status and stderr tail, for failure messages.
    func report(lines: Int = 12) -> String {
        replicas.map { replica in
            let process = replica.process
            let status = process.isRunning ? "alive" : "exit \(process.process.terminationStatus)"
            return "-- \(process.name) (\(replica.state.rawValue), \(status)), stderr tail:\n"
                + process.stderrTail(lines)
        }
        .joined(separator: "\n")
    }

    /// How each replica's run went, from its log: outcomes it published, rebalances it took part in, events a revoke
    /// gave up waiting for.
    func logSummary() -> String {
        replicas.map { replica in
            let lines = WorkerLogLine.parse(replica.process.stderr())
            let outcomes = lines.count { $0.message == "contact synced" || $0.message == "event dead-lettered" }
            let assigned = lines.count { $0.message == "partitions assigned" }
            let revoked = lines.filter { $0.message == "partitions revoked" || $0.message == "partitions lost" }
            let abandoned = revoked.reduce(0) { $0 + (Self.metadataInt($1.raw, "pipeline.abandoned") ?? 0) }
            return "\(replica.process.name) (\(replica.state.rawValue)): \(outcomes) outcomes, \(assigned) "
                + "assignments, \(revoked.count) revokes (\(abandoned) running events given up)"
        }
        .joined(separator: "; ")
    }

    private func mark(_ process: ChildProcess, _ state: State) {
        guard let index = replicas.firstIndex(where: { $0.process === process }) else { return }
        replicas[index].state = state
    }

    /// An integer metadata value of a JSON log line (the logger writes metadata values as strings).
    private static func metadataInt(_ raw: String, _ key: String) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else {
            return nil
        }
        return SimulatorAdmin.int64(object[key]).map { Int($0) }
    }
}
