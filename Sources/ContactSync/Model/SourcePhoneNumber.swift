/// One entry of `Contact.PhoneNumbers`.
public struct SourcePhoneNumber: Sendable, Hashable {
    /// The number as written; `nil`, blank or `"none"` mean "no number" (see ``ContactMapper``).
    public var number: String?
    public var phoneNumberID: Int64?
    /// RPM's phone type: Business = 1, Home = 2, Fax = 3, Other = 6. Other values are kept here and refused by
    /// ``ContactMapper`` with ``DeadLetterReason/invalidPhoneType``.
    public var type: Int

    public init(number: String?, phoneNumberID: Int64? = nil, type: Int) {
        self.number = number
        self.phoneNumberID = phoneNumberID
        self.type = type
    }

    /// RPM's phone types.
    public enum Kind: Int, Sendable, CaseIterable {
        case business = 1
        case home = 2
        case fax = 3
        case other = 6

        /// The label used in a contact's description, e.g. "Business: 555-1234".
        public var label: String {
            switch self {
            case .business: "Business"
            case .home: "Home"
            case .fax: "Fax"
            case .other: "Other"
            }
        }
    }

    /// The type as a ``Kind``, or `nil` when it is not one RPM defines.
    public var kind: Kind? { Kind(rawValue: type) }
}
