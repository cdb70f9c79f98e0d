import Logging

#if canImport(Glibc)
    import Glibc
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    import Darwin
    private let systemWrite = Darwin.write
#endif

/// A log handler that writes one line per entry to standard error, as logfmt text or JSON, and removes the Komet
/// token from everything it writes (a second line of defence: nothing should log the token in the first place).
///
/// Every line is built by hand into one string and written with one `write(2)`: no Foundation formatter, no
/// `JSONSerialization`, no collation. An outcome line costs a few microseconds, which matters at thousands of events
/// per second. A write that fails (standard error closed, a full pipe) is dropped, never fatal.
///
/// The fields, in this order: `time` (RFC 3339, UTC, milliseconds, `Z`), `level`, `logger`, the message (`message`
/// in JSON, `msg` in logfmt), then the metadata sorted by key.
/// - JSON: metadata keeps its type. A `.stringConvertible` integer, floating-point number or Boolean is a JSON number
///   or `true`/`false` (log `.stringConvertible(offset)`, not `"\(offset)"`, for a number); arrays and dictionaries
///   are JSON arrays and objects; anything else is a string.
/// - Text: [logfmt](https://brandur.org/logfmt), `key=value` pairs separated by one space. A value that is empty or
///   holds a space, `=`, `"`, `\\` or a control character is quoted, with `"`, `\\` and control characters escaped
///   as in JSON, so every logfmt parser reads back the exact text.
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
        if let extra = event.metadata {
            if merged.isEmpty {
                merged = extra
            } else {
                merged.merge(extra) { _, new in new }
            }
        }
        var line = redact(
            Self.line(
                format: format, time: LogTimestamp.now(), level: event.level, label: label,
                message: "\(event.message)", metadata: merged))
        line.append("\n")
        StandardError.write(line)
    }

    /// One entry's line, without its newline.
    static func line(
        format: Format, time: LogTimestamp, level: Logger.Level, label: String, message: String,
        metadata: Logger.Metadata
    ) -> String {
        // Keys are ASCII (``SyncLogKey``), where String's order is the bytes' order.
        let sorted = metadata.sorted { $0.key < $1.key }
        var line = ""
        line.reserveCapacity(128 + 48 * sorted.count)
        switch format {
        case .text:
            line += "time="
            time.append(to: &line)
            line += " level="
            line += level.rawValue
            line += " logger="
            LogfmtText.appendValue(label, to: &line)
            line += " msg="
            LogfmtText.appendValue(message, to: &line)
            for (key, value) in sorted {
                line += " "
                LogfmtText.appendKey(key, to: &line)
                line += "="
                switch value {
                case .string(let text): LogfmtText.appendValue(text, to: &line)
                default: LogfmtText.appendValue(value.description, to: &line)
                }
            }
        case .json:
            line += #"{"time":""#
            time.append(to: &line)
            line += #"","level":""#
            line += level.rawValue
            line += #"","logger":"#
            JSONText.appendString(label, to: &line)
            line += #","message":"#
            JSONText.appendString(message, to: &line)
            for (key, value) in sorted {
                line += ","
                JSONText.appendString(key, to: &line)
                line += ":"
                JSONText.appendValue(value, to: &line)
            }
            line += "}"
        }
        return line
    }
}

/// A wall-clock instant in whole milliseconds, written as RFC 3339 in UTC (`2026-12-02T04:29:56.123Z`).
struct LogTimestamp: Sendable, Equatable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    var milliseconds: Int64

    static func now() -> LogTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LogTimestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    func append(to line: inout String) {
        let seconds = milliseconds.floorDivided(by: 1000)
        let millisecond = Int(milliseconds - seconds * 1000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Self.civilDate(daysSince1970: days)
        // `YYYY-MM-DDTHH:MM:SS.mmmZ`, 24 ASCII bytes, written into place and appended once.
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &text) { bytes in
            func put(_ value: Int, width: Int, at offset: Int) {
                var rest = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(year, width: 4, at: 0)
            bytes[4] = UInt8(ascii: "-")
            put(month, width: 2, at: 5)
            bytes[7] = UInt8(ascii: "-")
            put(day, width: 2, at: 8)
            bytes[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, width: 2, at: 11)
            bytes[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, width: 2, at: 14)
            bytes[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, width: 2, at: 17)
            bytes[19] = UInt8(ascii: ".")
            put(millisecond, width: 3, at: 20)
            bytes[23] = UInt8(ascii: "Z")
            line += String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The proleptic Gregorian date of a day number (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSince1970 days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

/// JSON string literals, escaped as RFC 8259 requires (quote, backslash, control characters).
enum JSONText {
    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        // Most strings need no escape: append them whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            line += text
            line += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.utf8.count) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}

extension JSONText {
    /// A metadata value as JSON, keeping its type: see ``StructuredLogHandler``.
    static func appendValue(_ value: Logger.MetadataValue, to line: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &line)
        case .stringConvertible(let convertible):
            if let literal = literal(of: convertible) {
                line += literal
            } else {
                appendString(convertible.description, to: &line)
            }
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendValue(element, to: &line)
            }
            line += "]"
        case .dictionary(let entries):
            line += "{"
            for (index, entry) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line += "," }
                appendString(entry.key, to: &line)
                line += ":"
                appendValue(entry.value, to: &line)
            }
            line += "}"
        }
    }

    /// The JSON literal of a number or a Boolean; `nil` for anything else (and for an infinite or NaN number, which
    /// JSON cannot write). The common integer types are tried first: they are what the log lines carry.
    private static func literal(of value: any CustomStringConvertible & Sendable) -> String? {
        switch value {
        case let number as Int: return String(number)
        case let number as Int64: return String(number)
        case let number as Int32: return String(number)
        case let number as UInt64: return String(number)
        case let number as UInt32: return String(number)
        case let number as UInt: return String(number)
        case let number as Int16: return String(number)
        case let number as UInt16: return String(number)
        case let number as Int8: return String(number)
        case let number as UInt8: return String(number)
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Double: return number.isFinite ? number.description : nil
        case let number as Float: return number.isFinite ? number.description : nil
        default: return nil
        }
    }
}

/// logfmt keys and values (see ``StructuredLogHandler``).
enum LogfmtText {
    /// A value, quoted and escaped when a bare one would not read back as itself.
    static func appendValue(_ text: String, to line: inout String) {
        if !text.isEmpty, !text.utf8.contains(where: needsQuotes) {
            line += text
            return
        }
        // JSON's string escapes are logfmt's: `\"`, `\\`, `\n`, `\t`, `\u00XX`.
        JSONText.appendString(text, to: &line)
    }

    /// A key, bare (the dotted ASCII keys of ``SyncLogKey`` always are): logfmt has no quoted keys, so a space, `=`,
    /// `"`, `\\` or control character in a key is written as `_`.
    static func appendKey(_ key: String, to line: inout String) {
        if !key.isEmpty, !key.utf8.contains(where: needsQuotes) {
            line += key
            return
        }
        if key.isEmpty { line += "_" }
        for scalar in key.unicodeScalars {
            if scalar.isASCII, needsQuotes(UInt8(scalar.value)) {
                line += "_"
            } else {
                line.unicodeScalars.append(scalar)
            }
        }
    }

    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
            || byte == 0x7F
    }
}

/// Standard error as a raw file descriptor. A line is written whole with as many `write(2)` calls as it takes; when
/// the descriptor is closed or broken, the line is dropped (SIGPIPE is ignored by the worker, and an `EPIPE` is not
/// an error worth dying for). The command line writes its error messages with it too: Foundation's
/// `FileHandle.write(_:)` traps when the write fails.
public enum StandardError {
    /// Writes `line` as it is (add the newline).
    public static func write(_ line: String) {
        var line = line
        line.withUTF8 { buffer in
            guard var base = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = systemWrite(STDERR_FILENO, base, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                base += written
                remaining -= written
            }
        }
    }
}
