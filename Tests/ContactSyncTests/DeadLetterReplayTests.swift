import ContactSync
import Kafka
import Synchronization
import Testing

/// `dlq replay`'s run over a fake topic and sink: what it lists, publishes, refuses and counts.
@Suite struct DeadLetterReplayTests {
    typealias F = DeadLetterFixture

    struct Topic: DeadLetterSource {
        var partitions: [[KafkaMessage]]
        func partitionCount(topic: String) async throws -> Int32 { Int32(partitions.count) }
        func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
            let offsets = partitions[Int(partition)].map(\.offset)
            return (offsets.min() ?? 0, (offsets.max() ?? -1) + 1)
        }
        func read(topic: String, partition: Int32, from offset: Int64, until: Int64) async throws -> [KafkaMessage] {
            partitions[Int(partition)].filter { $0.offset >= offset && $0.offset < until }
        }
    }

    final class Sink: ReplaySink {
        let published = Mutex<[ReplayRecord]>([])
        let failKey: [UInt8]?
        init(failKey: String? = nil) { self.failKey = failKey.map { Array($0.utf8) } }

        func publish(_ record: ReplayRecord) async throws -> ReplayDelivery {
            try await Task.sleep(for: .milliseconds(1))
            if record.key == failKey { throw KafkaError(code: -192, message: "Local: Message timed out") }
            let offset = published.withLock { list in
                list.append(record)
                return Int64(list.count - 1)
            }
            return ReplayDelivery(topic: record.topic, partition: record.partition ?? 0, offset: 100 + offset)
        }

        var all: [ReplayRecord] { published.withLock { $0 } }
    }

    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static let topic = Topic(partitions: [
        [
            F.record(partition: 0, offset: 0, key: "a", reason: "komet_rejected"),
            F.record(partition: 0, offset: 1, key: "b", reason: "invalid_json"),
            F.record(partition: 0, offset: 2, key: "a", reason: "komet_rejected", replayCount: "3"),
            F.record(partition: 0, offset: 3, key: "c", reason: "komet_rejected", replayCount: "oops"),
        ],
        [
            F.record(partition: 1, offset: 0, key: "d", reason: "komet_rejected", replayCount: "2"),
            F.record(partition: 1, offset: 1, key: "a", reason: "komet_rejected", replayCount: "1"),
        ],
    ])

    func replay(sink: Sink?, filter: ReplayFilter, list: Lines, window: Int = 8) -> DeadLetterReplay {
        DeadLetterReplay(
            source: Self.topic, sink: sink, deadLetterTopic: F.dlq, filter: filter, rules: F.rules, window: window,
            list: { list.add($0) }, report: { _ in })
    }

    @Test func aDryRunListsWhatWouldGoAndWhatIsRefusedAndPublishesNothing() async throws {
        let lines = Lines()
        let report = try await replay(sink: nil, filter: ReplayFilter(reasons: [.kometRejected]), list: lines).run()
        #expect(
            lines.all == [
                DeadLetterReplay.headingLine,
                "replay    0          0         komet_rejected              0 -> 1        contacts.created/2"
                    + "                    a",
                "refused   0          2         komet_rejected              3             replay-count 3 reached "
                    + "--max-replays 3  a",
                "refused   0          3         komet_rejected              'oops'        replay-count 'oops' is not a "
                    + "number   c",
                "replay    1          0         komet_rejected              2 -> 3        contacts.created/2"
                    + "                    d",
                "replay    1          1         komet_rejected              1 -> 2        contacts.created/2"
                    + "                    a",
            ])
        #expect(report.dryRun)
        #expect(report.read == 6)
        #expect(report.byReason["komet_rejected"] == .init(replayed: 3, refused: 2))
        #expect(report.byReason["invalid_json"] == .init(filteredOut: 1))
        #expect(
            report.refusals == [
                "replay-count reached --max-replays 3 (loop guard)": 1, "replay-count not a number": 1,
            ])
        #expect(
            report.table.hasSuffix(
                "dry run, nothing published: would replay 3 of 6 dead letter(s) read; refused 2, filtered out 1, "
                    + "failed 0\n"))
    }

    @Test func aReplayPublishesEveryMatchKeepingTheOrderOfEachKey() async throws {
        let lines = Lines()
        let sink = Sink()
        let report = try await replay(sink: sink, filter: ReplayFilter(reasons: [.kometRejected]), list: lines).run()
        let published = sink.all
        #expect(published.count == 3)
        #expect(published.filter { $0.key == Array("a".utf8) }.map(\.replayCount) == [1, 2])
        #expect(Set(published.map(\.replayCount)) == [1, 2, 3])
        #expect(published.allSatisfy { $0.topic == F.input && $0.partition == 2 })
        #expect(report.total == .init(replayed: 3, refused: 2, filteredOut: 1))
        #expect(lines.all.filter { $0.hasPrefix("replayed ") }.count == 3)
        #expect(lines.all.contains { $0.hasPrefix("replayed") && $0.contains("contacts.created/2@10") })
        #expect(
            report.table.split(separator: "\n").map(String.init) == [
                "reason          replayed  refused  filtered out  failed",
                "invalid_json           0        0             1       0",
                "komet_rejected         3        2             0       0",
                "total                  3        2             1       0",
                "refused: 1 replay-count not a number",
                "refused: 1 replay-count reached --max-replays 3 (loop guard)",
                "replayed 3 of 6 dead letter(s) read; refused 2, filtered out 1, failed 0",
            ])
    }

    @Test func aWindowOfOneStillPublishesEverything() async throws {
        let sink = Sink()
        let report = try await replay(sink: sink, filter: ReplayFilter(), list: Lines(), window: 1).run()
        #expect(sink.all.map { String(decoding: $0.key ?? [], as: UTF8.self) } == ["a", "b", "d", "a"])
        #expect(report.total == .init(replayed: 4, refused: 2))
    }

    @Test func aFailedDeliveryIsCountedAndStopsTheReplay() async throws {
        let lines = Lines()
        let sink = Sink(failKey: "b")
        let report = try await replay(sink: sink, filter: ReplayFilter(), list: lines, window: 1).run()
        #expect(sink.all.map { String(decoding: $0.key ?? [], as: UTF8.self) } == ["a"])
        #expect(report.total.failed == 1)
        #expect(report.total.replayed == 1)
        // With one delivery in flight, the failure is seen when the next record (1@0) waits for it; the refusals
        // between (0@2, 0@3) need no delivery and are still listed.
        #expect(report.stoppedBefore == "dead letter 1@0")
        #expect(report.read == 4)
        #expect(lines.all.contains { $0.hasPrefix("failed ") && $0.hasSuffix("b") })
        #expect(report.table.contains("stopped after a failed delivery: dead letter 1@0 and later records"))
    }

    @Test func thePartitionAndOffsetFilterReadsOnlyThatRange() async throws {
        let sink = Sink()
        let report = try await replay(
            sink: sink, filter: ReplayFilter(partition: 1, fromOffset: 1, toOffset: 1), list: Lines()
        ).run()
        #expect(report.read == 1)
        #expect(sink.all.map(\.replayCount) == [2])
    }

    @Test func progressGoesToTheReportAtTheInterval() async throws {
        let progress = Lines()
        let replay = DeadLetterReplay(
            source: Self.topic, sink: nil, deadLetterTopic: F.dlq, filter: ReplayFilter(reasons: [.kometRejected]),
            rules: F.rules, progressInterval: .zero, list: { _ in }, report: { progress.add($0) })
        _ = try await replay.run()
        #expect(progress.all.count == 6)
        #expect(
            progress.all.last
                == "progress: partition 2 of 2, 6 read, 3 to replay, 2 refused, 1 filtered out, 0 failed\n")
        let quiet = Lines()
        var hourly = replay
        hourly.progressInterval = .seconds(3_600)
        hourly.report = { quiet.add($0) }
        _ = try await hourly.run()
        #expect(quiet.all.isEmpty)
    }

    @Test func aPartitionIsReadInSlicesFromItsLowWatermarkToTheEndFixedAtTheStart() async throws {
        let offsets: [Int64] = [7_000, 11_999, 12_000, 17_000, 30_001]
        let topic = Topic(partitions: [offsets.map { F.record(offset: $0, key: "k\($0)") }])
        let sink = Sink()
        let replay = DeadLetterReplay(
            source: topic, sink: sink, deadLetterTopic: F.dlq, filter: ReplayFilter(), rules: F.rules,
            list: { _ in }, report: { _ in })
        let report = try await replay.run()
        #expect(report.read == offsets.count)
        #expect(Set(sink.all.compactMap(\.key)) == Set(offsets.map { Array("k\($0)".utf8) }))
        var slices: [Range<Int64>] = []
        try await topic.scan(topic: F.dlq, partition: 0, range: 7_000..<30_002) { slice in
            slices.append((slice.first?.offset ?? -1)..<((slice.last?.offset ?? -2) + 1))
        }
        #expect(slices.count == 5)
        #expect(try await topic.endOffsets(topic: F.dlq).map(\.range) == [7_000..<30_002])
    }
}
