import ContactSync
import Foundation
import Testing

/// `dlq summary`'s counting, age buckets and rendering.
@Suite struct DeadLetterSummaryTests {
    typealias F = DeadLetterFixture
    static let hour: Int64 = 3_600_000
    static let now: Int64 = 1_800_000_000_000

    static let ages: [(Int64, DeadLetterSummary.AgeBucket)] = [
        (0, .lastHour), (hour - 1, .lastHour), (hour, .lastDay), (24 * hour - 1, .lastDay), (24 * hour, .lastWeek),
        (7 * 24 * hour - 1, .lastWeek), (7 * 24 * hour, .older), (-5_000, .lastHour),
    ]

    @Test(arguments: ages)
    func ageBuckets(age: Int64, bucket: DeadLetterSummary.AgeBucket) {
        #expect(DeadLetterSummary.AgeBucket.of(ageMilliseconds: age) == bucket)
    }

    @Test func aRecordWithoutATimestampIsOlder() {
        #expect(DeadLetterSummary.AgeBucket.of(ageMilliseconds: nil) == .older)
    }

    static func summary() -> DeadLetterSummary {
        var summary = DeadLetterSummary(
            topic: F.dlq, partitions: 2, now: Date(timeIntervalSince1970: Double(now) / 1000))
        let records = [
            F.record(offset: 0, reason: "komet_rejected", timestamp: now - 10 * hour),
            F.record(offset: 1, reason: "komet_rejected", replayCount: "1", timestamp: now - 60_000),
            F.record(partition: 1, offset: 0, reason: "komet_rejected", timestamp: now - 3 * 24 * hour),
            F.record(partition: 1, offset: 1, reason: "invalid_json", timestamp: now - 30 * 24 * hour),
            F.record(partition: 1, offset: 2, reason: "brand_new", replayCount: "x", timestamp: now - 1),
            F.record(partition: 1, offset: 3, reason: nil, timestamp: nil),
        ]
        for record in records { summary.add(DeadLetterEntry(record)) }
        return summary
    }

    @Test func countsByReasonAndAge() throws {
        let summary = Self.summary()
        #expect(summary.total.count == 6)
        #expect(summary.total.ages == [2, 1, 1, 2])
        #expect(summary.total.replayed == 2)
        #expect(summary.total.oldest == Self.now - 30 * 24 * Self.hour)
        #expect(summary.total.newest == Self.now - 1)
        #expect(
            summary.sortedRows.map(\.reason) == ["komet_rejected", "(none)", "(unknown: brand_new)", "invalid_json"])
        let rejected = try #require(summary.rows["komet_rejected"])
        #expect(rejected.count == 3)
        #expect(rejected.ages == [1, 1, 1, 0])
        #expect(rejected.replayed == 1)
        #expect(rejected.oldest == Self.now - 3 * 24 * Self.hour)
        #expect(rejected.newest == Self.now - 60_000)
        #expect(summary.rows["(none)"]?.ages == [0, 0, 0, 1])
    }

    @Test func theTextTableHasARowPerReasonATotalAndTheAdvice() {
        let text = Self.summary().text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            lines[0] == "6 dead letter(s) in contacts.komet.dlq (2 partition(s)), ages as of 2027-01-15T08:00:00.000Z")
        #expect(lines[1] == "oldest 2026-12-16T08:00:00.000Z, newest 2027-01-15T07:59:59.999Z")
        #expect(
            lines[3]
                == "reason                total  <1h  1h-24h  1d-7d  >7d  replayed  oldest                    newest")
        #expect(
            lines[4]
                == "komet_rejected            3    1       1      1    0         1  2027-01-12T08:00:00.000Z  "
                + "2027-01-15T07:59:00.000Z")
        #expect(lines[8].hasPrefix("total                     6    2       1      1    2         2  "))
        #expect(lines.contains("what to do:"))
        #expect(lines.contains("  komet_rejected        " + DeadLetterReason.kometRejected.advice))
        #expect(lines.contains("  invalid_json          " + DeadLetterReason.invalidJSON.advice))
    }

    @Test func anEmptyTopicSaysSo() {
        let summary = DeadLetterSummary(topic: F.dlq, partitions: 4, now: Date())
        #expect(summary.text == "No dead letters in contacts.komet.dlq (4 partition(s)).\n")
        #expect(summary.total.count == 0)
    }

    @Test func theJSONReportCarriesTheSameCounts() throws {
        let json = Self.summary().json
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["topic"] as? String == F.dlq)
        let total = try #require(document["total"] as? [String: Any])
        #expect(total["count"] as? Int == 6)
        #expect((total["ages"] as? [String: Int]) == ["lastHour": 2, "lastDay": 1, "lastWeek": 1, "older": 2])
        let reasons = try #require(document["reasons"] as? [[String: Any]])
        #expect(
            reasons.map { $0["reason"] as? String } == [
                "komet_rejected", "(none)", "(unknown: brand_new)", "invalid_json",
            ])
        #expect(reasons.first?["advice"] as? String == DeadLetterReason.kometRejected.advice)
        #expect(reasons.first?["count"] as? Int == 3)
    }
}
