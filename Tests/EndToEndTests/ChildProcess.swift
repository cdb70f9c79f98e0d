import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A process started by a test. Its stdout and stderr go to files in the test's directory (no pipe can fill up and
/// block it); its stdin is a pipe the test holds open (and may write commands to).
///
/// With `stderrThroughPipe`, stderr is a pipe that the test reads into the same file until it closes its reading end
/// (``closeStderrReader()``): the reader of a log that goes away.
///
/// `stop()` is synchronous so that it can run in a `defer`; it escalates SIGTERM → SIGKILL.
final class ChildProcess {
    let name: String
    let process: Process
    let stdoutURL: URL
    let stderrURL: URL
    private let stdin: Pipe
    private let stderrPipe: Pipe?

    /// Starts `executable` with `arguments`. `environment` replaces the parent's environment when given.
    init(
        name: String, executable: URL, arguments: [String], environment: [String: String]? = nil,
        stderrThroughPipe: Bool = false, in directory: URL
    ) throws {
        self.name = name
        let unique = UUID().uuidString.prefix(8)
        stdoutURL = directory.appendingPathComponent("\(name)-\(unique).stdout")
        stderrURL = directory.appendingPathComponent("\(name)-\(unique).stderr")
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)
        stdin = Pipe()
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.currentDirectoryURL = directory
        process.standardInput = stdin
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        if stderrThroughPipe {
            let pipe = Pipe()
            let copy = try FileHandle(forWritingTo: stderrURL)
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if !data.isEmpty { try? copy.write(contentsOf: data) }
            }
            process.standardError = pipe
            stderrPipe = pipe
        } else {
            process.standardError = try FileHandle(forWritingTo: stderrURL)
            stderrPipe = nil
        }
        try process.run()
        // Only the child writes into the pipe: once the reading end is closed, its writes fail (EPIPE).
        try stderrPipe?.fileHandleForWriting.close()
    }

    /// Stops reading the process's stderr pipe and closes its reading end, as a log collector that dies would.
    func closeStderrReader() throws {
        guard let stderrPipe else { throw E2EError("\(name)'s stderr is a file, not a pipe") }
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        try stderrPipe.fileHandleForReading.close()
    }

    deinit {
        stop()
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// Everything the process wrote to stdout so far.
    func stdout() -> String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    /// Everything the process wrote to stderr so far.
    func stderr() -> String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// The last `count` lines of stderr, for failure messages.
    func stderrTail(_ count: Int = 15) -> String {
        stderr().split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }

    /// Waits until the first stdout line is complete and returns it (without the newline).
    func firstStdoutLine(timeout: Duration = .seconds(60)) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let text = stdout()
            if let newline = text.firstIndex(of: "\n") {
                return String(text[..<newline]).trimmingCharacters(in: .whitespaces)
            }
            if !process.isRunning {
                throw E2EError(
                    "\(name) exited (status \(process.terminationStatus)) before printing its first line; stderr:\n"
                        + stderrTail())
            }
            if clock.now > deadline {
                throw E2EError("\(name) printed no first stdout line within \(timeout); stderr:\n\(stderrTail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Writes one command line to the process's stdin.
    func send(line: String) throws {
        try stdin.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Sends SIGTERM and waits (without blocking a thread) until the process exits or `timeout` passes.
    /// Returns the exit status and how long the exit took, or nil on timeout (the process is then still running).
    func terminate(timeout: Duration) async throws -> (
        status: Int32, reason: Process.TerminationReason, took: Duration
    )? {
        let clock = ContinuousClock()
        let start = clock.now
        if process.isRunning { process.terminate() }
        while process.isRunning {
            if clock.now - start > timeout { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, clock.now - start)
    }

    /// Sends SIGKILL (no chance to drain or commit) and waits until the process has exited. Idempotent.
    func kill() {
        if process.isRunning { sendKill(to: process.processIdentifier) }
        process.waitUntilExit()
    }

    /// Stops the process whatever its state: SIGTERM, up to 10 s of grace, then SIGKILL. Idempotent.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        guard process.isRunning else { return }
        let started = Date()
        process.terminate()
        while process.isRunning && Date().timeIntervalSince(started) < 10 {
            usleep(20_000)
        }
        if process.isRunning {
            print("e2e: \(name) (pid \(pid)) ignored SIGTERM for 10 s; sending SIGKILL")
            sendKill(to: process.processIdentifier)
        }
        process.waitUntilExit()
        let took = Date().timeIntervalSince(started)
        if took > 3 {
            print("e2e: \(name) took \(String(format: "%.1f", took)) s to stop")
        }
    }
}

/// SIGKILL, outside `ChildProcess` so that its `kill()` method does not shadow the C function.
private func sendKill(to pid: Int32) {
    _ = kill(pid, SIGKILL)
}

/// A failure of the end-to-end harness (a process that would not start, a command that failed, ...).
struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
