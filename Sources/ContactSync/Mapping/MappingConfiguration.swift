/// How ``ContactMapper`` turns a source event into a Komet request. Every property has a documented default.
public struct MappingConfiguration: Sendable {
    /// The contact type sent when no ``contactTypeByTitle`` entry matches. Default "Buyer".
    public var defaultContactType: String = "Buyer"
    /// The contact types registered in Komet (exact spelling). Komet's defaults are "None", "Buyer" and "A/P".
    public var registeredContactTypes: Set<String> = ["None", "Buyer", "A/P"]
    /// Optional map from the contact's `Title` (matched trimmed and ignoring case) to a contact type.
    public var contactTypeByTitle: [String: String] = [:]
    /// Source customer id → Komet customer id. When set, an id absent from it is a bad event
    /// (``DeadLetterReason/unknownCustomer``); when `nil`, ids pass through unchanged.
    public var customerIDMap: [Int64: Int64]? = nil
    /// When `true`, `emailPOD` = `IsPrimary ?? false`; when `false` (default) `emailPOD` is left out.
    public var sendEmailPOD: Bool = false
    /// The text added to the description of a primary contact (`IsPrimary == true`).
    public var descriptionPrimaryText = "primary contact"
}
