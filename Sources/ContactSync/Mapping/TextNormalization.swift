/// The text rules shared by mapping, keying and outcome records. All lengths are counted in `Character`s
/// (extended grapheme clusters, Swift's `String.count`), the unit Komet's "string:N" limits are checked in.
enum TextNormalization {
    /// `text` without leading and trailing whitespace (including newlines).
    static func trim(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(text[first...last])
    }

    /// `text` trimmed, with every run of whitespace inside replaced by one space.
    static func collapseWhitespace(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `text` cut to at most `limit` characters, ending in "…" when it was cut.
    static func truncate(_ text: String, toCharacters limit: Int) -> String {
        guard text.count > limit else { return text }
        guard limit > 0 else { return "" }
        return String(text.prefix(limit - 1)) + "…"
    }
}
