/// Why Komet calls are paused: the one list the call gate, `/ready`, the metrics and the logs share. The raw value is
/// what they show.
public enum PauseReason: String, Sendable, CaseIterable {
    /// HTTP 429 (or a throttle message): wait for `Retry-After`.
    case throttled
    /// The daily quota is spent: wait for its reset, probing now and then.
    case quota
    /// Komet (or the way to it) is down: transient failures in a row.
    case unavailable
    /// The token or its permissions are refused: consumption pauses too, and `/ready` says so.
    case systemic

    /// Whether consumption pauses too (every event would fail alike), and the replica reports itself unready.
    public var stopsConsumption: Bool { self == .systemic }
}
