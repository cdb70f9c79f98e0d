import ContactSync
import KometClient
import Logging

/// Process-wide set-up shared by `run` and `demo`.
enum Bootstrap {
    static func logger(settings: SyncConfiguration, token: KometToken, label: String = "komet-contact-sync") -> Logger {
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        let format: StructuredLogHandler.Format = settings.logFormat == .json ? .json : .text
        LoggingSystem.bootstrap { label in
            StructuredLogHandler(label: label, level: level, format: format, redact: token.redact)
        }
        return Logger(label: label)
    }

    static func store(settings: SyncConfiguration) throws -> any DedupeStore {
        switch settings.dedupeBackend {
        case .memory: return InMemoryDedupeStore()
        case .sqlite: return try SQLiteDedupeStore(path: settings.sqlitePath)
        }
    }
}
