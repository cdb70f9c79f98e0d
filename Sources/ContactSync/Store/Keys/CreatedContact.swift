import KometClient

/// What a `done` key keeps of the contact it created (DESIGN.md: `done(contactId, customerId, at)`), so that a later
/// event with the same key is answered `duplicate` naming the first contact, its customer, and whether its own
/// request differs from the one that created it.
public struct CreatedContact: Sendable, Equatable {
    /// Komet's id of the contact.
    public var contactId: Int64
    /// The customer the contact was created for. `nil` only for a row recorded before the stores kept it (SQLite
    /// migration `v5-first-contact`, PostgreSQL migration 7), or rebuilt from a success record that did not say.
    public var customerId: Int64?
    /// The digest of the request that created the contact. `nil` when it is unknown: a row from before the stores kept
    /// it, a contact found by a reconciliation of another record's call, or a row rebuilt from a `duplicate` record.
    public var requestDigest: RequestDigest?

    public init(contactId: Int64, customerId: Int64?, requestDigest: RequestDigest?) {
        self.contactId = contactId
        self.customerId = customerId
        self.requestDigest = requestDigest
    }

    /// The contact `request` created: its customer and its digest are both known.
    public init(contactId: Int64, createdBy request: KometContactRequest) {
        self.init(contactId: contactId, customerId: request.customerId, requestDigest: RequestDigest(of: request))
    }

    /// What is known after `other` is learnt about the same key: the other contact as it is when it is another
    /// contact; the same contact with whatever either knows otherwise (a rebuild or a late write that knows less never
    /// erases what was known).
    func merged(with other: CreatedContact) -> CreatedContact {
        guard other.contactId == contactId else { return other }
        return CreatedContact(
            contactId: contactId, customerId: other.customerId ?? customerId,
            requestDigest: other.requestDigest ?? requestDigest)
    }
}
