import Foundation
import Logging
import Testing

@testable import ContactSync

@Suite("the structured log line")
struct StructuredLogHandlerTests {
    let time = LogTimestamp(milliseconds: 1_796_185_796_007)  // 2026-12-02T04:29:56.007Z

    @Test("JSON: time, level, logger and message first, then the metadata sorted by key, each value of its type")
    func jsonLine() throws {
        let line = StructuredLogHandler.line(
            format: .json, time: time, level: .info, label: "komet-contact-sync", message: "contact synced",
            metadata: [
                "kafka.partition": .stringConvertible(Int32(3)), "dedupe.key": "k-1",
                "komet.attempts": .stringConvertible(1), "kafka.offset": .stringConvertible(Int64(6)),
            ])
        #expect(
            line
                == #"{"time":"2026-12-02T04:29:56.007Z","level":"info","logger":"komet-contact-sync","#
                + #""message":"contact synced","dedupe.key":"k-1","kafka.offset":6,"kafka.partition":3,"#
                + #""komet.attempts":1}"#
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object.count == 8)
        #expect(object["kafka.offset"] as? Int == 6)
        #expect(object["dedupe.key"] as? String == "k-1")
    }

    @Test("JSON: integers of every width, Booleans, finite and non-finite doubles, arrays, dictionaries")
    func jsonTypes() throws {
        let line = StructuredLogHandler.line(
            format: .json, time: time, level: .debug, label: "l", message: "m",
            metadata: [
                "a.int64": .stringConvertible(Int64.min), "b.uint64": .stringConvertible(UInt64.max),
                "c.uint8": .stringConvertible(UInt8(7)), "d.bool": .stringConvertible(true),
                "e.double": .stringConvertible(0.25), "f.nan": .stringConvertible(Double.nan),
                "g.array": [.stringConvertible(1), "two"], "h.dict": ["z": .stringConvertible(false), "y": "x"],
                "i.custom": .stringConvertible(TopicPartitionLike()), "j.numeric.text": "42",
            ])
        #expect(line.contains(#""a.int64":-9223372036854775808,"b.uint64":18446744073709551615,"c.uint8":7,"#))
        #expect(line.contains(#""d.bool":true,"e.double":0.25,"f.nan":"nan","g.array":[1,"two"],"#))
        #expect(line.contains(#""h.dict":{"y":"x","z":false},"i.custom":"t/1","j.numeric.text":"42"}"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["d.bool"] as? Bool == true)
        #expect(object["g.array"] as? [Any] != nil)
        #expect(object["j.numeric.text"] as? String == "42", "a string that looks like a number stays a string")
    }

    /// A value whose description is not a JSON literal.
    private struct TopicPartitionLike: CustomStringConvertible, Sendable {
        var description: String { "t/1" }
    }

    @Test("JSON: time is RFC 3339 with its zone (Z), and parses as the instant it names")
    func jsonTimeIsRFC3339() throws {
        let line = StructuredLogHandler.line(
            format: .json, time: time, level: .info, label: "l", message: "m", metadata: [:])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let text = try #require(object["time"] as? String)
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(parser.date(from: text))
        #expect(Int64((date.timeIntervalSince1970 * 1000).rounded()) == time.milliseconds)
        #expect(text.hasSuffix("Z"))
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

    @Test("text: logfmt, time, level, logger and msg first, then key=value sorted by key")
    func textLine() {
        let line = StructuredLogHandler.line(
            format: .text, time: time, level: .error, label: "worker", message: "cannot publish",
            metadata: ["topic": "t", "error": "boom", "kafka.offset": .stringConvertible(6)])
        #expect(
            line == #"time=2026-12-02T04:29:56.007Z level=error logger=worker msg="cannot publish" error=boom "#
                + "kafka.offset=6 topic=t")
    }

    @Test("text: every value a logfmt parser reads back exactly, spaces, quotes, = and newlines included")
    func textRoundTrip() throws {
        let awkward = [
            "", "plain", "two words", "a=b", "say \"hi\"", #"back\slash"#, "line\nbreak\ttab", "é ✓", " lead",
        ]
        var metadata: Logger.Metadata = [:]
        for (index, value) in awkward.enumerated() { metadata["k\(index)"] = .string(value) }
        metadata["bad key=\"x\""] = "v"
        let line = StructuredLogHandler.line(
            format: .text, time: time, level: .info, label: "my logger", message: "hello world", metadata: metadata)
        #expect(!line.contains("\n"))
        let pairs = try #require(Logfmt.parse(line), "not logfmt: \(line)")
        let values = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        #expect(pairs.count == 4 + awkward.count + 1)
        #expect(values["time"] == "2026-12-02T04:29:56.007Z")
        #expect(values["level"] == "info")
        #expect(values["logger"] == "my logger")
        #expect(values["msg"] == "hello world")
        for (index, value) in awkward.enumerated() {
            #expect(values["k\(index)"] == value, "k\(index)")
        }
        #expect(values["bad_key__x_"] == "v")
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

/// A strict logfmt reader (the grammar of go-logfmt): `key=value` pairs separated by spaces; a key is one or more
/// bytes other than space, `=` and `"`; a value is bare (no space, `=` or `"`) or a quoted string with JSON escapes.
/// `nil` for anything that is not logfmt.
enum Logfmt {
    static func parse(_ line: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        var rest = Substring(line)
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { return nil }
            let key = rest[..<equals]
            guard !key.isEmpty, !key.contains(where: { $0 == " " || $0 == "\"" }) else { return nil }
            rest = rest[rest.index(after: equals)...]
            let value: String
            if rest.first == "\"" {
                // The quoted string ends at the first quote not escaped by a backslash.
                var index = rest.index(after: rest.startIndex)
                var escaped = false
                while index < rest.endIndex {
                    let character = rest[index]
                    if escaped {
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    }
                    index = rest.index(after: index)
                }
                guard index < rest.endIndex else { return nil }
                let literal = rest[rest.startIndex...index]
                guard let decoded = try? JSONDecoder().decode(String.self, from: Data(literal.utf8)) else { return nil }
                value = decoded
                rest = rest[rest.index(after: index)...]
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                let bare = rest[..<end]
                guard !bare.contains(where: { $0 == "=" || $0 == "\"" }) else { return nil }
                value = String(bare)
                rest = rest[end...]
            }
            pairs.append((String(key), value))
            guard rest.isEmpty || rest.first == " " else { return nil }
            rest = rest.drop(while: { $0 == " " })
        }
        return pairs
    }
}
