import Foundation
import Synchronization

/// A PostgreSQL server of the test process's own: Debian's `postgresql` binaries, a fresh cluster in a temporary
/// folder, listening on a free loopback port with password authentication. Started on first use, stopped when the
/// process exits (or by ``stop()``). The server refuses to run as root, so as root it runs as the `postgres` user.
public final class TestPostgres: Sendable {
    /// The server every test of this process shares; each test makes a database of its own (``createDatabase()``).
    public static func shared() async throws -> TestPostgres {
        try await registry.server()
    }

    /// Starts the shared server once, however many tests ask for it at the same time.
    private actor Registry {
        private var starting: Task<TestPostgres, any Error>?

        func server() async throws -> TestPostgres {
            if let starting { return try await starting.value }
            let task = Task { try await TestPostgres.start() }
            starting = task
            return try await task.value
        }
    }

    private static let registry = Registry()
    /// The running server's data folder, for the exit handler.
    private static let running = Mutex<TestPostgres?>(nil)

    private static func start() async throws -> TestPostgres {
        let server = try TestPostgres()
        try await server.initialise()
        running.withLock { $0 = server }
        atexit { TestPostgres.stopRunning() }
        return server
    }

    public let host = "127.0.0.1"
    public let port: Int
    public let user = "komet_test"
    /// The test cluster's password (not a secret: the server lives in a temporary folder and on loopback).
    public let password: String
    private let directory: URL
    private let binaries: URL
    private let asPostgres: Bool

    private init() throws {
        binaries = try Self.findBinaries()
        asPostgres = getuid() == 0
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pg-test-\(UUID().uuidString)")
        password = UUID().uuidString
        port = try Self.freePort()
    }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }

    private func initialise() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let passwordFile = directory.appendingPathComponent("password")
        try Data(password.utf8).write(to: passwordFile)
        if asPostgres { try await Self.run("/bin/chown", ["-R", "postgres:postgres", directory.path]) }
        let data = dataDirectory
        try await runServerTool(
            "initdb",
            [
                "-D", data, "-U", user, "--pwfile", passwordFile.path, "--auth", "scram-sha-256", "-E", "UTF8",
                "--no-sync",
            ])
        try await runServerTool(
            "pg_ctl",
            [
                "-D", data, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "60", "-o",
                "-c listen_addresses=\(host) -p \(port) -k \(directory.path) -c fsync=off -c max_connections=300",
                "start",
            ])
    }

    /// A fresh, empty database; returns its name.
    public func createDatabase() async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await Self.run(
            binaries.appendingPathComponent("createdb").path,
            ["-h", host, "-p", String(port), "-U", user, name], environment: ["PGPASSWORD": password])
        return name
    }

    /// Stops the server at once (SIGQUIT to the postmaster: an immediate shutdown) and removes its folder.
    public func stop() {
        let pidFile = (try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)) ?? ""
        if let pid = pidFile.split(separator: "\n").first.flatMap({ pid_t($0) }) {
            kill(pid, SIGQUIT)
            for _ in 0..<100 where kill(pid, 0) == 0 { usleep(20_000) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func stopRunning() {
        running.withLock { server in
            server?.stop()
            server = nil
        }
    }

    private func runServerTool(_ tool: String, _ arguments: [String]) async throws {
        let path = binaries.appendingPathComponent(tool).path
        if asPostgres {
            try await Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try await Self.run(path, arguments)
        }
    }

    /// Debian installs the server's programs in /usr/lib/postgresql/<version>/bin.
    private static func findBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = root.appendingPathComponent(version).appendingPathComponent("bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        throw TestPostgresError(
            message: "no PostgreSQL server under /usr/lib/postgresql: install Debian's `postgresql` (scripts/bootstrap)"
        )
    }

    /// A free port below the kernel's ephemeral range (32768-60999 by default). The server binds it only later, so a
    /// port that `bind(0)` hands out could meanwhile go to another server of the test process, or be one that a test
    /// holds closed on purpose; ports below that range are never handed out by `bind(0)`.
    private static func freePort() throws -> Int {
        for _ in 0..<200 {
            let candidate = Int.random(in: 20_000..<30_000)
            if try isFree(port: candidate) { return candidate }
        }
        throw TestPostgresError(message: "cannot find a free port in 20000-29999")
    }

    private static func isFree(port: Int) throws -> Bool {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestPostgresError(message: "socket() failed") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socket, address, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Runs a tool to its end, its output into a file. Spawned with `posix_spawn` and reaped with `waitpid`, not with
    /// Foundation's `Process`: `pg_ctl start` leaves a server behind that inherits what it inherited, and `Process`
    /// would not see the tool end while the server runs.
    private static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:]
    ) async throws {
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("pg-tool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw TestPostgresError(message: "cannot start \(executable): error \(spawned)")
        }
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(120)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw TestPostgresError(message: "\(executable) \(arguments.first ?? "") did not finish in 120 s")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        // WIFEXITED && WEXITSTATUS == 0, spelled out: the C macros are not imported.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let printed = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
            throw TestPostgresError(
                message: "\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.first ?? "") failed "
                    + "(status \(status)): \(printed)")
        }
    }
}

/// Starting or using the test server failed; the message says how.
public struct TestPostgresError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
