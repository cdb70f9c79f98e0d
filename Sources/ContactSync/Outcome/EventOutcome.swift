import KometClient

/// The terminal result of one event.
enum EventOutcome: Sendable {
    case success(SuccessStatus, contactId: Int64, message: String, request: KometContactRequest)
    case deadLetter(reason: DeadLetterReason, detail: String, httpStatus: Int?)

    /// The status (`created`, `duplicate`, `reconciled`) or the dead-letter reason, as counted and logged.
    var label: String {
        switch self {
        case .success(let status, _, _, _): status.rawValue
        case .deadLetter(let reason, _, _): reason.rawValue
        }
    }
}
