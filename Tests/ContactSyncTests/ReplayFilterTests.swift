import ContactSync
import Foundation
import Testing

/// `dlq replay`'s filters and its time arguments.
@Suite struct ReplayFilterTests {
    typealias F = DeadLetterFixture

    static func entry(
        partition: Int32 = 0, offset: Int64 = 5, key: String? = "k", reason: String? = "komet_rejected",
        timestamp: Int64? = 1_000_000
    ) -> DeadLetterEntry {
        DeadLetterEntry(F.record(partition: partition, offset: offset, key: key, reason: reason, timestamp: timestamp))
    }

    @Test func anEmptyFilterTakesEveryRecord() {
        let filter = ReplayFilter()
        #expect(filter.matches(Self.entry()))
        #expect(filter.matches(Self.entry(key: nil, reason: nil, timestamp: nil)))
        #expect(filter.matches(Self.entry(reason: "from_the_future")))
    }

    @Test func reasonsMatchAnyOfTheCodesAndNeverAnUnknownOrMissingOne() {
        let filter = ReplayFilter(reasons: [.kometRejected, .retriesExhausted])
        #expect(filter.matches(Self.entry(reason: "komet_rejected")))
        #expect(filter.matches(Self.entry(reason: "retries_exhausted")))
        #expect(!filter.matches(Self.entry(reason: "invalid_json")))
        #expect(!filter.matches(Self.entry(reason: "from_the_future")))
        #expect(!filter.matches(Self.entry(reason: nil)))
    }

    @Test func keysMatchExactlyAndNeverAKeylessRecord() {
        let filter = ReplayFilter(keys: [Array("a".utf8), Array("b".utf8)])
        #expect(filter.matches(Self.entry(key: "a")))
        #expect(filter.matches(Self.entry(key: "b")))
        #expect(!filter.matches(Self.entry(key: "ab")))
        #expect(!filter.matches(Self.entry(key: nil)))
    }

    @Test func sinceIsInclusiveUntilExclusiveOnTheDeadLetterTimestamp() {
        let filter = ReplayFilter(since: 1_000, until: 2_000)
        #expect(!filter.matches(Self.entry(timestamp: 999)))
        #expect(filter.matches(Self.entry(timestamp: 1_000)))
        #expect(filter.matches(Self.entry(timestamp: 1_999)))
        #expect(!filter.matches(Self.entry(timestamp: 2_000)))
        #expect(!filter.matches(Self.entry(timestamp: nil)))
    }

    @Test func partitionAndOffsetsAreTheDeadLetterTopicsAndInclusive() {
        let filter = ReplayFilter(partition: 1, fromOffset: 10, toOffset: 12)
        #expect(!filter.matches(Self.entry(partition: 0, offset: 11)))
        #expect(!filter.matches(Self.entry(partition: 1, offset: 9)))
        #expect(filter.matches(Self.entry(partition: 1, offset: 10)))
        #expect(filter.matches(Self.entry(partition: 1, offset: 12)))
        #expect(!filter.matches(Self.entry(partition: 1, offset: 13)))
        #expect(filter.reads(partition: 1) && !filter.reads(partition: 0))
        #expect(filter.startOffset(partition: 1) == 10)
        #expect(ReplayFilter().startOffset(partition: 3) == 0)
    }

    @Test func criteriaCombine() {
        let filter = ReplayFilter(reasons: [.kometRejected], keys: [Array("a".utf8)], partition: 0)
        #expect(filter.matches(Self.entry(partition: 0, key: "a")))
        #expect(!filter.matches(Self.entry(partition: 0, key: "a", reason: "invalid_json")))
        #expect(!filter.matches(Self.entry(partition: 1, key: "a")))
    }

    @Test func badCombinationsAreRefusedWithTheirOptions() {
        func message(_ filter: ReplayFilter) -> String? {
            do {
                try filter.validate()
                return nil
            } catch {
                return error.message
            }
        }
        #expect(
            message(ReplayFilter(fromOffset: 3))
                == "--from-offset and --to-offset need --partition (they are offsets of one dead-letter partition)")
        #expect(
            message(ReplayFilter(partition: 0, fromOffset: 5, toOffset: 4)) == "--from-offset 5 is after --to-offset 4")
        #expect(message(ReplayFilter(partition: -1)) == "--partition: -1 is negative")
        #expect(
            message(ReplayFilter(since: 2_000, until: 2_000))
                == "--since 1970-01-01T00:00:02.000Z is not before --until 1970-01-01T00:00:02.000Z")
        #expect(message(ReplayFilter(partition: 0, fromOffset: 4, toOffset: 4)) == nil)
    }

    @Test func timesAreRFC3339OrADurationAgo() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func parse(_ text: String) throws -> Int64 {
            ReplayTime.milliseconds(try ReplayTime.parse(text, option: "--since", now: now))
        }
        #expect(try parse("2027-01-15T08:00:00Z") == 1_800_000_000_000)
        #expect(try parse("2027-01-15T08:00:00.250Z") == 1_800_000_000_250)
        #expect(try parse("2027-01-15T10:00:00+02:00") == 1_800_000_000_000)
        #expect(try parse("30s") == 1_800_000_000_000 - 30_000)
        #expect(try parse("15m") == 1_800_000_000_000 - 900_000)
        #expect(try parse("2h") == 1_800_000_000_000 - 7_200_000)
        #expect(try parse("7d") == 1_800_000_000_000 - 604_800_000)
        #expect(ReplayTime.format(milliseconds: 1_800_000_000_250) == "2027-01-15T08:00:00.250Z")
        for bad in ["yesterday", "2h30m", "-2h", "2", "h", "2027-01-15", "2027-01-15 08:00:00"] {
            #expect(
                throws: DeadLetterToolError(
                    "--since: '\(bad)' is neither an RFC 3339 time (e.g. 2026-12-04T01:00:00Z) nor a duration ago "
                        + "(e.g. 30m, 2h, 7d)")
            ) {
                _ = try parse(bad)
            }
        }
    }
}
