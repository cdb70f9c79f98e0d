/// The fault one API call gets, drawn by `SimulatorState.beginCall`.
enum SimulatedFault: Sendable, Equatable {
    case none
    /// Answer 503, unprocessed.
    case serverError
    /// Answer 429 with `Retry-After`, unprocessed.
    case throttle(retryAfterSeconds: Int)
    /// Hang, then answer 503, unprocessed.
    case timeout(sleepMs: Int)
    /// Process the call, then close the connection without answering.
    case ambiguous
    /// Hold an add for `delayMs`, then process it whether or not the client still waits (adds only).
    case late(delayMs: Int)
    /// Take `delayMs` longer, otherwise normal: an add is held like a late one, a list waits before it is handled.
    case spike(delayMs: Int)

    /// How long an add with this fault is held before it is processed, or nil when it is not held.
    var holdMs: Int? {
        switch self {
        case .late(let delayMs), .spike(let delayMs): delayMs
        case .none, .serverError, .throttle, .timeout, .ambiguous: nil
        }
    }
}

/// The simulator's API endpoints.
enum SimulatedEndpoint: Sendable {
    case add
    case list
}
