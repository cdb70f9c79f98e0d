/// The kinds of input event the generator makes, and the outcome the worker must give each.
enum EventKind: String, CaseIterable, Hashable {
    case valid
    case invalidJSON
    case invalidPhoneType
    case tooManyPhoneNumbers
    case emptyName
    case emailTooLong
    case missingCustomerID
    case unknownCustomer

    /// Every bad kind, each of which must be dead-lettered.
    static let badKinds: [EventKind] = allCases.filter { $0 != .valid }

    /// The `komet-sync.reason` header the dead letter must carry (nil for valid events).
    var expectedReason: String? {
        switch self {
        case .valid: nil
        case .invalidJSON: "invalid_json"
        case .invalidPhoneType: "invalid_phone_type"
        case .tooManyPhoneNumbers: "too_many_phone_numbers"
        case .emptyName: "empty_name"
        case .emailTooLong: "email_too_long"
        case .missingCustomerID: "missing_customer_id"
        case .unknownCustomer: "komet_rejected"
        }
    }
}
