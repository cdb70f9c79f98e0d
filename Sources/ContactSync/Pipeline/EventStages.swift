/// The stages one event passes, in order: prepared on the poll thread, checked against the outcome ledger, processed
/// (claim, call, record), published. The ``Pipeline`` schedules events; these do the work.
struct EventStages: Sendable {
    /// Decode, map and key (pure).
    var preparer: EventPreparer
    /// Claim, call Komet, retry or reconcile, record the key's state.
    var processor: EventProcessor
    /// The ledger check before, and the outcome record after.
    var publisher: OutcomePublisher
}
