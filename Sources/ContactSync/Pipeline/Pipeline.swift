import Foundation
import Kafka
import KometClient
import Logging
import Synchronization

/// The event pipeline: receives records from the consumer's poll thread, runs them key-ordered and concurrently,
/// publishes one outcome per record and moves each partition's committable offset past finished records only.
///
/// Threads: ``receive(_:)``, ``assigned(_:)`` and ``revoking(_:)`` are called on the consumer's poll thread; the work
/// itself runs in child tasks of ``run()``. Shared state lives in one `Mutex`; side effects happen after it is released.
public final class Pipeline: Sendable {
    private struct State {
        var queue: KeyedQueue<PipelineJob>
        var trackers: [TopicPartition: OffsetTracker] = [:]
        /// Running jobs per partition, so a revoke can wait for exactly its own.
        var runningByPartition: [TopicPartition: Int] = [:]
        var nextSequence: UInt64 = 0
        /// Paused because the buffer is full.
        var paused = false
        /// Paused because Komet refuses our calls (systemic): no point in consuming more.
        var kometPaused = false
        var assigned: Set<TopicPartition> = []
        var stopped = false
    }

    /// What the caller must do after a state transition, outside the lock.
    private struct Actions {
        var start: [PipelineJob] = []
        var pause: [TopicPartition] = []
        var resume: [TopicPartition] = []
        var store: [(TopicPartition, Int64)] = []
    }

    private let configuration: PipelineConfiguration
    private let decoder: ContactEventDecoder
    private let mapper: ContactMapper
    private let keyStrategy: DedupeKeyStrategy
    private let processor: EventProcessor
    private let sink: any OutcomeSink
    private let lookup: any OutcomeLookup
    private let store: any DedupeStore
    private let health: HealthState
    private let consumer: any ConsumerControl
    private let recorder: OutcomeRecorder
    private let logger: Logger
    private let state: Mutex<State>
    private let starts: AsyncStream<PipelineJob>
    private let startContinuation: AsyncStream<PipelineJob>.Continuation
    private let gateChanges: AsyncStream<KometCallGate.Reason?>
    private let gateChangeContinuation: AsyncStream<KometCallGate.Reason?>.Continuation

    public init(
        configuration: PipelineConfiguration,
        retry: RetryPolicy,
        decoder: ContactEventDecoder,
        mapper: ContactMapper,
        keyStrategy: DedupeKeyStrategy,
        store: any DedupeStore,
        komet: any KometAPI,
        sink: any OutcomeSink,
        lookup: any OutcomeLookup,
        consumer: any ConsumerControl,
        recorder: OutcomeRecorder,
        owner: String,
        logger: Logger
    ) {
        self.configuration = configuration
        self.decoder = decoder
        self.mapper = mapper
        self.keyStrategy = keyStrategy
        self.sink = sink
        self.lookup = lookup
        self.store = store
        self.health = recorder.health
        self.consumer = consumer
        self.recorder = recorder
        self.logger = logger
        let (gateChanges, gateChangeContinuation) = AsyncStream.makeStream(of: KometCallGate.Reason?.self)
        self.gateChanges = gateChanges
        self.gateChangeContinuation = gateChangeContinuation
        let gate = KometCallGate(settings: retry.gateSettings, logger: logger) { gateChangeContinuation.yield($0) }
        self.processor = EventProcessor(
            store: store, komet: komet, gate: gate, retry: retry,
            ambiguousPolicy: configuration.ambiguousPolicy, owner: owner, logger: logger)
        self.state = Mutex(State(queue: KeyedQueue(limit: configuration.maxInFlight)))
        (starts, startContinuation) = AsyncStream.makeStream(of: PipelineJob.self)
    }

    /// Events received and not finished.
    public var bufferedCount: Int { state.withLock { $0.queue.count } }

    /// Runs jobs until ``finish()`` is called. Jobs still running then are cancelled: they end without an outcome
    /// and without moving their offsets, so they are consumed again later.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await reason in self.gateChanges { self.kometPauseChanged(reason) }
            }
            group.addTask {
                while (try? await Task.sleep(for: self.configuration.storeRefreshInterval)) != nil {
                    self.storePositionsAgain()
                }
            }
            for await job in starts {
                group.addTask { await self.execute(job) }
            }
            // finish() comes after the final revoke, which already waited `drainTimeout` for running jobs.
            group.cancelAll()
        }
    }

    /// No more jobs will be started; ``run()`` cancels the ones still running and returns when they have ended.
    public func finish() {
        state.withLock { $0.stopped = true }
        startContinuation.finish()
        gateChangeContinuation.finish()
    }

    // MARK: - Poll-thread entry points

    /// A record arrived. Decodes and maps it (cheap, pure), then queues it behind earlier events of its key.
    public func receive(_ message: KafkaMessage) {
        let (key, preparation) = prepare(message)
        let actions: Actions = state.withLock { state in
            var actions = Actions()
            guard !state.stopped else { return actions }
            let partition = message.topicPartition
            state.trackers[partition, default: OffsetTracker()].track(message.offset)
            let job = PipelineJob(sequence: state.nextSequence, message: message, key: key, preparation: preparation)
            state.nextSequence += 1
            actions.start = state.queue.enqueue(job, key: key)
            Self.noteStarted(actions.start, in: &state)
            if !state.paused && state.queue.count >= configuration.maxBuffered {
                state.paused = true
                if !state.kometPaused { actions.pause = Array(state.assigned) }
            }
            return actions
        }
        perform(actions)
    }

    /// Partitions were assigned. New ones start paused when the pipeline is paused (backpressure or a refused token),
    /// and are resumed explicitly otherwise: librdkafka keeps a partition's pause across a revoke and a new assignment,
    /// so one paused before it was revoked would never fetch again.
    public func assigned(_ partitions: [TopicPartition]) {
        let paused: Bool = state.withLock { state in
            for partition in partitions {
                state.assigned.insert(partition)
                state.trackers[partition] = OffsetTracker()
            }
            return state.paused || state.kometPaused
        }
        logger.info("partitions assigned", metadata: ["kafka.partitions": "\(partitions.map(\.description))"])
        guard !partitions.isEmpty else { return }
        if paused {
            try? consumer.pause(partitions)
        } else {
            try? consumer.resume(partitions)
        }
    }

    /// Partitions are being revoked: drop their waiting events (the next owner consumes them again), wait (bounded)
    /// for their running events, and store their final positions. Blocks the poll thread, which is what librdkafka
    /// expects: the consumer commits and lets the partitions go only after this returns.
    ///
    /// A `lost` assignment is already another member's: nothing can be committed for it, so this returns at once.
    /// Its running events go on and publish their outcomes; whoever consumes the records again finds them in the
    /// outcome ledger.
    public func revoking(_ partitions: [TopicPartition], lost: Bool = false) {
        let revoked = Set(partitions)
        let dropped = state.withLock { state in
            state.queue.removeWaiting { revoked.contains($0.message.topicPartition) }
        }
        let deadline = ContinuousClock.now + (lost ? .zero : configuration.drainTimeout)
        var running = runningCount(in: revoked)
        while running > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
            running = runningCount(in: revoked)
        }
        let actions: Actions = state.withLock { state in
            var actions = Actions()
            for partition in partitions {
                if let position = state.trackers.removeValue(forKey: partition)?.committable, !lost {
                    actions.store.append((partition, position))
                }
                state.assigned.remove(partition)
            }
            // Dropping the waiting events may have drained the buffer: with no job left to finish, nothing else would
            // lift the backpressure pause, and the partitions assigned next would start paused for good.
            actions.resume = Self.releaseBackpressure(in: &state, maxBuffered: configuration.maxBuffered)
            return actions
        }
        perform(actions)
        logger.info(
            lost ? "partitions lost" : "partitions revoked",
            metadata: [
                "kafka.partitions": "\(partitions.map(\.description))", "pipeline.dropped": "\(dropped)",
                "pipeline.abandoned": "\(running)",
            ])
    }

    /// Stores every assigned partition's position again. A store that librdkafka refused (the partition was between
    /// assignments) or forgot (it resets stored offsets when a partition is assigned anew) would otherwise hold the
    /// group's offset back until the partition's next record finishes, which may never come. Storing a position
    /// twice is harmless: librdkafka commits only positions past the committed one.
    private func storePositionsAgain() {
        let positions: [(TopicPartition, Int64)] = state.withLock { state in
            state.assigned.compactMap { partition in
                state.trackers[partition]?.committable.map { (partition, $0) }
            }
        }
        perform(Actions(store: positions))
    }

    // MARK: - Work

    private func prepare(_ message: KafkaMessage) -> (String, PipelineJob.Preparation) {
        // A bad event has no trustworthy key: give it one of its own so it waits for nothing.
        let ownKey = "\u{0}\(message.topic)/\(message.partition)/\(message.offset)"
        do throws(BadEvent) {
            let decoded = try decoder.decode(value: message.value, headers: message.headers)
            let request = try mapper.map(decoded.payload)
            let key = try keyStrategy.key(
                messageKey: message.key, cloudEventID: decoded.cloudEventID, request: request)
            return (key, .ready(request))
        } catch {
            return (ownKey, .bad(error))
        }
    }

    private func execute(_ job: PipelineJob) async {
        let clock = ContinuousClock()
        let started = clock.now
        let position = RecordPosition(job.message)
        guard let needed = await outcomeNeeded(position) else {
            return completed(job, finished: false)
        }
        guard needed else {
            logger.debug(
                "outcome already published; skipping the replayed record",
                metadata: [
                    "kafka.topic": "\(position.topic)", "kafka.partition": "\(position.partition)",
                    "kafka.offset": "\(position.offset)",
                ])
            return completed(job, finished: true)
        }
        guard let result = await processor.process(job) else {
            return completed(job, finished: false)
        }
        let published = await publish(result, of: job, at: position, duration: clock.now - started)
        completed(job, finished: published)
    }

    /// Whether the record still needs an outcome: `false` when the outcome ledger shows one was published (the record
    /// is consumed again after a crash or a lost commit), `nil` when the task was cancelled before knowing.
    private func outcomeNeeded(_ position: RecordPosition) async -> Bool? {
        await retrying("reading the outcome ledger") { () async throws -> Bool in
            switch try await store.outcomeMark(for: position) {
            case nil:
                return true
            case .published:
                return false
            case .publishing(let placement, _):
                // Produced, but the delivery report was never recorded: look for the record itself.
                let found = try await lookup.contains(outcomeOf: position, in: placement)
                logger.info(
                    "resolved an outcome of unknown delivery",
                    metadata: [
                        "kafka.topic": "\(position.topic)", "kafka.partition": "\(position.partition)",
                        "kafka.offset": "\(position.offset)", "outcome.found": "\(found)",
                    ])
                if found { try await store.markPublished(position, now: Date()) }
                return !found
            }
        }
    }

    /// Publishes the outcome and waits for its delivery report, with the outcome ledger around it: `publishing`
    /// (with the partition and a lower bound of the offset) before, `published` after. Broker failures are retried
    /// until it is delivered or the task is cancelled: the offset never moves past an event whose outcome is not
    /// durable.
    private func publish(
        _ result: EventProcessor.Result, of job: PipelineJob, at position: RecordPosition, duration: Duration
    ) async -> Bool {
        var result = result
        var record: OutcomeRecorder.Record
        do {
            record = try recorder.record(for: result, of: job, duration: duration)
        } catch {
            // Never seen; but one event must not hold its partition back: it becomes a dead letter instead.
            logger.error("cannot encode the outcome; dead-lettering the event", metadata: ["error": "\(error)"])
            result = EventProcessor.Result(
                outcome: .deadLetter(
                    reason: PipelineReason.internalError, detail: "cannot encode the outcome: \(error)",
                    httpStatus: nil),
                attempts: result.attempts)
            guard let deadLetter = try? recorder.record(for: result, of: job, duration: duration) else { return false }
            record = deadLetter
        }
        // Where the last attempt produced its record, when that attempt failed after producing: a failed delivery
        // report (a message timeout, say) does not mean the record is not in the partition.
        var producedAt: OutcomePlacement?
        let delivered: Void? = await retrying("publishing the outcome") {
            if let earlier = producedAt, try await lookup.contains(outcomeOf: position, in: earlier) {
                logger.info(
                    "an outcome whose delivery failed was found in Kafka; not publishing it again",
                    metadata: ["kafka.topic": "\(earlier.topic)", "kafka.partition": "\(earlier.partition)"])
                return
            }
            let placement = try await sink.placement(topic: record.topic, key: record.key)
            try await store.markPublishing(position, placement: placement, now: Date())
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
                    metadata: ["kafka.topic": "\(record.topic)", "value.bytes": "\(record.value?.count ?? 0)"])
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
            try await store.markPublished(position, now: Date())
        }
        return true
    }

    /// Runs `operation` until it succeeds, backing off from 100 ms to 30 s between failures. `nil` when the task is
    /// cancelled first.
    private func retrying<T: Sendable>(
        _ what: String, _ operation: () async throws -> T
    ) async -> T? {
        var failures = 0
        while !Task.isCancelled {
            do {
                return try await operation()
            } catch {
                if Task.isCancelled { return nil }
                failures += 1
                logger.warning(
                    "\(what) failed; retrying", metadata: ["error": "\(error)", "attempt": "\(failures)"])
                let delay = Duration.milliseconds(min(30_000, 100 << min(failures, 9)))
                try? await Task.sleep(for: delay)
            }
        }
        return nil
    }

    /// Komet's pause reason changed: pause every assigned partition while it refuses our calls, resume after.
    private func kometPauseChanged(_ reason: KometCallGate.Reason?) {
        health.setKometPause(reason?.rawValue)
        let systemic = reason == .systemic
        let actions: Actions? = state.withLock { state in
            guard state.kometPaused != systemic, !state.stopped else { return nil }
            state.kometPaused = systemic
            guard !state.paused else { return Actions() }
            return systemic ? Actions(pause: Array(state.assigned)) : Actions(resume: Array(state.assigned))
        }
        guard let actions else { return }
        if systemic {
            logger.info("consumption paused: Komet refuses our calls", metadata: ["komet.pause.reason": "systemic"])
            try? consumer.pause(actions.pause)
        } else {
            logger.info("consumption resumed: Komet accepts our calls")
            try? consumer.resume(actions.resume)
        }
    }

    /// The job ended: free its key, move the offset when its outcome is durable, start whatever may start now.
    private func completed(_ job: PipelineJob, finished: Bool) {
        let partition = job.message.topicPartition
        let actions: Actions = state.withLock { state in
            var actions = Actions()
            state.runningByPartition[partition, default: 1] -= 1
            if state.runningByPartition[partition] == 0 { state.runningByPartition[partition] = nil }
            if finished, let position = state.trackers[partition]?.finish(job.message.offset) {
                actions.store.append((partition, position))
            }
            let next = state.queue.finish(key: job.key)
            if !state.stopped {
                actions.start = next
                Self.noteStarted(next, in: &state)
            }
            actions.resume = Self.releaseBackpressure(in: &state, maxBuffered: configuration.maxBuffered)
            return actions
        }
        perform(actions)
    }

    /// Lifts the backpressure pause once the buffer is down to half; returns the partitions to resume.
    private static func releaseBackpressure(in state: inout State, maxBuffered: Int) -> [TopicPartition] {
        guard state.paused && state.queue.count <= maxBuffered / 2 else { return [] }
        state.paused = false
        return state.kometPaused ? [] : Array(state.assigned)
    }

    private static func noteStarted(_ jobs: [PipelineJob], in state: inout State) {
        for job in jobs {
            state.runningByPartition[job.message.topicPartition, default: 0] += 1
        }
    }

    private func runningCount(in partitions: Set<TopicPartition>) -> Int {
        state.withLock { state in partitions.reduce(0) { $0 + (state.runningByPartition[$1] ?? 0) } }
    }

    private func perform(_ actions: Actions) {
        for job in actions.start {
            startContinuation.yield(job)
        }
        for (partition, position) in actions.store {
            do {
                try consumer.storeOffset(partition, nextOffset: position)
            } catch {
                logger.info(
                    "offset not stored", metadata: ["kafka.partition": "\(partition)", "error": "\(error)"])
            }
        }
        if !actions.pause.isEmpty {
            logger.info("buffer full: pausing partitions", metadata: ["pipeline.buffered": "\(bufferedCount)"])
            try? consumer.pause(actions.pause)
        }
        if !actions.resume.isEmpty {
            logger.info("buffer drained: resuming partitions", metadata: ["pipeline.buffered": "\(bufferedCount)"])
            try? consumer.resume(actions.resume)
        }
    }
}
