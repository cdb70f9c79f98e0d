import Foundation
import KometClient
import SyncTestSupport
import Testing

/// ``JSONBytesWriter`` replaces `JSONEncoder` on the per-event path: its output must be `JSONEncoder`'s, byte for
/// byte, with `.sortedKeys` and `.withoutEscapingSlashes`.
@Suite("JSON bytes writer")
struct JSONBytesWriterTests {
    static let reference: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    struct Strings: Encodable {
        var a: String
        var b: String?
    }

    struct Numbers: Encodable {
        var a: Int64
        var b: Bool
        var c: Bool
    }

    func written(_ write: (inout JSONBytesWriter) -> Void) -> String {
        var writer = JSONBytesWriter()
        writer.beginObject()
        write(&writer)
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try Self.reference.encode(value), as: UTF8.self)
    }

    @Test("strings are escaped as JSONEncoder escapes them: every control character, quote, backslash, slash, Unicode")
    func strings() throws {
        var everyControl = ""
        for value in 0..<0x20 { everyControl.unicodeScalars.append(Unicode.Scalar(UInt8(value))) }
        let samples = [
            "", "plain", everyControl, #"a "quoted" \ back\slash"#, "a/b//c", "\u{7F} DEL", "é ü ß", "\u{2028}\u{2029}",
            "😀 emoji", "tail escape\n", "\"", "e\u{301} combining",
        ]
        for sample in samples {
            let mine = written {
                $0.member("a", sample)
                $0.member("b", String?.none)
            }
            #expect(mine == (try encoded(Strings(a: sample, b: nil))), "\(sample.debugDescription)")
        }
    }

    @Test("integers and booleans: the extremes, zero, negatives")
    func numbers() throws {
        for value in [Int64.min, Int64.min + 1, -1_234_567, -1, 0, 7, 10, 4_535_434, Int64.max] {
            let mine = written {
                $0.member("a", value)
                $0.member("b", true)
                $0.member("c", false)
            }
            #expect(mine == (try encoded(Numbers(a: value, b: true, c: false))))
        }
    }

    @Test("nested objects and left-out members")
    func nested() {
        let mine = written {
            $0.member("a", Int64(1))
            $0.beginObject("b")
            $0.member("c", String?.none)
            $0.endObject()
            $0.beginObject("d")
            $0.member("e", "x")
            $0.member("f", Int64?.none)
            $0.member("g", Bool?.none)
            $0.member("h", Int64(2))
            $0.endObject()
            $0.member("i", "y")
        }
        #expect(mine == #"{"a":1,"b":{},"d":{"e":"x","h":2},"i":"y"}"#)
    }

    @Test("the add body is JSONEncoder's encoding of the request plus the token, for 500 seeded requests")
    func addBodies() throws {
        var generator = SeededGenerator(seed: 0x9_2026)
        let texts = ["Joe Smith", "", "a/b", "tab\there", "quote \" and \\", "é 😀", "line\nbreak", "\u{1}"]
        func text() -> String? { generator.chance(0.3) ? nil : generator.pick(texts) }
        for _ in 0..<500 {
            let request = KometContactRequest(
                customerId: Int64.random(in: -10...Int64.max, using: &generator),
                name: generator.pick(texts), type: generator.pick(texts), phone: text(), ext: text(), mobile: text(),
                fax: text(), email: text(), description: text(), instantMessaging: text(),
                emailPOD: generator.chance(0.3) ? nil : generator.chance(0.5))
            let token = generator.pick(["t0k", "with/slash", "q\"uote"])
            let expected = try encoded(JSONObjectAddingMember(request, adding: "authenticationToken", token))
            #expect(String(decoding: request.addBody(token: token), as: UTF8.self) == expected)
        }
    }
}
