import Logging
import Synchronization

/// The lines a test's logger wrote, in order: level, message and the line's metadata merged with the logger's.
public final class CapturedLog: Sendable {
    public struct Line: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: Logger.Metadata

        /// The message, then the metadata sorted by key: for `contains` checks on what a line says.
        public var text: String { "\(message) \(metadata.sorted { $0.key < $1.key })" }
    }

    private let captured = Mutex<[Line]>([])

    public init() {}

    /// Every line so far.
    public var lines: [Line] { captured.withLock { $0 } }

    /// A logger (at every level) whose lines this keeps.
    public var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let line = Line(
                level: event.level, message: "\(event.message)",
                metadata: metadata.merging(event.metadata ?? [:]) { _, new in new })
            log.captured.withLock { $0.append(line) }
        }
    }
}
