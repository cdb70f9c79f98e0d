import ArgumentParser
import ContactSync
import KometClient
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Process-wide set-up shared by `run` and `demo`.
enum Bootstrap {
    /// A reader of standard error (or of a socket) that goes away must not kill the worker: with SIGPIPE ignored the
    /// write fails with EPIPE instead, and the log handler drops the line. Call it first thing in a command.
    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// A configuration problem, said on standard error as `error: …` without the usage text.
    static func reportConfigurationError(_ error: any Error) -> ExitCode {
        StandardError.write("error: \(error)\n")
        return ExitCode(78)
    }

    static func logger(settings: SyncConfiguration, tokens: KometTokenSource, label: String = "komet-contact-sync")
        -> Logger
    {
        let level = settings.logLevel
        let format: StructuredLogHandler.Format = settings.logFormat == .json ? .json : .text
        ignoreBrokenPipes()
        LoggingSystem.bootstrap { label in
            StructuredLogHandler(label: label, level: level, format: format, redact: tokens.redact)
        }
        return Logger(label: label)
    }

    /// The configured backend, serving every store concern. `postgresPassword` is read at start-up (see
    /// ``PostgresPassword/load(settings:environment:)``).
    static func stores(
        settings: SyncConfiguration, postgresPassword: PostgresPassword?, logger: Logger
    ) throws -> SyncStores {
        switch settings.dedupeBackend {
        case .memory:
            return SyncStores(InMemoryStore())
        case .sqlite:
            do {
                return SyncStores(try SQLiteStore(path: settings.sqlitePath))
            } catch {
                throw ConfigurationError(
                    setting: "dedupe.sqlitePath",
                    message: "cannot open the SQLite store \(settings.sqlitePath): \(error)")
            }
        case .postgres:
            return SyncStores(PostgresStore(settings: settings.postgres, password: postgresPassword, logger: logger))
        }
    }
}
