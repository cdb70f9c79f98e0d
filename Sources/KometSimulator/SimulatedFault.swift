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
}

/// The simulator's API endpoints.
enum SimulatedEndpoint: Sendable {
    case add
    case list
}
