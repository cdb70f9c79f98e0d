import Foundation

/// One line a worker wrote to stderr, parsed from the JSON log format (`"level"`, `"message"`, metadata).
struct WorkerLogLine {
    /// `trace` ... `critical`, or nil for a line that is not a JSON log object.
    var level: String?
    var message: String
    /// The whole line, metadata included.
    var raw: String

    /// Every non-empty line of `text`.
    static func parse(_ text: String) -> [WorkerLogLine] {
        text.split(separator: "\n").map { line in
            let raw = String(line)
            guard let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else {
                return WorkerLogLine(level: nil, message: raw, raw: raw)
            }
            return WorkerLogLine(
                level: object["level"] as? String, message: object["message"] as? String ?? "", raw: raw)
        }
    }

    /// `error` or `critical`.
    var isErrorOrWorse: Bool { level == "error" || level == "critical" }
}
