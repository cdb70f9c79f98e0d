import Foundation

/// Where the PostgreSQL store lives and how to reach it (`postgres.*` settings). The password never appears here: it
/// is read at start-up from ``passwordVariable`` or ``passwordFile`` into a ``PostgresPassword``.
public struct PostgresSettings: Sendable, Equatable {
    /// How the connection uses TLS.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP (a loopback or otherwise trusted network only).
        case disable
        /// TLS when the server offers it, plain TCP otherwise.
        case prefer
        /// TLS or no connection; the server's certificate is verified against the system's trust roots.
        case require
    }

    public var host = "127.0.0.1"
    public var port = 5432
    public var database = "komet_contact_sync"
    public var user = "komet_contact_sync"
    /// The environment variable holding the password (libpq's own by default).
    public var passwordVariable = "PGPASSWORD"
    /// A file holding the password, read when the variable is unset or empty.
    public var passwordFile: String?
    public var tls = TLSMode.prefer
    /// Connections each replica keeps at most.
    public var poolSize = 8
    public var connectTimeout = Duration.seconds(10)
}

/// The database password. Its descriptions show `<redacted>`, so it cannot reach a log line or an error message by
/// accident.
public struct PostgresPassword: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// The password from `settings.passwordVariable` or, when that is unset or empty, from `settings.passwordFile`
    /// (trimmed); `nil` when neither is set (a server that trusts the connection needs none).
    ///
    /// - Throws: ``ConfigurationError`` naming the setting and the file (never a value) when the file cannot be read.
    public static func load(settings: PostgresSettings, environment: [String: String]) throws(ConfigurationError)
        -> PostgresPassword?
    {
        if let raw = environment[settings.passwordVariable]?.trimmingCharacters(in: .whitespacesAndNewlines),
            !raw.isEmpty
        {
            return PostgresPassword(raw)
        }
        guard let file = settings.passwordFile else { return nil }
        guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ConfigurationError(setting: "postgres.passwordFile", message: "cannot read the password file \(file)")
        }
        let trimmed = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw ConfigurationError(setting: "postgres.passwordFile", message: "the password file \(file) is empty")
        }
        return PostgresPassword(trimmed)
    }
}
