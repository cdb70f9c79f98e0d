import Kafka

/// The pipeline's scheduling as a pure state machine: which events run, which wait behind their key, which offsets
/// are safe to store, and which partitions to pause or resume. Every transition returns the ``Actions`` to perform;
/// the caller performs them (outside its lock). No I/O, no clock: unit-tested without Kafka.
struct PipelineScheduler {
    /// Why partitions are paused or resumed: the caller logs it.
    enum FlowCause: Sendable, Equatable {
        /// A (re)assignment: new partitions follow the pipeline's current pause.
        case assignment
        /// The buffer passed its bound, or drained to half of it.
        case backpressure
        /// Komet refuses our calls (systemic), or accepts them again.
        case kometRefusal
    }

    /// What the caller must do after a transition.
    struct Actions {
        var start: [PipelineJob] = []
        var store: [(TopicPartition, Int64)] = []
        var pause: [TopicPartition] = []
        var resume: [TopicPartition] = []
        var cause: FlowCause = .backpressure
        /// A revoke is waiting for running events of a partition whose event just ended.
        var wakeDrain = false
    }

    private var queue: KeyedQueue<PipelineJob>
    private var trackers: [TopicPartition: OffsetTracker] = [:]
    /// Running jobs per partition, so a revoke can wait for exactly its own.
    private var runningByPartition: [TopicPartition: Int] = [:]
    /// Partitions whose revoke waits for their running events.
    private var draining: Set<TopicPartition> = []
    /// Paused because the buffer is full.
    private var bufferFull = false
    /// Paused because Komet refuses our calls (systemic): no point in consuming more.
    private(set) var kometPaused = false
    private(set) var assigned: Set<TopicPartition> = []
    private(set) var stopped = false
    let maxBuffered: Int

    /// - Parameters:
    ///   - maxRunning: events running at once (distinct keys). The pipeline runs every buffered event whose key is
    ///     free (`maxBuffered`): what bounds the Komet calls is ``CallSlots``, not this.
    ///   - maxBuffered: received, unfinished events above which the assigned partitions are paused.
    init(maxRunning: Int, maxBuffered: Int) {
        queue = KeyedQueue(limit: maxRunning)
        self.maxBuffered = maxBuffered
    }

    /// Events received and not finished.
    var bufferedCount: Int { queue.count }

    /// Events started and not finished.
    var runningCount: Int { runningByPartition.values.reduce(0, +) }

    /// Assigned partitions this scheduler keeps paused (the buffer is full, or Komet refuses our calls).
    var pausedPartitionCount: Int { bufferFull || kometPaused ? assigned.count : 0 }

    /// A record arrived: track its offset and queue it behind earlier events of its key.
    mutating func receive(_ job: PipelineJob) -> Actions {
        var actions = Actions()
        guard !stopped else { return actions }
        let partition = job.message.topicPartition
        trackers[partition, default: OffsetTracker()].track(job.message.offset)
        actions.start = started(queue.enqueue(job, key: job.key))
        if !bufferFull && queue.count >= maxBuffered {
            bufferFull = true
            if !kometPaused { actions.pause = Array(assigned) }
        }
        return actions
    }

    /// Partitions were assigned. They start paused when the pipeline is paused, and are resumed explicitly otherwise:
    /// librdkafka keeps a partition's pause across a revoke and a new assignment.
    mutating func assign(_ partitions: [TopicPartition]) -> Actions {
        for partition in partitions {
            assigned.insert(partition)
            trackers[partition] = OffsetTracker()
        }
        var actions = Actions(cause: .assignment)
        if bufferFull || kometPaused { actions.pause = partitions } else { actions.resume = partitions }
        return actions
    }

    /// A revoke begins: drop the partitions' waiting events (the next owner consumes them again) and note that a
    /// drain waits for their running ones. Returns how many were dropped.
    mutating func beginRevoke(_ partitions: Set<TopicPartition>) -> Int {
        draining.formUnion(partitions)
        return queue.removeWaiting { partitions.contains($0.message.topicPartition) }
    }

    /// Events still running in `partitions`.
    func runningCount(in partitions: Set<TopicPartition>) -> Int {
        partitions.reduce(0) { $0 + (runningByPartition[$1] ?? 0) }
    }

    /// A revoke ends: store the partitions' final positions (unless the assignment was lost, when nothing can be
    /// committed for them) and forget them.
    mutating func endRevoke(_ partitions: [TopicPartition], lost: Bool) -> Actions {
        var actions = Actions()
        for partition in partitions {
            if let position = trackers.removeValue(forKey: partition)?.committable, !lost {
                actions.store.append((partition, position))
            }
            assigned.remove(partition)
            draining.remove(partition)
        }
        // Dropping the waiting events may have drained the buffer: with no job left to finish, nothing else would
        // lift the backpressure pause, and the partitions assigned next would start paused for good.
        actions.resume = releaseBackpressure()
        return actions
    }

    /// A job ended: free its key, move the offset when its outcome is durable (`finished`), start what may start.
    mutating func complete(_ job: PipelineJob, finished: Bool) -> Actions {
        var actions = Actions()
        let partition = job.message.topicPartition
        runningByPartition[partition, default: 1] -= 1
        if runningByPartition[partition] == 0 { runningByPartition[partition] = nil }
        actions.wakeDrain = draining.contains(partition)
        if finished, let position = trackers[partition]?.finish(job.message.offset) {
            actions.store.append((partition, position))
        }
        let next = queue.finish(key: job.key)
        if !stopped { actions.start = started(next) }
        actions.resume = releaseBackpressure()
        return actions
    }

    /// Komet's refusal began or ended: pause every assigned partition while it lasts (unless the buffer already
    /// paused them), resume after. `nil` when nothing changed.
    mutating func setKometPaused(_ paused: Bool) -> Actions? {
        guard kometPaused != paused, !stopped else { return nil }
        kometPaused = paused
        var actions = Actions(cause: .kometRefusal)
        guard !bufferFull else { return actions }
        if paused { actions.pause = Array(assigned) } else { actions.resume = Array(assigned) }
        return actions
    }

    /// Every assigned partition's committable position, to store again.
    func positionsToStoreAgain() -> Actions {
        Actions(store: assigned.compactMap { partition in trackers[partition]?.committable.map { (partition, $0) } })
    }

    /// No more jobs start.
    mutating func stop() {
        stopped = true
    }

    /// Lifts the backpressure pause once the buffer is down to half; returns the partitions to resume.
    private mutating func releaseBackpressure() -> [TopicPartition] {
        guard bufferFull && queue.count <= maxBuffered / 2 else { return [] }
        bufferFull = false
        return kometPaused ? [] : Array(assigned)
    }

    private mutating func started(_ jobs: [PipelineJob]) -> [PipelineJob] {
        for job in jobs {
            runningByPartition[job.message.topicPartition, default: 0] += 1
        }
        return jobs
    }
}
