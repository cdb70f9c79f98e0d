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
    static func logger(settings: SyncConfiguration, token: KometToken, label: String = "komet-contact-sync") -> Logger {
        let level = settings.logLevel
        let format: StructuredLogHandler.Format = settings.logFormat == .json ? .json : .text
        // A reader of standard error that goes away (a closed pipe) must not kill the worker: the write fails with
        // EPIPE instead, and the handler drops the line.
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap { label in
            StructuredLogHandler(label: label, level: level, format: format, redact: token.redact)
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
            return SyncStores(try SQLiteStore(path: settings.sqlitePath))
        case .postgres:
            return SyncStores(PostgresStore(settings: settings.postgres, password: postgresPassword, logger: logger))
        }
    }
}
