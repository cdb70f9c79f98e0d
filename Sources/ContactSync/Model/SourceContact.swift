/// The `Contact` object of a ``CustomerContactAdd`` event. Every field is optional in the source.
public struct SourceContact: Sendable, Hashable {
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var salutation: String?
    public var title: String?
    /// The listed phone numbers, in event order (RPM allows up to 4).
    public var phoneNumbers: [SourcePhoneNumber]

    public init(
        email: String? = nil,
        firstName: String? = nil,
        lastName: String? = nil,
        salutation: String? = nil,
        title: String? = nil,
        phoneNumbers: [SourcePhoneNumber] = []
    ) {
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.salutation = salutation
        self.title = title
        self.phoneNumbers = phoneNumbers
    }
}
