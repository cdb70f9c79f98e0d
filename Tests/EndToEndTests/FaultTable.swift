/// The one-line summary every fault test prints, for the closing note:
/// `fault-table | <name> | <events> | <faults injected> | <outcomes: created/duplicate/reconciled/dlq>
/// | <duplicates found> | <seconds>`.
enum FaultTable {
    static func line(name: String, events: Int, faults: String, audit: FaultRunAudit, seconds: String) -> String {
        [
            "fault-table", name, "\(events)", faults,
            "\(audit.created)/\(audit.duplicate)/\(audit.reconciled)/\(audit.deadLetters)",
            "\(audit.duplicatesFound)", seconds,
        ].joined(separator: " | ")
    }

    /// The multi-replica and late-answer runs' line: the duplicates are the simulator's duplicate contacts, and the
    /// Komet calls per distinct valid contact come before the seconds:
    /// `fault-table | <name> | <events> | <faults injected> | <outcomes: created/duplicate/reconciled/dlq>
    /// | <duplicate contacts> | <calls per contact> | <seconds>`.
    static func line(name: String, events: Int, faults: String, audit: ReplicaRunAudit, seconds: String) -> String {
        let outcomes = audit.outcomes
        return [
            "fault-table", name, "\(events)", faults,
            "\(outcomes.created)/\(outcomes.duplicate)/\(outcomes.reconciled)/\(outcomes.deadLetters)",
            "\(audit.duplicateContacts)", audit.callsPerContactText, seconds,
        ].joined(separator: " | ")
    }
}
