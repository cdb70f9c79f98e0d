import Foundation

/// Runs short-lived commands (kcat, python3) to completion, with a deadline.
enum CommandRunner {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// Runs `executable arguments` with `stdinFile` as stdin (or none), and returns its output.
    /// Output goes through files, so a large output can never block the child.
    static func run(
        _ executable: URL,
        _ arguments: [String],
        stdinFile: URL? = nil,
        timeout: Duration = .seconds(60),
        environment: [String: String] = [:],
        in directory: URL
    ) async throws -> Result {
        let unique = UUID().uuidString.prefix(8)
        let stdoutURL = directory.appendingPathComponent("cmd-\(unique).stdout")
        let stderrURL = directory.appendingPathComponent("cmd-\(unique).stderr")
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = E2EEnvironment.childEnvironment(adding: environment)
        process.currentDirectoryURL = directory
        process.standardInput = try stdinFile.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()

        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            if clock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                let command = ([executable.lastPathComponent] + arguments.prefix(3)).joined(separator: " ")
                throw E2EError("`\(command) ...` did not finish within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: (try? Data(contentsOf: stdoutURL)) ?? Data(),
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        )
    }

    /// Like `run`, but throws when the exit status is not 0.
    static func checked(
        _ executable: URL,
        _ arguments: [String],
        stdinFile: URL? = nil,
        timeout: Duration = .seconds(60),
        in directory: URL
    ) async throws -> Data {
        let result = try await run(executable, arguments, stdinFile: stdinFile, timeout: timeout, in: directory)
        guard result.status == 0 else {
            let command = ([executable.lastPathComponent] + arguments.prefix(3)).joined(separator: " ")
            throw E2EError("`\(command) ...` exited with \(result.status): \(result.stderr.suffix(2_000))")
        }
        return result.stdout
    }
}
