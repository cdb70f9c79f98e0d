extension DeadLetterReason {
    /// What an operator should do about a dead letter with this reason: one line, shown by `dlq summary` and quoted
    /// in `deploy/runbook.md` (a test checks that the runbook quotes each one). The switch is exhaustive, so a new
    /// reason cannot lack advice.
    public var advice: String {
        switch self {
        case .emptyPayload:
            "A tombstone or a producer bug: fix the producer. Do not replay."
        case .payloadTooLarge:
            "Not a contact event (over pipeline.maxPayloadBytes): fix the producer. Replay only after raising the "
                + "limit, and only real contact events."
        case .invalidUTF8:
            "A producer encoding bug: fix the producer and let it send the event again. Do not replay."
        case .invalidJSON:
            "The value is not JSON (the detail says where): fix the producer. Do not replay."
        case .notAnObject:
            "The JSON is not an object: fix the producer. Do not replay."
        case .invalidCloudEvent:
            "A broken CloudEvents envelope (the detail names the attribute): fix the producer's binding. Do not replay."
        case .unsupportedContentType:
            "The content type is not JSON: fix the producer's content type. Replay does not help (the header travels "
                + "with the record)."
        case .missingContact:
            "No Contact object: not a CustomerContactAdd event, or a producer bug. Fix the producer."
        case .missingCustomerID:
            "No CustomerID: fix the producer."
        case .invalidCustomerID:
            "CustomerID is not a positive integer: fix the producer."
        case .invalidFieldType:
            "A field has the wrong JSON type (the detail names it): fix the producer."
        case .unknownCustomer:
            "mapping.customerIdMap lacks this CustomerID: add it if the customer should be synced, roll out, then "
                + "replay --reason unknown_customer (dry run first)."
        case .emptyName:
            "The contact has no name: fix it at the source, which emits a new event. Do not replay."
        case .nameTooLong:
            "The name is over 200 characters (Komet's limit): fix the contact at the source."
        case .typeTooLong:
            "The configured contact type is over 200 characters: fix the mapping, roll out, then replay "
                + "--reason type_too_long."
        case .unregisteredContactType:
            "Register the type in Komet and in mapping.registeredContactTypes, or map the title to a registered type; "
                + "roll out, then replay --reason unregistered_contact_type (dry run first)."
        case .invalidPhoneType:
            "A phone Type is missing or not 1, 2, 3 or 6: fix the source data."
        case .tooManyPhoneNumbers:
            "More than 4 phone numbers: fix the contact at the source."
        case .phoneTooLong:
            "The business phone is over 200 characters: fix the source data."
        case .extTooLong:
            "The extension is over 50 characters: fix the source data."
        case .mobileTooLong:
            "The mobile number is over 50 characters: fix the source data."
        case .faxTooLong:
            "The fax number is over 50 characters: fix the source data."
        case .invalidEmail:
            "Email is not a valid address (the detail says why): fix it at the source."
        case .emailTooLong:
            "Email is over 50 characters and is never truncated: fix the address at the source."
        case .requestTooLarge:
            "The request is over 64 KB: fix the source data (usually one huge field)."
        case .missingKey:
            "No dedupe key: have the producer set a key, or add requestHash to dedupe.keyOrder; then replay "
                + "--reason missing_key."
        case .kometRejected:
            "Komet refused the request (the detail has its message): fix the cause in Komet (create the customer, "
                + "register the type) or the mapping, then replay --reason komet_rejected (dry run first). Nothing was "
                + "created, so a replay cannot duplicate."
        case .retriesExhausted:
            "Komet kept failing: once it is healthy, replay --reason retries_exhausted (dry run first). Under "
                + "ambiguousPolicy=retry check Komet for the contact first."
        case .ambiguousOutcome:
            "The contact may exist in Komet: look each one up (customer.contact.list) and replay only those not "
                + "found, with --key. Never replay blindly."
        case .internalError:
            "A bug: report it with the detail and the log lines of its dedupe.key. Replay once it is fixed; if a "
                + "call was made, check Komet for the contact first."
        }
    }
}
