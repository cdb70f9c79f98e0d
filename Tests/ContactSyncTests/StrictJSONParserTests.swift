import Testing

@testable import ContactSync

@Suite("Strict JSON parser (RFC 8259)")
struct StrictJSONParserTests {
    static func parse(_ text: String) throws(StrictJSONParser.Failure) -> EventJSONValue {
        try StrictJSONParser.parse(Array(text.utf8))
    }

    @Test(
        "valid documents",
        arguments: [(String, EventJSONValue)]([
            (
                #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#,
                EventJSONValue.object([
                    "a": .integer(1), "b": .array([.bool(true), .bool(false), .null]),
                    "c": .object(["d": .string("e")]),
                ])
            ),
            (" [ ] ", .array([])),
            ("{ }", .object([:])),
            ("1.0", .integer(1)),
            ("1e2", .integer(100)),
            ("-0", .integer(0)),
            ("1.5", .number(1.5)),
            ("-2.5E-3", .number(-0.0025)),
            ("1e400", .number(.infinity)),
            ("-1e400", .number(-.infinity)),
            ("9223372036854775807", .integer(Int64.max)),
            ("9223372036854775808", .number(9_223_372_036_854_775_808)),
            (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{08}\u{0C}\n\r\t")),
            (#""\u00e9\uD83D\uDE00 é😀""#, .string("é😀 é😀")),
            (#""\u0000""#, .string("\u{0}")),
            ("\u{FEFF}{\"a\":1}", .object(["a": .integer(1)])),
            (#"{"a":1,"a":2}"#, .object(["a": .integer(2)])),
        ]))
    func valid(_ text: String, _ expected: EventJSONValue) throws {
        #expect(try Self.parse(text) == expected)
    }

    @Test(
        "invalid documents name the problem and its byte",
        arguments: [(String, String, Int)]([
            (#"{"a":1,}"#, "trailing comma in an object", 7),
            ("[1,]", "trailing comma in an array", 3),
            (#"{"a":[1,2,],"b":2}"#, "trailing comma in an array", 10),
            ("", "unexpected end of input", 0),
            ("   ", "unexpected end of input", 3),
            (#"{"a":1}x"#, "unexpected content after the value", 7),
            (#"{'a':1}"#, "expected a member name", 1),
            ("01", "leading zero in a number", 1),
            ("+1", "unexpected character", 0),
            (".5", "unexpected character", 0),
            ("1.", "expected a digit after '.'", 2),
            ("1e", "expected a digit in the exponent", 2),
            ("NaN", "unexpected character", 0),
            ("tru", "unexpected character", 0),
            (#"{"a" 1}"#, "expected ':' after a member name", 5),
            (#"{"a":1 "b":2}"#, "expected ',' or '}' in an object", 7),
            ("[1 2]", "expected ',' or ']' in an array", 3),
            ("\"a\u{01}b\"", "unescaped control character in a string", 2),
            (#""\x""#, "invalid escape", 3),
            (#""\uD800""#, "unpaired surrogate in \\u escape", 7),
            (#""\uDC00""#, "unpaired surrogate in \\u escape", 7),
            (#""\u12G4""#, "invalid hex digit in \\u escape", 5),
            (#""abc"#, "unterminated string", 4),
        ]))
    func invalid(_ text: String, _ reason: String, _ offset: Int) {
        #expect(throws: StrictJSONParser.Failure(offset: offset, reason: reason)) { try Self.parse(text) }
    }

    @Test func nestingIsLimited() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try Self.parse(ok) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: StrictJSONParser.Failure(offset: 512, reason: "nested deeper than 512 levels")) {
            try Self.parse(deep)
        }
    }
}
