import Foundation
import Logging
import Testing

@testable import ContactSync

@Suite("the structured log line")
struct StructuredLogHandlerTests {
    let time = LogTimestamp(milliseconds: 1_796_185_796_007)  // 2026-12-02T04:29:56.007Z

    @Test("JSON: time, level, logger and message first, then the metadata sorted by key, every value a string")
    func jsonLine() throws {
        let line = StructuredLogHandler.line(
            format: .json, time: time, level: .info, label: "komet-contact-sync", message: "contact synced",
            metadata: ["partition": "3", "dedupe.key": "k-1", "attempts": "1", "kafka.offset": "6"])
        #expect(
            line
                == #"{"time":"2026-12-02T04:29:56.007Z","level":"info","logger":"komet-contact-sync","#
                + #""message":"contact synced","attempts":"1","dedupe.key":"k-1","kafka.offset":"6","partition":"3"}"#
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object.count == 8)
    }

    @Test("JSON: quotes, backslashes, control characters and non-ASCII text survive a round trip")
    func jsonEscaping() throws {
        let awkward = "a \"quoted\" \\ path\nnext\tline \u{01} é ✓ 𝄞"
        let line = StructuredLogHandler.line(
            format: .json, time: time, level: .warning, label: "l", message: awkward,
            metadata: ["komet.detail": .string(awkward)])
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == awkward)
        #expect(object["komet.detail"] == awkward)
        #expect(object["level"] == "warning")
    }

    @Test("text: time, level, logger: message, then key=value sorted by key")
    func textLine() {
        let line = StructuredLogHandler.line(
            format: .text, time: time, level: .error, label: "worker", message: "cannot publish",
            metadata: ["topic": "t", "error": "boom"])
        #expect(line == "2026-12-02T04:29:56.007Z error worker: cannot publish error=boom topic=t")
    }

    @Test(
        "the timestamp is RFC 3339 in UTC with milliseconds, also at the edges of days, leap years and 1970",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"),
            (Int64(951_782_400_000), "2000-02-29T00:00:00.000Z"),
            (Int64(1_709_251_199_999), "2024-02-29T23:59:59.999Z"),
            (Int64(1_798_761_599_123), "2026-12-31T23:59:59.123Z"),
            (Int64(-1), "1969-12-31T23:59:59.999Z"),
        ])
    func timestamps(milliseconds: Int64, expected: String) {
        var text = ""
        LogTimestamp(milliseconds: milliseconds).append(to: &text)
        #expect(text == expected)
    }

    @Test("the timestamp agrees with Foundation's ISO 8601 formatter for the current time")
    func timestampMatchesFoundation() {
        let now = LogTimestamp.now()
        var text = ""
        now.append(to: &text)
        // Half a millisecond in: Foundation truncates, and a whole millisecond is not exact in binary.
        let date = Date(timeIntervalSince1970: (Double(now.milliseconds) + 0.5) / 1000)
        let foundation = date.formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
        #expect(text == foundation)
    }
}
