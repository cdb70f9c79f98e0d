/// The `status` of a success record.
public enum SuccessStatus: String, Codable, Sendable, CaseIterable {
    /// Komet created the contact now.
    case created
    /// The key was already `done`: no call was made; `komet.contactId` is the first contact.
    case duplicate
    /// An earlier attempt's outcome was unknown and the contact was found in Komet.
    case reconciled
}
