import Foundation
import Kafka
import Logging

/// Publishes exactly one outcome per input record: it owns the outcome ledger's marks, producing, reading a partition
/// back when a delivery is in doubt, and the retries of all three.
///
/// Before a record is processed, ``prepare(_:)`` asks the ledger whether it already has an outcome (a record consumed
/// again after a crash, a lost commit or a rebalance), reading its key's row in the same trip. After it is processed, ``publish(_:of:duration:)``
/// marks it `publishing` (with the partition and a lower bound of the offset; a contact the event created is recorded
/// `done` on its key in the same transaction), produces the outcome, waits for the delivery report, and marks it
/// `published` (the marks of events that get that far together are written together, see ``LedgerMarks``).
struct OutcomePublisher: Sendable {
    let recorder: OutcomeRecorder
    let ledger: any OutcomeLedger
    /// The dedupe keys, for the rare contact recorded apart from its outcome's mark.
    let keys: any DedupeStore
    let sink: any OutcomeSink
    let lookup: any OutcomeLookup
    /// The `publishing` and `published` marks, written for many records at once.
    let marks: LedgerMarks
    let logger: Logger
    /// Between failed store or broker operations: 200 ms, doubling up to 30 s.
    let backoff = Backoff(baseDelay: .milliseconds(200), maxDelay: .seconds(30), jitter: .none)

    init(
        recorder: OutcomeRecorder, ledger: any OutcomeLedger, keys: any DedupeStore, sink: any OutcomeSink,
        lookup: any OutcomeLookup, logger: Logger
    ) {
        self.recorder = recorder
        self.ledger = ledger
        self.keys = keys
        self.sink = sink
        self.lookup = lookup
        self.marks = LedgerMarks(ledger: ledger)
        self.logger = logger
    }

    /// What the stores know of a record about to be processed, read in one trip: whether it still needs an outcome,
    /// and its dedupe key's row then.
    struct Preparation: Sendable {
        /// `false` when the ledger shows the record's outcome was published.
        var outcomeNeeded: Bool
        /// The key's row as read with the ledger mark (`nil` for a bad event, or a key without one).
        var entry: DedupeEntry?
    }

    /// Reads the record's ledger mark and its key's row together. `nil` when the task was cancelled before knowing.
    func prepare(_ job: PipelineJob) async -> Preparation? {
        let position = job.position
        return await retrying("reading the outcome ledger") { () async throws -> Preparation in
            let state = try await marks.state(of: RecordStateRequest(position: position, key: job.dedupeKey))
            return Preparation(outcomeNeeded: try await outcomeNeeded(position, mark: state.mark), entry: state.entry)
        }
    }

    /// Whether the record still needs an outcome: `false` when the ledger shows one was published, `nil` when the
    /// task was cancelled before knowing.
    func outcomeNeeded(_ position: RecordPosition) async -> Bool? {
        await retrying("reading the outcome ledger") { () async throws -> Bool in
            try await outcomeNeeded(position, mark: try await ledger.outcomeMark(for: position))
        }
    }

    /// Whether a record whose ledger mark is `mark` still needs an outcome; a `publishing` mark is resolved by reading
    /// the partition back.
    private func outcomeNeeded(_ position: RecordPosition, mark: OutcomeMark?) async throws -> Bool {
        switch mark {
        case nil:
            return true
        case .published:
            logger.debug("outcome already published; skipping the replayed record", metadata: metadata(position))
            return false
        case .publishing(let placement, _):
            // Produced, but the delivery report was never recorded: look for the record itself.
            let found = try await lookup.contains(outcomeOf: position, in: placement)
            var metadata = metadata(position)
            metadata[SyncLogKey.outcomeFound] = "\(found)"
            logger.info("resolved an outcome of unknown delivery", metadata: metadata)
            if found { try await marks.published(position) }
            return !found
        }
    }

    /// Publishes the outcome and waits for its delivery report, with the ledger's marks around it. Broker failures
    /// are retried until it is delivered or the task is cancelled: the offset never moves past an event whose outcome
    /// is not durable. Returns whether it was published.
    func publish(_ result: EventProcessor.Result, of job: PipelineJob, duration: Duration) async -> Bool {
        let position = job.position
        if result.recordSeenBefore, let published = await publishedMeanwhile(position) {
            guard !published else {
                // The other attempt's outcome stands; a contact this one created is still recorded on its key.
                if let keyDone = result.keyDone {
                    _ = await retrying("recording the created contact") {
                        try await keys.markDone(key: keyDone.key, contact: keyDone.contact, now: Date())
                    }
                }
                return true
            }
        }
        var record = recorder.record(for: result, of: job, duration: duration)
        // Where the last attempt produced its record, when that attempt failed after producing: a failed delivery
        // report (a message timeout, say) does not mean the record is not in the partition.
        var producedAt: OutcomePlacement?
        let delivered: Void? = await retrying("publishing the outcome") {
            if let earlier = producedAt, try await lookup.contains(outcomeOf: position, in: earlier) {
                logger.info(
                    "an outcome whose delivery failed was found in Kafka; not publishing it again",
                    metadata: [
                        SyncLogKey.topic: "\(earlier.topic)",
                        SyncLogKey.partition: .stringConvertible(earlier.partition),
                    ])
                return
            }
            let placement = try await sink.placement(topic: record.topic, key: record.key)
            // A contact the event created is recorded `done` in the same transaction as the mark.
            try await marks.publishing(
                PublishingMark(position: position, placement: placement, keyDone: result.keyDone))
            producedAt = placement
            do {
                try await sink.publish(
                    topic: record.topic, partition: placement.partition, key: record.key, value: record.value,
                    headers: record.headers)
            } catch let error as KafkaError where error.code == KafkaError.messageTooLargeCode {
                // A dead letter keeps the original value, which the dead-letter topic may not accept: rather than
                // block the partition, publish it without the value (the headers say so), and keep every header.
                guard let smaller = recorder.withoutValue(record) else { throw error }
                logger.warning(
                    "dead letter too large for its topic; publishing it without the original value",
                    metadata: [
                        SyncLogKey.topic: "\(record.topic)",
                        SyncLogKey.valueBytes: .stringConvertible(record.value?.count ?? 0),
                    ])
                record = smaller
                producedAt = nil  // refused as a whole: nothing of it is in the partition
                throw error
            }
            producedAt = nil
        }
        guard delivered != nil else { return false }
        recorder.report(result, of: job, duration: duration, logger: logger)
        // The record is durable; if this mark is lost, a replay finds the record by reading the partition back.
        _ = await retrying("recording the published outcome") {
            try await marks.published(position)
        }
        return true
    }

    /// Whether another attempt at the record (a partition's former owner still finishing it) published its outcome
    /// while this one processed it: the ledger is read again, and a `publishing` mark is resolved by reading the
    /// partition back, as for a replayed record. `nil` when the task was cancelled before knowing.
    private func publishedMeanwhile(_ position: RecordPosition) async -> Bool? {
        guard let needed = await outcomeNeeded(position) else { return nil }
        if !needed {
            logger.info(
                "another attempt at this record published its outcome meanwhile; not publishing it again",
                metadata: metadata(position))
        }
        return !needed
    }

    /// Runs `operation` until it succeeds, backing off between failures. `nil` when the task is cancelled first.
    private func retrying<T: Sendable>(_ what: String, _ operation: () async throws -> T) async -> T? {
        var failures = 0
        while !Task.isCancelled {
            do {
                return try await operation()
            } catch {
                if Task.isCancelled { return nil }
                failures += 1
                logger.warning(
                    "\(what) failed; retrying",
                    metadata: [SyncLogKey.error: "\(error)", SyncLogKey.retryAttempt: .stringConvertible(failures)])
                do {
                    try await Task.sleep(for: backoff.delay(retry: failures))
                } catch {
                    return nil
                }
            }
        }
        return nil
    }

    private func metadata(_ position: RecordPosition) -> Logger.Metadata {
        [
            SyncLogKey.topic: "\(position.topic)", SyncLogKey.partition: .stringConvertible(position.partition),
            SyncLogKey.offset: .stringConvertible(position.offset),
        ]
    }
}
