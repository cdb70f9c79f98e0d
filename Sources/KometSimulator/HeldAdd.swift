/// An add held by the late fault or a latency spike. `SimulatorState.settle(now:day:)` processes it once `due` has
/// passed, whether or not the handler that received it still waits for the answer.
struct HeldAdd: Sendable {
    /// Identifies the add to the handler waiting for its outcome.
    var ticket: Int
    /// When the add is processed.
    var due: ContinuousClock.Instant
    var body: AddContactBody
}
