import SyncTestSupport
import Testing

@testable import ContactSync

/// ``TextNormalization`` answers ASCII text on a byte path: it must give what the `Character` rules give, since the
/// dedupe key is built from it (another answer would make a known key look new).
@Suite("Text normalization")
struct TextNormalizationTests {
    /// The rules as written for `Character`s, the reference.
    static func referenceTrim(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(text[first...last])
    }

    static func referenceCollapse(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test("every ASCII character is whitespace on the byte path exactly when Character says so")
    func asciiWhitespace() {
        for byte in UInt8(0)..<0x80 {
            #expect(
                TextNormalization.isASCIIWhitespace(byte) == Character(Unicode.Scalar(byte)).isWhitespace, "\(byte)")
        }
    }

    @Test("trim, collapse and containsWhitespace agree with the Character rules on 5,000 seeded texts")
    func seededTexts() {
        var generator = SeededGenerator(seed: 0x7E47)
        // ASCII of every kind (CR LF pairs included), and a few texts that leave the byte path.
        let pieces = [
            " ", "\t", "\r\n", "\n", "\u{0B}", "\u{0C}", "\r", "a", "Joe", "x.y@z", "\u{1F}", "\u{0}", "-", "é",
            "\u{A0}",
            "\u{2003}", "e\u{301}", " \u{301}", "😀",
        ]
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in generator.pick(pieces) }.joined()
            #expect(TextNormalization.trim(text) == Self.referenceTrim(text), "\(text.debugDescription)")
            #expect(
                TextNormalization.collapseWhitespace(text) == Self.referenceCollapse(text), "\(text.debugDescription)")
            #expect(
                TextNormalization.containsWhitespace(text) == text.contains(where: \.isWhitespace),
                "\(text.debugDescription)")
        }
    }
}
