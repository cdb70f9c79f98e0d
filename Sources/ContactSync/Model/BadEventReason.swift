/// Stable reason codes for bad events. The raw value is the code published in the DLQ header `komet-sync.reason`;
/// never rename one.
public enum BadEventReason: String, Sendable, CaseIterable {
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
}
