/// What to do with a key whose earlier call may or may not have created the contact.
public enum AmbiguousPolicy: String, Sendable, CaseIterable {
    /// Look the contact up with `customer.contact.list`; call again only when it is not there.
    case reconcile
    /// Dead-letter the event with reason `ambiguous_outcome`; an operator decides.
    case deadLetter
    /// Call again (may create a duplicate contact in Komet).
    case retry
}

/// Settings of the event pipeline.
public struct PipelineConfiguration: Sendable {
    /// Events between their claim and Komet's answer at once: the most Komet calls in flight (see ``CallSlots``).
    /// Events that make no call (bad input, duplicates, replays, outcomes being published) are not counted: every
    /// buffered event whose key is free runs. Events of one key never run concurrently.
    public var maxInFlight: Int = 32
    /// Buffered (received, unfinished) events above which every assigned partition is paused; they resume at half.
    public var maxBuffered: Int = 2_000
    /// How long a revoke or a shutdown waits for in-flight events before giving up on them.
    public var drainTimeout: Duration = .seconds(30)
    /// How often every assigned partition's position is stored again, so a store librdkafka refused between two
    /// assignments cannot hold the committed offset back (see `PipelineScheduler.positionsToStoreAgain`).
    public var storeRefreshInterval: Duration = .seconds(5)
    /// What to do with a key whose earlier call may or may not have created the contact.
    public var ambiguousPolicy: AmbiguousPolicy = .reconcile
}
