import Logging

/// The two Komet Sales calls this service makes.
///
/// Implementations make exactly one HTTP request per call and never retry on their own: every request spends
/// Komet's daily quota, so retry policy belongs to the caller.
public protocol KometAPI: Sendable {
    /// Creates a contact with `customer.contact.add`. Not idempotent: a call that fails with
    /// `KometFailureClass.ambiguous` may have created the contact.
    func addContact(_ request: KometContactRequest, logger: Logger) async throws(KometError) -> KometAddResult

    /// Lists a customer's contacts with `customer.contact.list` (read-only, so never `ambiguous`).
    func listContacts(customerId: Int64, logger: Logger) async throws(KometError) -> [KometContact]
}
