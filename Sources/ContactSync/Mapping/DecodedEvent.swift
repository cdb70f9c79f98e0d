/// The result of ``ContactEventDecoder/decode(value:headers:)``.
public struct DecodedEvent: Sendable {
    /// The contact event itself.
    public var payload: CustomerContactAdd
    /// The CloudEvents `id` (`ce_id` in binary mode, `id` in structured mode), or `nil` for a bare payload.
    public var cloudEventID: String?

    public init(payload: CustomerContactAdd, cloudEventID: String? = nil) {
        self.payload = payload
        self.cloudEventID = cloudEventID
    }
}
