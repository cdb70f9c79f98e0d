import Foundation
import Kafka
import Logging
import Synchronization

/// The event pipeline: receives records from the consumer's poll thread, runs them key-ordered and concurrently,
/// publishes one outcome per record and moves each partition's committable offset past finished records only.
///
/// The scheduling is ``PipelineScheduler``'s, a pure state machine kept in one `Mutex`; this type performs its actions
/// (starting jobs, storing offsets, pausing and resuming partitions) after the lock is released. One event goes
/// through the ``EventStages`` (see README, "Architecture").
///
/// Threads: ``receive(_:)``, ``assigned(_:)`` and ``revoking(_:lost:)`` are called on the consumer's poll thread; the
/// work itself runs in child tasks of ``run()``.
final class Pipeline: Sendable {
    private let configuration: PipelineConfiguration
    let stages: EventStages
    private let consumer: any ConsumerControl
    private let health: HealthState
    private let logger: Logger
    private let scheduler: Mutex<PipelineScheduler>
    /// Signalled when an event of a partition being revoked ends.
    private let drained = DrainSignal()
    /// The running events, and which of them are publishing, so a revoke can cancel those still processing when its
    /// drain time is up.
    private let running = Mutex<(tasks: [RecordPosition: RunningTask], publishing: Set<RecordPosition>)>(([:], []))
    private let starts: AsyncStream<PipelineJob>
    private let startContinuation: AsyncStream<PipelineJob>.Continuation

    init(
        configuration: PipelineConfiguration,
        stages: EventStages,
        consumer: any ConsumerControl,
        health: HealthState,
        logger: Logger
    ) {
        self.configuration = configuration
        self.stages = stages
        self.consumer = consumer
        self.health = health
        self.logger = logger
        scheduler = Mutex(
            PipelineScheduler(maxRunning: configuration.maxBuffered, maxBuffered: configuration.maxBuffered))
        (starts, startContinuation) = AsyncStream.makeStream(of: PipelineJob.self)
    }

    /// Events received and not finished.
    public var bufferedCount: Int { scheduler.withLock { $0.bufferedCount } }

    /// The pipeline's load, for `/metrics` and the liveness check.
    var load: PipelineLoad {
        scheduler.withLock { scheduler in
            let running = scheduler.runningCount
            return PipelineLoad(
                waiting: scheduler.bufferedCount - running, running: running,
                pausedPartitions: scheduler.pausedPartitionCount)
        }
    }

    /// Runs jobs until ``finish()`` is called. Jobs still running then are cancelled: they end without an outcome
    /// and without moving their offsets, so they are consumed again later.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await reason in self.stages.processor.gate.changes { self.kometPauseChanged(reason) }
            }
            group.addTask {
                while (try? await Task.sleep(for: self.configuration.storeRefreshInterval)) != nil {
                    self.perform(self.scheduler.withLock { $0.positionsToStoreAgain() })
                }
            }
            for await job in starts {
                group.addTask { await self.executeCancellable(job) }
            }
            // finish() comes after the final revoke, which already waited `drainTimeout` for running jobs.
            group.cancelAll()
        }
    }

    /// No more jobs will be started; ``run()`` cancels the ones still running and returns when they have ended.
    public func finish() {
        scheduler.withLock { $0.stop() }
        startContinuation.finish()
        stages.processor.gate.finishChanges()
    }

    // MARK: - Poll-thread entry points

    /// A record arrived. Decodes and maps it (cheap, pure), then queues it behind earlier events of its key.
    public func receive(_ message: KafkaMessage) {
        let job = stages.preparer.prepare(message)
        let (actions, wasIdle) = scheduler.withLock { scheduler in
            let wasIdle = scheduler.bufferedCount == 0
            return (scheduler.receive(job), wasIdle)
        }
        // Work arriving at an idle pipeline starts the stall clock afresh.
        if wasIdle { health.noteProgress() }
        perform(actions)
    }

    /// Partitions were assigned. New ones start paused when the pipeline is paused (backpressure or a refused token),
    /// and are resumed explicitly otherwise: librdkafka keeps a partition's pause across a revoke and a new assignment,
    /// so one paused before it was revoked would never fetch again.
    public func assigned(_ partitions: [TopicPartition]) {
        let actions = scheduler.withLock { $0.assign(partitions) }
        logger.info("partitions assigned", metadata: [SyncLogKey.partitions: "\(partitions.map(\.description))"])
        perform(actions)
    }

    /// Partitions are being revoked: drop their waiting events and end those waiting for a call slot (the next owner
    /// consumes them again), wait (bounded)
    /// for their running events, cancel those still running when `drainTimeout` is up (they end without an outcome,
    /// their claims stay pending for the next owner, which reconciles them once their leases and the late-arrival
    /// window have passed), and store their final positions. Blocks the poll thread, which is what librdkafka
    /// expects: the consumer commits and lets the partitions go only after this returns.
    ///
    /// A `lost` assignment is already another member's: nothing can be committed for it, so this returns at once.
    /// Its running events go on and publish their outcomes; whoever consumes the records again finds them in the
    /// outcome ledger.
    public func revoking(_ partitions: [TopicPartition], lost: Bool = false) {
        let revoked = Set(partitions)
        let dropped = scheduler.withLock { $0.beginRevoke(revoked) }
        // Events waiting for a call slot have claimed nothing: they end now, like the waiting ones just dropped.
        stages.processor.slots.withdraw(revoked)
        defer { stages.processor.slots.restore(revoked) }
        let deadline = ContinuousClock.now + (lost ? .zero : configuration.drainTimeout)
        let running = drained.wait(until: deadline) { scheduler.withLock { $0.runningCount(in: revoked) } }
        if running > 0, !lost { cancelRunning(in: revoked) }
        perform(scheduler.withLock { $0.endRevoke(partitions, lost: lost) })
        logger.info(
            lost ? "partitions lost" : "partitions revoked",
            metadata: [
                SyncLogKey.partitions: "\(partitions.map(\.description))",
                SyncLogKey.dropped: .stringConvertible(dropped),
                SyncLogKey.abandoned: .stringConvertible(running),
            ])
    }

    // MARK: - Work

    /// Runs one event in its own child task of ``run()``, registered so that a revoke can cancel it alone.
    private func executeCancellable(_ job: PipelineJob) async {
        let position = job.position
        withUnsafeCurrentTask { task in
            guard let task else { return }
            running.withLock { $0.tasks[position] = RunningTask(task) }
        }
        await execute(job)
        running.withLock { $0.tasks[position] = nil }
    }

    /// Cancels the running events of `partitions` that are still processing. One that is publishing its outcome is
    /// left to finish (it makes no more calls, and it takes a moment): cancelled, its record could still reach Kafka
    /// after the partition's next owner looked for it, and the input would get two outcomes.
    private func cancelRunning(in partitions: Set<TopicPartition>) {
        // Cancelled under the lock: a task leaves the table, under the same lock, before it ends.
        let cancelled = running.withLock { running in
            let chosen = running.tasks.filter { position, _ in
                !running.publishing.contains(position)
                    && partitions.contains(TopicPartition(topic: position.topic, partition: position.partition))
            }
            for task in chosen.values { task.cancel() }
            return chosen.count
        }
        logger.info(
            "drain time is up: running events of revoked partitions cancelled",
            metadata: [SyncLogKey.abandoned: .stringConvertible(cancelled)])
    }

    /// One event: skip it when the ledger shows its outcome was published; otherwise process and publish it. The
    /// ledger mark and the key's row are read in one trip, and the processor starts from that row.
    private func execute(_ job: PipelineJob) async {
        let clock = ContinuousClock()
        let started = clock.now
        var finished = false
        if let preparation = await stages.publisher.prepare(job) {
            if !preparation.outcomeNeeded {
                finished = true
            } else if let result = await stages.processor.process(job, knownEntry: preparation.entry) {
                _ = running.withLock { $0.publishing.insert(job.position) }  // a revoke no longer cancels it
                finished = await stages.publisher.publish(result, of: job, duration: clock.now - started)
                _ = running.withLock { $0.publishing.remove(job.position) }
            }
        }
        perform(scheduler.withLock { $0.complete(job, finished: finished) })
        health.noteProgress()
    }

    /// Komet's pause reason changed: pause every assigned partition while it refuses our calls, resume after.
    private func kometPauseChanged(_ reason: PauseReason?) {
        health.setKometPause(reason)
        let refused = reason?.stopsConsumption ?? false
        guard let actions = scheduler.withLock({ $0.setKometPaused(refused) }) else { return }
        if refused {
            logger.info(
                "consumption paused: Komet refuses our calls",
                metadata: [SyncLogKey.pauseReason: "\(PauseReason.systemic.rawValue)"])
        } else {
            logger.info("consumption resumed: Komet accepts our calls")
        }
        perform(actions)
    }

    private func perform(_ actions: PipelineScheduler.Actions) {
        for job in actions.start {
            startContinuation.yield(job)
        }
        if actions.wakeDrain { drained.signal() }
        for (partition, position) in actions.store {
            do {
                try consumer.storeOffset(partition, nextOffset: position)
            } catch {
                logger.info(
                    "offset not stored",
                    metadata: [SyncLogKey.partition: .stringConvertible(partition), SyncLogKey.error: "\(error)"])
            }
        }
        if !actions.pause.isEmpty {
            if actions.cause == .backpressure {
                logger.info(
                    "buffer full: pausing partitions",
                    metadata: [SyncLogKey.buffered: .stringConvertible(bufferedCount)])
            }
            act("pausing partitions", on: actions.pause) { try consumer.pause($0) }
        }
        if !actions.resume.isEmpty {
            if actions.cause == .backpressure {
                logger.info(
                    "buffer drained: resuming partitions",
                    metadata: [SyncLogKey.buffered: .stringConvertible(bufferedCount)])
            }
            act("resuming partitions", on: actions.resume) { try consumer.resume($0) }
        }
    }

    /// Pauses or resumes; a failure is logged (the consumer goes on, and the next assignment sets the state again).
    private func act(_ what: String, on partitions: [TopicPartition], _ operation: ([TopicPartition]) throws -> Void) {
        do {
            try operation(partitions)
        } catch {
            logger.warning(
                "\(what) failed",
                metadata: [SyncLogKey.partitions: "\(partitions.map(\.description))", SyncLogKey.error: "\(error)"])
        }
    }
}

/// What the pipeline holds at one moment.
struct PipelineLoad: Sendable, Equatable {
    /// Events received and not started (behind their key).
    var waiting: Int
    /// Events started and not finished.
    var running: Int
    /// Assigned partitions paused by the pipeline.
    var pausedPartitions: Int

    static let idle = PipelineLoad(waiting: 0, running: 0, pausedPartitions: 0)

    var pending: Int { waiting + running }
}

/// A running event's task, which a revoke may cancel. It is only used while its event runs: an event's task enters
/// the pipeline's table when it starts and leaves it before it ends, and is cancelled only under the table's lock, so
/// the handle never outlives its task (which is what makes sharing it across threads sound).
private struct RunningTask: @unchecked Sendable {
    private let task: UnsafeCurrentTask

    init(_ task: UnsafeCurrentTask) { self.task = task }

    func cancel() { task.cancel() }
}
