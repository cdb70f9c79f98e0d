/// Why an event was dead-lettered: the one list of reason codes. The raw value is the code published in the DLQ header
/// `komet-sync.reason`, counted in metrics and logged; never rename one.
///
/// Most are bad-event reasons (``isBadEvent``): the input itself can never succeed, and no call is made. The last four
/// come from Komet's answers or from the pipeline.
public enum DeadLetterReason: String, Sendable, CaseIterable {
    // Decoding
    case emptyPayload = "empty_payload"
    case payloadTooLarge = "payload_too_large"
    case invalidUTF8 = "invalid_utf8"
    case invalidJSON = "invalid_json"
    case notAnObject = "not_an_object"
    case invalidCloudEvent = "invalid_cloudevent"
    case unsupportedContentType = "unsupported_content_type"
    case missingContact = "missing_contact"
    case missingCustomerID = "missing_customer_id"
    case invalidCustomerID = "invalid_customer_id"
    case invalidFieldType = "invalid_field_type"
    // Mapping and Komet's documented limits
    case unknownCustomer = "unknown_customer"
    case emptyName = "empty_name"
    case nameTooLong = "name_too_long"
    case typeTooLong = "type_too_long"
    case unregisteredContactType = "unregistered_contact_type"
    case invalidPhoneType = "invalid_phone_type"
    case tooManyPhoneNumbers = "too_many_phone_numbers"
    case phoneTooLong = "phone_too_long"
    case extTooLong = "ext_too_long"
    case mobileTooLong = "mobile_too_long"
    case faxTooLong = "fax_too_long"
    case invalidEmail = "invalid_email"
    case emailTooLong = "email_too_long"
    case requestTooLarge = "request_too_large"
    // Keying
    case missingKey = "missing_key"
    // Komet's answers and the pipeline
    /// Komet refused the request on its merits (status 0: customer not found, type not registered, ...).
    case kometRejected = "komet_rejected"
    /// Transient failures went on past the retry policy's limits.
    case retriesExhausted = "retries_exhausted"
    /// An earlier call may have created the contact, and the ambiguous policy is `deadLetter`.
    case ambiguousOutcome = "ambiguous_outcome"
    /// Something unexpected went wrong with this event; the detail says what.
    case internalError = "internal_error"

    /// Whether the reason is about the input itself (decoding, mapping, Komet's documented limits, keying).
    public var isBadEvent: Bool {
        switch self {
        case .kometRejected, .retriesExhausted, .ambiguousOutcome, .internalError: false
        default: true
        }
    }

    /// The reasons a bad event can have.
    public static let badEventReasons: [DeadLetterReason] = allCases.filter(\.isBadEvent)
}
