import Foundation

/// The outcome records (success and DLQ) matched to the input records they answer.
struct OutcomeLedger {
    /// One outcome record, parsed.
    enum Outcome {
        case success(Success)
        case deadLetter(KafkaRecord)
    }

    /// A success record's fields that the tests check.
    struct Success {
        var record: KafkaRecord
        var status: String
        var dedupeKey: String?
        var contactId: Int64?
    }

    let inputs: [RecordPosition: KafkaRecord]
    private(set) var outcomes: [RecordPosition: [Outcome]] = [:]
    /// Problems found while matching: unparseable records, outcomes that answer no input.
    private(set) var issues: [String] = []

    init(_ contents: TopicContents) {
        var inputs: [RecordPosition: KafkaRecord] = [:]
        for record in contents.input { inputs[record.position] = record }
        self.inputs = inputs

        for record in contents.success {
            guard let payload = record.payload,
                let json = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
                let source = json["source"] as? [String: Any],
                let partition = SimulatorAdmin.int64(source["partition"]),
                let offset = SimulatorAdmin.int64(source["offset"])
            else {
                issues.append("success record \(record.position) has no parseable source: \(record.payload ?? "nil")")
                continue
            }
            if let topic = source["topic"] as? String, topic != E2ESystem.inputTopic {
                issues.append("success record \(record.position) names source topic \(topic)")
            }
            let komet = json["komet"] as? [String: Any]
            let success = Success(
                record: record, status: json["status"] as? String ?? "<none>", dedupeKey: json["dedupeKey"] as? String,
                contactId: SimulatorAdmin.int64(komet?["contactId"]))
            add(.success(success), at: RecordPosition(partition: Int32(partition), offset: offset), from: record)
        }
        for record in contents.deadLetters {
            guard let partition = record.header("kafka_dlt-original-partition").flatMap({ Int32($0) }),
                let offset = record.header("kafka_dlt-original-offset").flatMap({ Int64($0) })
            else {
                issues.append("DLQ record \(record.position) lacks the original partition/offset headers")
                continue
            }
            let originalTopic = record.header("kafka_dlt-original-topic")
            if originalTopic != E2ESystem.inputTopic {
                issues.append("DLQ record \(record.position) has original topic \(originalTopic ?? "nil")")
            }
            add(.deadLetter(record), at: RecordPosition(partition: partition, offset: offset), from: record)
        }
    }

    private mutating func add(_ outcome: Outcome, at position: RecordPosition, from record: KafkaRecord) {
        guard inputs[position] != nil else {
            issues.append("\(record.topic) record \(record.position) answers input \(position), which does not exist")
            return
        }
        outcomes[position, default: []].append(outcome)
    }

    /// The input positions of each key, in offset order.
    var positionsByKey: [String: [RecordPosition]] {
        var result: [String: [RecordPosition]] = [:]
        for (position, record) in inputs {
            result[record.key ?? "", default: []].append(position)
        }
        return result.mapValues { $0.sorted() }
    }

    var outcomeCount: Int { outcomes.values.reduce(0) { $0 + $1.count } }
    var duplicateStatusCount: Int {
        outcomes.values.joined().filter { if case .success(let s) = $0 { s.status == "duplicate" } else { false } }
            .count
    }

    /// Checks that one outcome is of the right kind for the input's event kind. `expectedStatus` is checked when set.
    func check(
        _ outcome: Outcome, for input: KafkaRecord, kind: EventKind, expectedStatuses: Set<String>
    ) -> [String] {
        let key = input.key ?? ""
        let label = "input \(input.position) (key \(key), \(kind.rawValue))"
        switch (outcome, kind.expectedReason) {
        case (.success(let success), nil):
            var problems: [String] = []
            if !expectedStatuses.contains(success.status) {
                problems.append("\(label): status \(success.status), expected one of \(expectedStatuses.sorted())")
            }
            if success.dedupeKey != key { problems.append("\(label): dedupeKey \(success.dedupeKey ?? "nil")") }
            if success.record.key != key {
                problems.append("\(label): success record key \(success.record.key ?? "nil")")
            }
            if success.contactId == nil { problems.append("\(label): success record without komet.contactId") }
            return problems
        case (.deadLetter(let record), let reason?):
            var problems: [String] = []
            let actual = record.header("komet-sync.reason")
            if actual == nil { problems.append("\(label): DLQ record without komet-sync.reason") }
            if actual != reason { problems.append("\(label): DLQ reason \(actual ?? "nil"), expected \(reason)") }
            if record.key != input.key { problems.append("\(label): DLQ key differs from the input's") }
            if record.payload != input.payload { problems.append("\(label): DLQ value differs from the input's") }
            return problems
        case (.success(let success), let reason?):
            return ["\(label): expected DLQ \(reason), got success \(success.status)"]
        case (.deadLetter(let record), nil):
            return ["\(label): expected success, got DLQ \(record.header("komet-sync.reason") ?? "nil")"]
        }
    }

    /// Checks the simulator's contacts: exactly one per distinct valid key, none other.
    /// `contactIdByKey` (from the success records) is compared with the simulator's ids when given.
    static func simulatorIssues(
        _ contacts: [SimulatorAdmin.Contact], plan: EventPlan, contactIdByKey: [String: Int64]? = nil
    ) -> [String] {
        var issues: [String] = []
        var contactsByKey: [String: [SimulatorAdmin.Contact]] = [:]
        for contact in contacts {
            guard let email = contact.email?.lowercased(), let key = plan.keyByEmail[email] else {
                issues.append("simulator holds contact \(contact.id) with unexpected email \(contact.email ?? "nil")")
                continue
            }
            contactsByKey[key, default: []].append(contact)
        }
        for key in plan.validKeys.sorted() {
            let found = contactsByKey[key] ?? []
            if found.count != 1 {
                issues.append("key \(key): \(found.count) contacts in the simulator (ids \(found.map(\.id)))")
            } else if let expected = contactIdByKey?[key], expected != found[0].id {
                issues.append("key \(key): success record says contact \(expected), simulator has \(found[0].id)")
            }
        }
        if contacts.count != plan.validKeys.count {
            issues.append("simulator holds \(contacts.count) contacts for \(plan.validKeys.count) distinct valid keys")
        }
        return issues
    }
}
