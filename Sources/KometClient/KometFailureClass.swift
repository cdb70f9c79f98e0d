/// The failure classes of DESIGN.md ("Failures" table), as far as a single Komet call can tell.
///
/// Every failed call lands in exactly one class; the class, not the message, decides what the caller does.
public enum KometFailureClass: String, Sendable, Hashable, CaseIterable {
    /// Komet refused the call on its merits (HTTP 2xx with `status: 0`, or another 4xx). Retrying cannot help.
    case rejected
    /// The call certainly did not take effect (nothing was sent, or Komet answered 408/5xx). Safe to retry later.
    case transient
    /// The request was sent but no complete answer came back: the contact may or may not exist now.
    case ambiguous
    /// Komet answered 429 or a quota message. Wait (see `KometError.retryAfter`) and call again.
    case throttled
    /// The token is bad or lacks permission (401/403, or a token/permission message). Every call will fail alike.
    case systemic
}
