/// Metadata keys of the client's log lines, in one place.
enum KometLogKey {
    static let method = "komet.method"
    static let customerId = "komet.customer_id"
    static let httpStatus = "komet.http_status"
    static let failureClass = "komet.failure_class"
    static let code = "komet.code"
    static let contactId = "komet.contact_id"
    static let durationMs = "komet.duration_ms"
    /// The token file (its path; never its contents).
    static let tokenFile = "komet.token_file"
}
