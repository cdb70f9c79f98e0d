/// Metadata keys of the sync core's log lines, in one place. Dotted, grouped by what they describe; the Kafka and
/// Komet modules have their own (`KafkaLogKey`, `KometLogKey`).
enum SyncLogKey {
    // The input record
    static let topic = "kafka.topic"
    static let topics = "kafka.topics"
    static let partition = "kafka.partition"
    static let partitions = "kafka.partitions"
    static let offset = "kafka.offset"
    // The outcome
    static let outcome = "outcome.label"
    static let outcomeReason = "outcome.reason"
    static let outcomeDetail = "outcome.detail"
    static let outcomeFound = "outcome.found"
    static let outcomes = "outcome.counts"
    static let durationMs = "outcome.duration_ms"
    static let valueBytes = "outcome.value_bytes"
    static let httpStatus = "komet.http_status"
    static let attempts = "komet.attempts"
    static let contactId = "komet.contact_id"
    static let customerId = "komet.customer_id"
    static let contactName = "contact.name"
    static let contactEmail = "contact.email"
    // Keys and claims
    static let dedupeKey = "dedupe.key"
    static let dedupeBackend = "dedupe.backend"
    static let pruned = "dedupe.pruned"
    static let schemaVersions = "store.schema_versions"
    static let store = "store.name"
    static let group = "kafka.group_id"
    static let claimOwner = "claim.owner"
    static let claimOrigin = "claim.origin"
    static let claimSince = "claim.since"
    static let ambiguousPolicy = "komet.ambiguous_policy"
    // Calls, retries and pauses
    static let errorCode = "komet.error_code"
    static let retryDelay = "retry.delay"
    static let retryAttempt = "retry.attempt"
    static let pauseReason = "komet.pause.reason"
    static let pausePrevious = "komet.pause.previous"
    static let pauseSeconds = "komet.pause.seconds"
    // The pipeline
    static let buffered = "pipeline.buffered"
    static let dropped = "pipeline.dropped"
    static let abandoned = "pipeline.abandoned"
    static let maxInFlight = "pipeline.max_in_flight"
    // Failures
    static let error = "error.message"
    static let errorDetail = "error.detail"
}
