import ArgumentParser
import Foundation
import KometSimulator
import Logging

/// `komet-sim`: runs the Komet Sales simulator until SIGTERM or SIGINT.
///
/// The first line on stdout is `listening on http://HOST:PORT`, alone and flushed; logs go to stderr.
@main
struct KometSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "komet-sim",
        abstract: "A Komet Sales API simulator (customer.contact.add / customer.contact.list) with fault injection."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 0

    @Option(help: "The valid authentication token (or use --token-file, or the KOMET_TOKEN environment variable).")
    var token: String?

    @Option(help: "A file holding the valid authentication token.")
    var tokenFile: String?

    @Option(help: "Existing customer ids: ranges and ids separated by commas, e.g. 1-1000,5000.")
    var customers = "1-1000"

    @Option(help: "Registered contact types, separated by commas.")
    var types = "None,Buyer,A/P"

    @Option(help: "Calls allowed per UTC day.")
    var quota = 1000

    @Option(help: "Seed of the fault generator.")
    var seed: UInt64 = 1

    @Option(help: "Delay before each API call is handled, in milliseconds.")
    var latencyMs = 0

    @Option(help: "Share of API calls answered 503 (0...1).")
    var serverErrorRate = 0.0

    @Option(help: "Share of API calls answered 429 (0...1).")
    var throttleRate = 0.0

    @Option(help: "Retry-After of 429 answers, in seconds.")
    var throttleRetryAfter = 1

    @Option(help: "Share of API calls that hang for --timeout-sleep-ms, then answer 503 (0...1).")
    var timeoutRate = 0.0

    @Option(help: "How long a timed-out call hangs, in milliseconds.")
    var timeoutSleepMs = 30_000

    @Option(help: "Share of API calls processed and then dropped without an answer (0...1).")
    var ambiguousRate = 0.0

    @Option(help: "Share of add calls held for --late-delay-ms, then processed even if the client gave up (0...1).")
    var lateRate = 0.0

    @Option(help: "How long a late add is held, in milliseconds (make it longer than the client's timeout).")
    var lateDelayMs = 20_000

    @Option(help: "Share of API calls (add and list) slowed by an extra delay drawn from --spike-ms (0...1).")
    var spikeRate = 0.0

    @Option(help: "Range of the extra delay of a spike, in milliseconds: MIN-MAX, or one value.")
    var spikeMs = "3500-4500"

    @Flag(help: "Answer every API call as Komet answers a revoked token.")
    var rejectToken = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard quota >= 0 else { throw ValidationError("--quota must not be negative") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level is not a log level") }
        for (name, rate) in [
            ("--server-error-rate", serverErrorRate), ("--throttle-rate", throttleRate),
            ("--timeout-rate", timeoutRate), ("--ambiguous-rate", ambiguousRate), ("--late-rate", lateRate),
            ("--spike-rate", spikeRate),
        ] where !(0...1).contains(rate) {
            throw ValidationError("\(name) must be in 0...1")
        }
        guard lateDelayMs >= 0 else { throw ValidationError("--late-delay-ms must not be negative") }
        _ = try MillisecondRange.parse(spikeMs, option: "--spike-ms")
        _ = try CustomerIDs.parse(customers)
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "komet-sim")
        let configuration = KometSimulatorConfiguration(
            token: try resolveToken(),
            customers: try CustomerIDs.parse(customers),
            contactTypes: Set(types.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }),
            dailyQuota: quota,
            seed: seed
        )
        let simulator = KometSimulator(configuration: configuration, logger: logger)
        let spikeRange = try MillisecondRange.parse(spikeMs, option: "--spike-ms")
        simulator.faults = KometFaults(
            latencyMs: latencyMs,
            serverErrorRate: serverErrorRate,
            throttleRate: throttleRate,
            throttleRetryAfterSeconds: throttleRetryAfter,
            timeoutRate: timeoutRate,
            timeoutSleepMs: timeoutSleepMs,
            ambiguousRate: ambiguousRate,
            lateRate: lateRate,
            lateDelayMs: lateDelayMs,
            spikeRate: spikeRate,
            spikeMinMs: spikeRange.lowerBound,
            spikeMaxMs: spikeRange.upperBound,
            rejectToken: rejectToken
        )
        let host = self.host
        try await simulator.runUntilSignalled(host: host, port: port) { boundPort in
            // Written straight to the file descriptor: nothing is left in a buffer.
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(boundPort)\n".utf8))
        }
    }

    /// The token from --token, --token-file or KOMET_TOKEN, in that order. Errors never show a token.
    private func resolveToken() throws -> String {
        if let token, !token.isEmpty { return token }
        if let tokenFile {
            guard let contents = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw ValidationError("--token-file \(tokenFile) cannot be read")
            }
            let trimmed = contents.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ValidationError("--token-file \(tokenFile) is empty") }
            return trimmed
        }
        if let fromEnvironment = ProcessInfo.processInfo.environment["KOMET_TOKEN"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        throw ValidationError("no token: give --token, --token-file or the KOMET_TOKEN environment variable")
    }
}
