/// An event that can never succeed as it is: it goes to the dead-letter topic at once, without a call to Komet.
///
/// `detail` is human-readable and names the offending field, e.g.
/// `"Contact.PhoneNumbers[2].Type: unrecognized phone type 9"`. It never holds the Komet token and quotes no
/// personal data (names, emails and numbers are described by position and length, not echoed). It is at most
/// ``BadEvent/maxDetailCharacters`` characters long.
public struct BadEvent: Error, Sendable, Equatable, CustomStringConvertible {
    /// The upper bound of ``detail``, in characters.
    public static let maxDetailCharacters = 1_000

    public var reason: DeadLetterReason
    public var detail: String

    public init(_ reason: DeadLetterReason, _ detail: String) {
        self.reason = reason
        self.detail = TextNormalization.truncate(detail, toCharacters: Self.maxDetailCharacters)
    }

    public init(reason: DeadLetterReason, detail: String) {
        self.init(reason, detail)
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
