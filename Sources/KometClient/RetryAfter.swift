import Foundation

/// Parses an HTTP `Retry-After` value: delay-seconds, or an HTTP date (IMF-fixdate, RFC 850 or asctime).
enum RetryAfter {
    static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(trimmed) {
            return seconds >= 0 ? .seconds(seconds) : nil
        }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                let milliseconds = Int64((date.timeIntervalSince(now) * 1000).rounded(.up))
                return .milliseconds(max(0, milliseconds))
            }
        }
        return nil
    }
}
