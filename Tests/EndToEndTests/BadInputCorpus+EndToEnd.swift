import SyncTestSupport

/// The corpus configuration (see ``BadInputCorpus``) as worker settings: a customer id map (1...1000, and 1001, which
/// the simulator does not know), a registered 201-character type mapped from the title "Overlong Role", and a key
/// order without `requestHash`, so that `unknown_customer`, `komet_rejected`, `type_too_long` and `missing_key` come
/// from input. `unregistered_contact_type` cannot: the worker refuses, at start-up, a title map to an unregistered
/// type.
extension BadInputCorpus {
    /// Extra worker settings by section (merged into the configuration file).
    static var workerSettings: [String: [String: String]] {
        [
            "kafka": ["message.max.bytes": "8388608"],
            "mapping": [
                "customerIdMap": ((1...1_001).map { "\($0)=\($0)" }).joined(separator: ","),
                "registeredContactTypes": "None,Buyer,A/P,\(overlongType)",
                "contactTypeByTitle": "Overlong Role=\(overlongType)",
            ],
            "dedupe": ["keyOrder": "messageKey,cloudEventID"],
        ]
    }

    /// Every reason the worker may publish for a bad event or a Komet refusal.
    static let knownReasons: Set<String> = [
        "empty_payload", "payload_too_large", "invalid_utf8", "invalid_json", "not_an_object", "invalid_cloudevent",
        "unsupported_content_type", "missing_contact", "missing_customer_id", "invalid_customer_id",
        "invalid_field_type", "unknown_customer", "empty_name", "name_too_long", "type_too_long",
        "unregistered_contact_type", "invalid_phone_type", "too_many_phone_numbers", "phone_too_long", "ext_too_long",
        "mobile_too_long", "fax_too_long", "invalid_email", "email_too_long", "request_too_large", "missing_key",
        "komet_rejected",
    ]
}
