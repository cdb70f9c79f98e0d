import Foundation

/// `dlq summary`: dead letters counted by reason and by age (from the dead-letter record's timestamp, i.e. when the
/// worker dead-lettered the event), with the oldest and newest of each reason and what to do about it.
public struct DeadLetterSummary: Sendable, Equatable {
    /// Age buckets, youngest first.
    public enum AgeBucket: Int, Sendable, CaseIterable {
        case lastHour, lastDay, lastWeek, older

        /// Column heading.
        public var label: String {
            switch self {
            case .lastHour: "<1h"
            case .lastDay: "1h-24h"
            case .lastWeek: "1d-7d"
            case .older: ">7d"
            }
        }

        /// The JSON name.
        public var name: String {
            switch self {
            case .lastHour: "lastHour"
            case .lastDay: "lastDay"
            case .lastWeek: "lastWeek"
            case .older: "older"
            }
        }

        /// The bucket of a record `ageMilliseconds` old; a record from the future (clock skew) is in the last hour,
        /// one without a timestamp is older.
        public static func of(ageMilliseconds: Int64?) -> AgeBucket {
            guard let age = ageMilliseconds else { return .older }
            let hour: Int64 = 3_600_000
            if age < hour { return .lastHour }
            if age < 24 * hour { return .lastDay }
            if age < 7 * 24 * hour { return .lastWeek }
            return .older
        }
    }

    /// The dead letters of one reason (or of all, for the total).
    public struct Row: Sendable, Equatable {
        public var reason: String
        public var count = 0
        /// By ``AgeBucket`` raw value.
        public var ages = [Int](repeating: 0, count: AgeBucket.allCases.count)
        /// Records with a replay count above 0 (they were replayed and failed again).
        public var replayed = 0
        public var oldest: Int64?
        public var newest: Int64?

        public init(reason: String) {
            self.reason = reason
        }

        public func count(_ bucket: AgeBucket) -> Int { ages[bucket.rawValue] }

        mutating func add(_ entry: DeadLetterEntry, bucket: AgeBucket) {
            count += 1
            ages[bucket.rawValue] += 1
            if entry.replayCount != .count(0) { replayed += 1 }
            if let at = entry.deadLetteredAt {
                oldest = min(oldest ?? at, at)
                newest = max(newest ?? at, at)
            }
        }
    }

    public var topic: String
    public var partitions: Int
    /// The time ages are measured from, in milliseconds since 1970.
    public var now: Int64
    public private(set) var total: Row
    public private(set) var rows: [String: Row] = [:]

    public init(topic: String, partitions: Int, now: Date) {
        self.topic = topic
        self.partitions = partitions
        self.now = ReplayTime.milliseconds(now)
        total = Row(reason: "total")
    }

    public mutating func add(_ entry: DeadLetterEntry) {
        let bucket = AgeBucket.of(ageMilliseconds: entry.deadLetteredAt.map { now - $0 })
        total.add(entry, bucket: bucket)
        rows[entry.reasonLabel, default: Row(reason: entry.reasonLabel)].add(entry, bucket: bucket)
    }

    /// The rows, most dead letters first (then by reason code).
    public var sortedRows: [Row] {
        rows.values.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
    }

    /// What to do about the dead letters of `reason` (a label of ``DeadLetterEntry/reasonLabel``).
    public static func advice(forLabel label: String) -> String {
        if let reason = DeadLetterReason(rawValue: label) { return reason.advice }
        if label == DeadLetterEntry.noReasonLabel {
            return "No komet-sync.reason header: komet-contact-sync did not write this record; inspect it by hand."
        }
        return "A reason code this build does not know (a newer worker?): see its komet-sync.detail header."
    }

    /// The plain-text report: a header, a table by reason and age, and what to do for each reason.
    public var text: String {
        guard total.count > 0 else {
            return "No dead letters in \(topic) (\(partitions) partition(s)).\n"
        }
        var lines: [String] = []
        lines.append(
            "\(total.count) dead letter(s) in \(topic) (\(partitions) partition(s)), ages as of "
                + "\(ReplayTime.format(milliseconds: now))")
        lines.append("oldest \(Self.time(total.oldest)), newest \(Self.time(total.newest))")
        lines.append("")
        let headings = ["reason", "total"] + AgeBucket.allCases.map(\.label) + ["replayed", "oldest", "newest"]
        let body = (sortedRows + [total]).map { row in
            [row.reason, String(row.count)] + AgeBucket.allCases.map { String(row.count($0)) }
                + [String(row.replayed), Self.time(row.oldest), Self.time(row.newest)]
        }
        lines += TextTable.render(headings: headings, rows: body, rightAligned: Set(1...6))
        lines.append("")
        lines.append("what to do:")
        let width = sortedRows.map(\.reason.count).max() ?? 0
        for row in sortedRows {
            lines.append(
                "  " + row.reason.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + Self.advice(forLabel: row.reason))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as one JSON object (keys sorted).
    public var json: String {
        func object(_ row: Row, advice: String?) -> [String: Any] {
            var object: [String: Any] = [
                "count": row.count, "replayed": row.replayed,
                "ages": Dictionary(uniqueKeysWithValues: AgeBucket.allCases.map { ($0.name, row.count($0)) }),
            ]
            if row.reason != "total" { object["reason"] = row.reason }
            if let oldest = row.oldest { object["oldest"] = ReplayTime.format(milliseconds: oldest) }
            if let newest = row.newest { object["newest"] = ReplayTime.format(milliseconds: newest) }
            if let advice { object["advice"] = advice }
            return object
        }
        let document: [String: Any] = [
            "topic": topic, "partitions": partitions, "at": ReplayTime.format(milliseconds: now),
            "total": object(total, advice: nil),
            "reasons": sortedRows.map { object($0, advice: Self.advice(forLabel: $0.reason)) },
        ]
        let data =
            (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func time(_ milliseconds: Int64?) -> String {
        milliseconds.map { ReplayTime.format(milliseconds: $0) } ?? "-"
    }
}
