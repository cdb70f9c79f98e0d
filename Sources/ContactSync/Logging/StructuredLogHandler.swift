import Foundation
import Logging

/// A log handler that writes one line per entry to standard error, as text or JSON, and removes the Komet token
/// from everything it writes (a second line of defence: nothing should log the token in the first place).
public struct StructuredLogHandler: LogHandler {
    public enum Format: Sendable { case text, json }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let format: Format
    private let redact: @Sendable (String) -> String

    /// - Parameter redact: removes secrets from a finished line (e.g. ``KometToken/redact(_:)``).
    public init(
        label: String, level: Logger.Level, format: Format,
        redact: @escaping @Sendable (String) -> String = { $0 }
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.redact = redact
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let timestamp = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        var line: String
        switch format {
        case .text:
            line = "\(timestamp) \(event.level) \(label): \(event.message)"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line += " \(key)=\(value)"
            }
        case .json:
            var object: [String: String] = [
                "time": timestamp, "level": "\(event.level)", "logger": label, "message": "\(event.message)",
            ]
            for (key, value) in merged { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        line = redact(line) + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
