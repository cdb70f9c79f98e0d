import Foundation

/// Komet's `authenticationToken`: the secret. Its descriptions (and `dump`) show `<redacted>`; it is never logged.
public struct KometToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The secret itself; only the client reads it, to build requests.
    let value: String

    public init(_ value: String) {
        self.value = value
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
        var result = text.replacingOccurrences(of: value, with: "<redacted>")
        let encoded = KometURLEncoding.encodeQueryValue(value)
        if encoded != value {
            result = result.replacingOccurrences(of: encoded, with: "<redacted>")
        }
        return result
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "KometToken(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: ["value": "<redacted>"]) }
}
