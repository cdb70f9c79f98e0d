/// The answer to a successful `customer.contact.add` call.
public struct KometAddResult: Sendable, Hashable {
    /// Komet's id of the contact that was just created.
    public var contactId: Int64
    /// Komet's message, e.g. "Contact was successfully saved".
    public var message: String

    /// A result with Komet's contact id and message.
    public init(contactId: Int64, message: String) {
        self.contactId = contactId
        self.message = message
    }
}
