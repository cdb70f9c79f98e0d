import SyncTestSupport
import Testing

@testable import ContactSync

/// ``TextNormalization`` answers ASCII text on a byte path: it must give what the `Character` rules give, since the
/// dedupe key is built from it (another answer would make a known key look new).
@Suite("Text normalization")
struct TextNormalizationTests {
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
            #expect(TextNormalization.trim(text) == TextNormalization.characterTrim(text), "\(text.debugDescription)")
            #expect(
                TextNormalization.collapseWhitespace(text) == TextNormalization.characterCollapse(text),
                "\(text.debugDescription)")
            #expect(
                TextNormalization.containsWhitespace(text) == text.contains(where: \.isWhitespace),
                "\(text.debugDescription)")
        }
    }

    @Test("the email check gives the Character rules' answer on 5,000 seeded addresses")
    func emailCheck() {
        var generator = SeededGenerator(seed: 0xE4A1)
        let pieces = ["a", "bc", "@", ".", "..", " ", "\t", "x-y", "_", "é", "@\u{301}", ".\u{301}", "😀", "\r\n"]
        var answers: Set<String?> = []
        for _ in 0..<5_000 {
            let address = (0..<Int.random(in: 0...7, using: &generator)).map { _ in generator.pick(pieces) }.joined()
            let answer = ContactMapper.emailProblem(address)
            #expect(answer == ContactMapper.characterEmailProblem(address), "\(address.debugDescription)")
            answers.insert(answer)
        }
        // Every answer was reached, so both paths were held to each of them.
        #expect(answers.count == 7, "\(answers)")
    }
}
