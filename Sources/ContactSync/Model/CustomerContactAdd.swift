/// The payload of a contact-created event: RPM's `CustomerContactAdd` call.
///
/// JSON shape: `{"Contact": {...}, "CustomerID": int, "IsPrimary": bool}`. Unknown fields are ignored by
/// ``ContactEventDecoder``.
public struct CustomerContactAdd: Sendable, Hashable {
    /// The contact to create.
    public var contact: SourceContact
    /// The source system's customer id (always positive once decoded).
    public var customerID: Int64
    /// Whether this is the customer's primary contact; `nil` when the event does not say.
    public var isPrimary: Bool?

    public init(contact: SourceContact, customerID: Int64, isPrimary: Bool? = nil) {
        self.contact = contact
        self.customerID = customerID
        self.isPrimary = isPrimary
    }
}
