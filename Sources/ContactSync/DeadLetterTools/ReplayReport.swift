/// What `dlq replay` did (or, in a dry run, would do), by reason.
public struct ReplayReport: Sendable, Equatable {
    public struct Counts: Sendable, Equatable {
        /// Published and delivered (in a dry run: would be published).
        public var replayed = 0
        /// Matched the filter, refused (the loop guard, an unparsable count, no target).
        public var refused = 0
        /// Did not match the filter.
        public var filteredOut = 0
        /// Delivery failed.
        public var failed = 0

        public init(replayed: Int = 0, refused: Int = 0, filteredOut: Int = 0, failed: Int = 0) {
            self.replayed = replayed
            self.refused = refused
            self.filteredOut = filteredOut
            self.failed = failed
        }

        static func + (lhs: Counts, rhs: Counts) -> Counts {
            Counts(
                replayed: lhs.replayed + rhs.replayed, refused: lhs.refused + rhs.refused,
                filteredOut: lhs.filteredOut + rhs.filteredOut, failed: lhs.failed + rhs.failed)
        }
    }

    public var dryRun: Bool
    /// Dead-letter records read.
    public var read = 0
    /// By reason label (``DeadLetterEntry/reasonLabel``).
    public var byReason: [String: Counts] = [:]
    /// Refusals by kind (``ReplayRefusal/kind``).
    public var refusals: [String: Int] = [:]
    /// Set when a delivery failed and the replay stopped: the first dead-letter position not considered.
    public var stoppedBefore: String?

    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    public var total: Counts { byReason.values.reduce(Counts(), +) }

    /// The table printed at the end: one row per reason, then the total and the refusals by kind.
    public var table: String {
        let headings = ["reason", dryRun ? "would replay" : "replayed", "refused", "filtered out", "failed"]
        let rows = byReason.sorted { $0.key < $1.key }.map { reason, counts in
            [
                reason, String(counts.replayed), String(counts.refused), String(counts.filteredOut),
                String(counts.failed),
            ]
        }
        let total = total
        var lines = TextTable.render(
            headings: headings,
            rows: rows + [
                [
                    "total", String(total.replayed), String(total.refused), String(total.filteredOut),
                    String(total.failed),
                ]
            ],
            rightAligned: [1, 2, 3, 4])
        for (kind, count) in refusals.sorted(by: { $0.key < $1.key }) {
            lines.append("refused: \(count) \(kind)")
        }
        if let stoppedBefore {
            lines.append("stopped after a failed delivery: \(stoppedBefore) and later records were not considered")
        }
        let verb = dryRun ? "dry run, nothing published: would replay" : "replayed"
        lines.append(
            "\(verb) \(total.replayed) of \(read) dead letter(s) read; refused \(total.refused), filtered out "
                + "\(total.filteredOut), failed \(total.failed)")
        return lines.joined(separator: "\n") + "\n"
    }
}
