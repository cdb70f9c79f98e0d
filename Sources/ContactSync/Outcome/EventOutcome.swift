import KometClient

/// The terminal result of one event.
enum EventOutcome: Sendable {
    /// `duplicateOf` is the key's first contact, for a `duplicate`.
    case success(
        SuccessStatus, contactId: Int64, message: String, request: KometContactRequest, duplicateOf: DuplicateOf? = nil)
    case deadLetter(reason: DeadLetterReason, detail: String, httpStatus: Int?)

    /// The status (`created`, `duplicate`, `reconciled`) or the dead-letter reason, as counted and logged.
    var label: String {
        switch self {
        case .success(let status, _, _, _, _): status.rawValue
        case .deadLetter(let reason, _, _): reason.rawValue
        }
    }

    /// The customer a success names (`komet.customerId`, and its log line's): the first contact's for a duplicate
    /// (the event's own only when the key's row predates the stores keeping it), else the event's.
    static func customerId(request: KometContactRequest, duplicateOf: DuplicateOf?) -> Int64 {
        duplicateOf?.customerId ?? request.customerId
    }
}
