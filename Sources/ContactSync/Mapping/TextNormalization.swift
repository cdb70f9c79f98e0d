/// The text rules shared by mapping, keying and outcome records. All lengths are counted in `Character`s
/// (extended grapheme clusters, Swift's `String.count`), the unit Komet's "string:N" limits are checked in.
///
/// Whitespace is `Character.isWhitespace`. Most event text is ASCII, where a character is one byte (a CR LF pair
/// is one character of two whitespace bytes, which trims and collapses the same either way): ASCII text takes a
/// byte path that gives the same result without breaking the text into grapheme clusters. The tests hold the two
/// paths to the same answers.
enum TextNormalization {
    /// `text` without leading and trailing whitespace (including newlines).
    static func trim(_ text: String) -> String {
        asciiTrim(text) ?? characterTrim(text)
    }

    /// `text` trimmed, with every run of whitespace inside replaced by one space.
    static func collapseWhitespace(_ text: String) -> String {
        asciiCollapse(text) ?? characterCollapse(text)
    }

    /// Whether any character of `text` is whitespace.
    static func containsWhitespace(_ text: String) -> Bool {
        let utf8 = text.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) { return utf8.contains(where: isASCIIWhitespace) }
        return text.contains(where: \.isWhitespace)
    }

    /// `text` cut to at most `limit` characters, ending in "…" when it was cut.
    static func truncate(_ text: String, toCharacters limit: Int) -> String {
        guard text.count > limit else { return text }
        guard limit > 0 else { return "" }
        return String(text.prefix(limit - 1)) + "…"
    }

    // MARK: - By Character: any text (the rules themselves)

    static func characterTrim(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(text[first...last])
    }

    static func characterCollapse(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    // MARK: - The ASCII path

    /// The ASCII characters whose `isWhitespace` is true: tab, line feed, vertical tab, form feed, carriage return,
    /// space.
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// ``trim(_:)`` of ASCII text; `nil` for any other.
    private static func asciiTrim(_ text: String) -> String? {
        let utf8 = text.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        guard let first = utf8.firstIndex(where: { !isASCIIWhitespace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !isASCIIWhitespace($0) }) ?? first
        if first == utf8.startIndex, last == utf8.index(before: utf8.endIndex) { return text }
        return String(text[first...last])
    }

    /// ``collapseWhitespace(_:)`` of ASCII text; `nil` for any other.
    private static func asciiCollapse(_ text: String) -> String? {
        let utf8 = text.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var pendingSpace = false
        for byte in utf8 {
            if isASCIIWhitespace(byte) {
                pendingSpace = !bytes.isEmpty
            } else {
                if pendingSpace { bytes.append(0x20) }
                pendingSpace = false
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
