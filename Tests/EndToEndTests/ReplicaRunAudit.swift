import Foundation

/// The figures of a finished run that issue 8 asks for, read at the end from the input, success and DLQ topics, the
/// group's commits and the simulator: duplicate contacts, inputs without exactly one outcome, committed against end
/// offsets, and Komet calls per distinct valid contact. Take it once every held add has landed
/// (`SimulatorAdmin.waitForHeldAdds`), or a late duplicate would be missed.
struct ReplicaRunAudit {
    /// The per-input checks of the fault runs (statuses, reasons, contact ids) and the outcome counts.
    let outcomes: FaultRunAudit
    /// Contacts created more than once: the same customer, name, email, phone and type again (each extra one counts).
    let duplicateContacts: Int
    /// A few of the duplicated contacts (customer, email, ids), for failure messages.
    let duplicateExamples: [String]
    /// Inputs with no outcome record.
    let inputsWithoutOutcome: Int
    /// Inputs with more than one outcome record.
    let inputsWithSeveralOutcomes: Int
    /// Input partitions whose committed offset is not the end offset (`committed/end`).
    let uncommitted: [String: (committed: Int64, end: Int64)]
    /// The input topic's partitions.
    let inputPartitions: Int
    /// Komet calls the simulator received: adds and lists, whatever their answer.
    let calls: Int
    /// Distinct valid keys of the plan: the contacts the run must create.
    let distinctValidContacts: Int
    /// The simulator's counters at the end.
    let stats: [String: Int]

    var inputsWithoutOneOutcome: Int { inputsWithoutOutcome + inputsWithSeveralOutcomes }
    var callsPerContact: Double { distinctValidContacts == 0 ? 0 : Double(calls) / Double(distinctValidContacts) }
    /// Calls per contact with two decimals, `n/a` for a run that has no valid contact to create.
    var callsPerContactText: String { distinctValidContacts == 0 ? "n/a" : String(format: "%.2f", callsPerContact) }

    /// Reads the topics, the commits and the simulator's contacts and counters.
    static func collect(system: E2ESystem, plan: EventPlan) async throws -> ReplicaRunAudit {
        let contents = try await system.readTopics()
        let contacts = try await system.simulator.contacts()
        let snapshot = try await system.snapshot()
        let stats = try await system.simulator.counters()
        return ReplicaRunAudit(plan: plan, contents: contents, contacts: contacts, snapshot: snapshot, stats: stats)
    }

    init(
        plan: EventPlan, contents: TopicContents, contacts: [SimulatorAdmin.Contact], snapshot: OffsetProbe.Snapshot,
        stats: [String: Int]
    ) {
        outcomes = FaultRunAudit(plan: plan, contents: contents, contacts: contacts)

        let byIdentity = Dictionary(grouping: contacts) { contact in
            [
                "\(contact.customerId)", contact.name ?? "", contact.email ?? "", contact.phone ?? "",
                contact.type ?? "",
            ]
        }
        let duplicated = byIdentity.values.filter { $0.count > 1 }.sorted { $0[0].id < $1[0].id }
        duplicateContacts = duplicated.reduce(0) { $0 + $1.count - 1 }
        duplicateExamples = duplicated.prefix(10).map { group in
            "customer \(group[0].customerId), \(group[0].email ?? "no email"): contacts \(group.map(\.id))"
        }

        let ledger = OutcomeLedger(contents)
        let counts = ledger.inputs.keys.map { ledger.outcomes[$0]?.count ?? 0 }
        inputsWithoutOutcome = counts.count { $0 == 0 }
        inputsWithSeveralOutcomes = counts.count { $0 > 1 }

        uncommitted = snapshot.uncommitted(E2ESystem.inputTopic)
        inputPartitions = snapshot.end[E2ESystem.inputTopic]?.count ?? 0
        calls = stats["addCalls", default: 0] + stats["listCalls", default: 0]
        distinctValidContacts = plan.validKeys.count
        self.stats = stats
    }

    /// The uncommitted partitions, `partition: committed/end`, sorted.
    var uncommittedText: String {
        uncommitted.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }
            .map { "\($0.key): \($0.value.committed)/\($0.value.end)" }.joined(separator: ", ")
    }

    /// One line with every figure, for the test's output.
    var summary: String {
        "outcomes \(outcomes.created) created / \(outcomes.duplicate) duplicate / \(outcomes.reconciled) reconciled / "
            + "\(outcomes.deadLetters) DLQ (\(outcomes.validDeadLetters) of valid events); \(duplicateContacts) "
            + "duplicate contacts; \(inputsWithoutOutcome) inputs without an outcome, \(inputsWithSeveralOutcomes) "
            + "with several; \(uncommitted.count) of \(inputPartitions) input partitions not committed to the end"
            + (uncommitted.isEmpty ? "" : " (\(uncommittedText))")
            + "; \(calls) calls (\(stats["addCalls", default: 0]) "
            + "adds, \(stats["listCalls", default: 0]) lists) for \(distinctValidContacts) distinct valid contacts = "
            + "\(callsPerContactText) per contact"
    }
}
