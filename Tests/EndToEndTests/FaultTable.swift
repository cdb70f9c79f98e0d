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
}
