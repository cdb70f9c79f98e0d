/// Phone-number text rules of the mapping.
enum PhoneNumberText {
    /// Whether a source number means "no number": `nil`, empty, blank, or `none` in any case (RPM reads an empty
    /// number back as `" none"`).
    static func isAbsent(_ number: String?) -> Bool {
        guard let number else { return true }
        let trimmed = TextNormalization.trim(number)
        return trimmed.isEmpty || trimmed.lowercased() == "none"
    }

    /// Splits a trailing extension off a number: `"555-1234 x12"`, `"555-1234 ext 12"`, `"555-1234 ext. 12"`,
    /// `"555-1234ext12"`, `"555-1234 extension 12"` (any case) → `("555-1234", "12")`. Separators (`,` `;` `-`
    /// `/` and whitespace) between the number and the marker are dropped. Without a recognisable extension, or when
    /// nothing would be left of the number, returns `(number, nil)`.
    static func splitExtension(_ number: String) -> (number: String, ext: String?) {
        let text = TextNormalization.trim(number)
        let characters = Array(text)
        var end = characters.count
        var start = end
        while start > 0, characters[start - 1].isASCII, characters[start - 1].isNumber { start -= 1 }
        guard start < end else { return (text, nil) }
        let ext = String(characters[start..<end])
        end = start
        while end > 0, characters[end - 1].isWhitespace { end -= 1 }
        for marker in ["extension", "ext.", "ext", "x"] {
            let markerStart = end - marker.count
            guard markerStart >= 0,
                String(characters[markerStart..<end]).lowercased() == marker,
                markerStart == 0 || !characters[markerStart - 1].isLetter
            else { continue }
            var mainEnd = markerStart
            while mainEnd > 0, characters[mainEnd - 1].isWhitespace || ",;-/".contains(characters[mainEnd - 1]) {
                mainEnd -= 1
            }
            let main = String(characters[0..<mainEnd])
            guard main.contains(where: \.isNumber) else { return (text, nil) }
            return (main, ext)
        }
        return (text, nil)
    }
}
