/// Where a dedupe key can come from. The raw value is the configuration spelling.
public enum DedupeKeySource: String, Sendable, CaseIterable {
    /// The Kafka record key.
    case messageKey
    /// The CloudEvents `id`.
    case cloudEventID
    /// A SHA-256 of the normalised Komet request.
    case requestHash
}
