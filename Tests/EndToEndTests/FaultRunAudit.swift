import Foundation

/// Checks a finished fault run against the contract: every input has exactly one terminal outcome of a legal status,
/// every success of a key points at the one contact the simulator holds for it, bad events are dead-lettered with
/// their reason, and no valid event is dead-lettered.
struct FaultRunAudit {
    /// Every violation found (empty when the run is correct).
    private(set) var issues: [String] = []
    private(set) var created = 0
    private(set) var duplicate = 0
    private(set) var reconciled = 0
    private(set) var deadLetters = 0
    /// Dead letters of valid events (any reason): must be 0 in every fault run.
    private(set) var validDeadLetters = 0
    /// Inputs with more than one outcome record.
    private(set) var inputsWithSeveralOutcomes = 0
    /// Simulator contacts beyond one per distinct valid key (second contacts of a key, contacts of no key).
    private(set) var extraContacts = 0
    private(set) var outcomeCount = 0

    /// "duplicates found" of the fault table: inputs with more than one outcome plus extra contacts.
    var duplicatesFound: Int { inputsWithSeveralOutcomes + extraContacts }

    init(plan: EventPlan, contents: TopicContents, contacts: [SimulatorAdmin.Contact]) {
        if contents.input.count != plan.events.count {
            issues.append("the input topic holds \(contents.input.count) records, \(plan.events.count) were produced")
        }
        let ledger = OutcomeLedger(contents)
        issues += ledger.issues
        outcomeCount = ledger.outcomeCount

        var contactIdByKey: [String: Int64] = [:]
        for (key, positions) in ledger.positionsByKey.sorted(by: { $0.key < $1.key }) {
            guard let kind = plan.kindByKey[key] else {
                issues.append("input key \(key) is not one the test produced")
                continue
            }
            for (index, position) in positions.enumerated() {
                let input = ledger.inputs[position]!
                let outcomes = ledger.outcomes[position] ?? []
                if outcomes.count != 1 {
                    issues.append("input \(position) (key \(key)) has \(outcomes.count) outcomes, expected 1")
                }
                if outcomes.count > 1 { inputsWithSeveralOutcomes += 1 }
                let legal: Set<String> = index == 0 ? ["created", "reconciled"] : ["duplicate"]
                for outcome in outcomes {
                    issues += ledger.check(outcome, for: input, kind: kind, expectedStatuses: legal)
                    count(outcome, kind: kind)
                    guard case .success(let success) = outcome, let contactId = success.contactId else { continue }
                    if let first = contactIdByKey[key], first != contactId {
                        issues.append(
                            "input \(position) (key \(key), \(success.status)) points at contact \(contactId), "
                                + "an earlier outcome of the key at \(first)")
                    } else {
                        contactIdByKey[key] = contactId
                    }
                }
            }
        }
        issues += OutcomeLedger.simulatorIssues(contacts, plan: plan, contactIdByKey: contactIdByKey)

        var contactsPerKey: [String: Int] = [:]
        for contact in contacts {
            guard let email = contact.email?.lowercased(), let key = plan.keyByEmail[email] else {
                extraContacts += 1
                continue
            }
            contactsPerKey[key, default: 0] += 1
        }
        extraContacts += contactsPerKey.values.reduce(0) { $0 + max(0, $1 - 1) }
    }

    private mutating func count(_ outcome: OutcomeLedger.Outcome, kind: EventKind) {
        switch outcome {
        case .success(let success):
            switch success.status {
            case "created": created += 1
            case "duplicate": duplicate += 1
            case "reconciled": reconciled += 1
            default: break
            }
        case .deadLetter:
            deadLetters += 1
            if kind == .valid { validDeadLetters += 1 }
        }
    }
}
