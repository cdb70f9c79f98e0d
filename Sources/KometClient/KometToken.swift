import Foundation

/// Komet's `authenticationToken`: the secret. Its descriptions (and `dump`) show `<redacted>`; it is never logged.
public struct KometToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The secret itself; only the client reads it, to build requests.
    let value: String
    /// The token percent-encoded, as it appears in a URL's query.
    private let encodedValue: String

    public init(_ value: String) {
        self.value = value
        self.encodedValue = KometURLEncoding.encodeQueryValue(value)
    }

    /// Loads the token from the environment variable `variable` or, when that is unset or empty, from the file at
    /// `file` (surrounding whitespace and the trailing newline trimmed).
    ///
    /// - Throws: `KometTokenError` naming the variable or file (never a value) when neither gives a non-empty token.
    public static func load(
        environment: [String: String],
        variable: String = "KOMET_TOKEN",
        file: String?
    ) throws -> KometToken {
        if let raw = environment[variable] {
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { return KometToken(trimmed) }
        }
        func failure(_ code: KometTokenError.Code, _ reason: String) -> KometTokenError {
            KometTokenError(
                code: code,
                message: "no Komet token: environment variable \(variable) is unset or empty and \(reason)"
            )
        }
        guard let file else {
            throw failure(.tokenMissing, "no token file is configured")
        }
        let contents: String
        do {
            contents = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw failure(.tokenFileUnreadable, "the token file \(file) cannot be read")
        }
        let trimmed = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw failure(.tokenEmpty, "the token file \(file) is empty")
        }
        return KometToken(trimmed)
    }

    /// Replaces every occurrence of the token (as is, and percent-encoded as it appears in a URL) in `text`
    /// with `<redacted>`.
    public func redact(_ text: String) -> String {
        guard !value.isEmpty else { return text }
        // Nearly every text holds neither form: a byte search answers that without Foundation's string machinery.
        let encoded = encodedValue
        guard Self.occurs(value, in: text) || (encoded != value && Self.occurs(encoded, in: text)) else { return text }
        var result = text.replacingOccurrences(of: value, with: "<redacted>")
        if encoded != value {
            result = result.replacingOccurrences(of: encoded, with: "<redacted>")
        }
        return result
    }

    /// Whether `needle` occurs in `text`, compared byte for byte in UTF-8.
    private static func occurs(_ needle: String, in text: String) -> Bool {
        let haystack = text.utf8
        let pattern = needle.utf8
        guard let first = pattern.first, haystack.count >= pattern.count else { return false }
        var start = haystack.startIndex
        while let found = haystack[start...].firstIndex(of: first) {
            if haystack[found...].starts(with: pattern) { return true }
            start = haystack.index(after: found)
        }
        return false
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "KometToken(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: ["value": "<redacted>"]) }
}
