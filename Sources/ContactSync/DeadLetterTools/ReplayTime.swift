import Foundation

/// The times of `dlq replay --since/--until`: an RFC 3339 time (`2026-12-04T01:00:00Z`, fractional seconds and an
/// offset allowed) or a duration ago (`30s`, `15m`, `2h`, `7d`).
public enum ReplayTime {
    /// The time `text` names, relative to `now` for a duration. `option` names the option in the error.
    public static func parse(_ text: String, option: String, now: Date) throws(DeadLetterToolError) -> Date {
        if let ago = durationAgo(text) {
            return now.addingTimeInterval(-ago)
        }
        for style in styles {
            if let date = try? style.parse(text) { return date }
        }
        throw DeadLetterToolError(
            "\(option): '\(text)' is neither an RFC 3339 time (e.g. 2026-12-04T01:00:00Z) nor a duration ago "
                + "(e.g. 30m, 2h, 7d)")
    }

    /// Milliseconds since 1970 as RFC 3339 in UTC with milliseconds, e.g. `2026-12-04T01:00:00.000Z`.
    public static func format(milliseconds: Int64) -> String {
        OutcomeTimestamp.format(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    private static let styles: [Date.ISO8601FormatStyle] = [
        Date.ISO8601FormatStyle(includingFractionalSeconds: true),
        Date.ISO8601FormatStyle(),
    ]

    /// Seconds for `Ns`, `Nm`, `Nh`, `Nd` (N a whole number); nil otherwise.
    private static func durationAgo(_ text: String) -> TimeInterval? {
        let units: [(Character, TimeInterval)] = [("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        guard let last = text.last, let unit = units.first(where: { $0.0 == last })?.1 else { return nil }
        let number = text.dropLast()
        guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber), let value = Int(number)
        else { return nil }
        return TimeInterval(value) * unit
    }
}
