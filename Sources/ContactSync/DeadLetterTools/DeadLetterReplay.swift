import Kafka

/// `dlq replay`: reads the dead-letter topic partition by partition, in slices (bounded memory), from the start (or
/// `--from-offset`) to the end offsets as they are when the run starts (or `--to-offset`), so records a replay
/// dead-letters again are never read back in the same run. Each record is filtered (``ReplayFilter``), judged by the
/// loop guard (``ReplayRules``), listed, and (unless it is a dry run) published with up to ``window`` deliveries in
/// flight; records of one key are published in their dead-letter order, one after the other. It waits for every
/// delivery report; after a failed delivery it starts no more and stops.
public struct DeadLetterReplay: Sendable {
    public var source: any DeadLetterSource
    /// Nil for a dry run.
    public var sink: (any ReplaySink)?
    public var deadLetterTopic: String
    public var filter: ReplayFilter
    public var rules: ReplayRules
    /// Deliveries in flight at most.
    public var window: Int
    /// How often progress is reported.
    public var progressInterval: Duration
    /// Gets each line of the listing (stdout).
    public var list: @Sendable (String) -> Void
    /// Gets progress and delivery errors (stderr).
    public var report: @Sendable (String) -> Void

    public init(
        source: any DeadLetterSource, sink: (any ReplaySink)?, deadLetterTopic: String, filter: ReplayFilter,
        rules: ReplayRules, window: Int = 256, progressInterval: Duration = .seconds(5),
        list: @escaping @Sendable (String) -> Void, report: @escaping @Sendable (String) -> Void
    ) {
        self.source = source
        self.sink = sink
        self.deadLetterTopic = deadLetterTopic
        self.filter = filter
        self.rules = rules
        self.window = max(1, window)
        self.progressInterval = progressInterval
        self.list = list
        self.report = report
    }

    /// The listing's column headings.
    public static let headings = ["action", "partition", "offset", "reason", "replay-count", "target", "key"]

    /// One listing line: `action` (replay, replayed, refused, failed), the dead letter's partition, offset, reason,
    /// replay count (`old -> new` when replayed), the target (`topic/partition`, `@offset` once delivered) or the
    /// refusal, and the key last.
    static func line(_ action: String, _ entry: DeadLetterEntry, count: String, target: String) -> String {
        let cells = [
            action, String(entry.message.partition), String(entry.message.offset), entry.reasonLabel, count, target,
        ]
        let widths = [8, 9, 8, 26, 12, 36]
        var line = ""
        for (cell, width) in zip(cells, widths) {
            line += cell + String(repeating: " ", count: max(2, width - cell.count + 2))
        }
        return line + entry.displayKey
    }

    /// The listing's heading line.
    public static var headingLine: String {
        let widths = [8, 9, 8, 26, 12, 36]
        var line = ""
        for (cell, width) in zip(headings.dropLast(), widths) {
            line += cell + String(repeating: " ", count: max(2, width - cell.count + 2))
        }
        return line + headings.last!
    }

    /// The result of one delivery task.
    private struct Delivery: Sendable {
        var entry: DeadLetterEntry
        var record: ReplayRecord
        var result: Result<ReplayDelivery, any Error>
    }

    public func run() async throws -> ReplayReport {
        var summary = ReplayReport(dryRun: sink == nil)
        let partitions = try await source.partitionCount(topic: deadLetterTopic)
        // Every partition's range is fixed before anything is published, so what this run dead-letters again is
        // never read back by it.
        var ranges: [(Int32, Range<Int64>)] = []
        for partition in 0..<partitions where filter.reads(partition: partition) {
            let marks = try await source.watermarks(topic: deadLetterTopic, partition: partition)
            let start = max(filter.startOffset(partition: partition), marks.low)
            let end = max(start, min(marks.high, filter.endOffset(partition: partition) ?? marks.high))
            ranges.append((partition, start..<end))
        }
        let clock = ContinuousClock()
        var lastProgress = clock.now
        var listedHeading = false
        func listing(_ line: String) {
            if !listedHeading {
                list(Self.headingLine)
                listedHeading = true
            }
            list(line)
        }
        func progress(partition: Int32) {
            guard clock.now - lastProgress >= progressInterval else { return }
            lastProgress = clock.now
            let total = summary.total
            report(
                "progress: partition \(partition + 1) of \(partitions), \(summary.read) read, "
                    + "\(total.replayed) \(sink == nil ? "to replay" : "replayed"), \(total.refused) refused, "
                    + "\(total.filteredOut) filtered out, \(total.failed) failed\n")
        }

        try await withThrowingTaskGroup(of: Delivery.self) { group in
            var inFlight = 0
            var keysInFlight: [[UInt8]: Int] = [:]
            var failed = false

            func settle(_ delivery: Delivery) {
                inFlight -= 1
                if let key = delivery.record.key {
                    keysInFlight[key, default: 1] -= 1
                    if keysInFlight[key] == 0 { keysInFlight[key] = nil }
                }
                let label = delivery.entry.reasonLabel
                let count = "\(delivery.record.replayCount - 1) -> \(delivery.record.replayCount)"
                switch delivery.result {
                case .success(let delivered):
                    summary.byReason[label, default: .init()].replayed += 1
                    listing(Self.line("replayed", delivery.entry, count: count, target: delivered.description))
                case .failure(let error):
                    failed = true
                    summary.byReason[label, default: .init()].failed += 1
                    listing(Self.line("failed", delivery.entry, count: count, target: delivery.record.target))
                    report(
                        "error: delivery of dead letter \(delivery.entry.message.partition)@"
                            + "\(delivery.entry.message.offset) to \(delivery.record.target) failed: \(error)\n")
                }
            }

            partitionLoop: for (partition, range) in ranges {
                var next = range.lowerBound
                while next < range.upperBound {
                    let sliceEnd = min(range.upperBound, next + DeadLetterSourceSlices.offsets)
                    let records = try await source.read(
                        topic: deadLetterTopic, partition: partition, from: next, until: sliceEnd)
                    next = sliceEnd
                    for message in records {
                        if failed {
                            summary.stoppedBefore = "dead letter \(message.partition)@\(message.offset)"
                            break partitionLoop
                        }
                        let entry = DeadLetterEntry(message)
                        summary.read += 1
                        defer { progress(partition: partition) }
                        let label = entry.reasonLabel
                        guard filter.matches(entry) else {
                            summary.byReason[label, default: .init()].filteredOut += 1
                            continue
                        }
                        switch rules.decide(entry) {
                        case .refuse(let refusal):
                            summary.byReason[label, default: .init()].refused += 1
                            summary.refusals[refusal.kind, default: 0] += 1
                            listing(
                                Self.line(
                                    "refused", entry, count: entry.replayCount.description, target: refusal.description)
                            )
                        case .replay(let record):
                            guard let sink else {
                                summary.byReason[label, default: .init()].replayed += 1
                                listing(
                                    Self.line(
                                        "replay", entry, count: "\(record.replayCount - 1) -> \(record.replayCount)",
                                        target: record.target))
                                continue
                            }
                            while inFlight >= window || record.key.map({ keysInFlight[$0] != nil }) == true {
                                guard let delivery = try await group.next() else { break }
                                settle(delivery)
                            }
                            if failed {
                                summary.read -= 1
                                summary.stoppedBefore = "dead letter \(message.partition)@\(message.offset)"
                                break partitionLoop
                            }
                            inFlight += 1
                            if let key = record.key { keysInFlight[key, default: 0] += 1 }
                            group.addTask {
                                do {
                                    return Delivery(
                                        entry: entry, record: record, result: .success(try await sink.publish(record)))
                                } catch {
                                    return Delivery(entry: entry, record: record, result: .failure(error))
                                }
                            }
                        }
                    }
                }
            }
            while let delivery = try await group.next() {
                settle(delivery)
            }
        }
        return summary
    }
}
