import DequeModule
import HeapModule

/// Key-ordered scheduling: events of one key run one at a time and in order; different keys run concurrently up to
/// a limit. A pure state machine: it says which jobs to start, the caller starts them.
///
/// When a slot frees up, the oldest waiting event (by arrival order) whose key is free starts first. So an event that
/// waited for an earlier event of its key does not then queue behind everything that arrived meanwhile, and the
/// partitions' commit positions move forward as early as they can.
struct KeyedQueue<Job> {
    /// A key whose first job waits for a slot, ordered by that job's arrival.
    private struct ReadyKey: Comparable {
        var arrival: UInt64
        var key: String

        static func < (lhs: ReadyKey, rhs: ReadyKey) -> Bool { lhs.arrival < rhs.arrival }
    }

    private var queues: [String: Deque<(arrival: UInt64, job: Job)>] = [:]
    private var ready = Heap<ReadyKey>()
    /// Keys whose first job is running.
    private var running: Set<String> = []
    private var arrivals: UInt64 = 0
    let limit: Int

    init(limit: Int) {
        precondition(limit > 0)
        self.limit = limit
    }

    /// Jobs received and not finished (running ones included).
    private(set) var count = 0
    var runningCount: Int { running.count }

    /// Adds a job. Returns the jobs to start now.
    mutating func enqueue(_ job: Job, key: String) -> [Job] {
        count += 1
        arrivals += 1
        if queues[key] != nil {
            queues[key]!.append((arrivals, job))
            return []
        }
        queues[key] = [(arrivals, job)]
        ready.insert(ReadyKey(arrival: arrivals, key: key))
        return startReady()
    }

    /// The running job of `key` finished. Returns the jobs to start now.
    mutating func finish(key: String) -> [Job] {
        guard running.remove(key) != nil, var queue = queues[key] else { return [] }
        count -= 1
        queue.removeFirst()
        if let next = queue.first {
            queues[key] = queue
            ready.insert(ReadyKey(arrival: next.arrival, key: key))
        } else {
            queues[key] = nil
        }
        return startReady()
    }

    /// Drops every job that is not running and matches `predicate`. Returns how many were dropped.
    mutating func removeWaiting(where predicate: (Job) -> Bool) -> Int {
        var dropped = 0
        for (key, queue) in queues {
            let isRunning = running.contains(key)
            var kept: Deque<(arrival: UInt64, job: Job)> = []
            for (index, entry) in queue.enumerated() {
                if (index == 0 && isRunning) || !predicate(entry.job) {
                    kept.append(entry)
                } else {
                    dropped += 1
                }
            }
            queues[key] = kept.isEmpty ? nil : kept
        }
        // Rebuild the ready keys from what is left: a key whose first job changed is ready at its new arrival.
        ready = Heap(
            queues.compactMap { key, queue in
                running.contains(key) ? nil : queue.first.map { ReadyKey(arrival: $0.arrival, key: key) }
            })
        count -= dropped
        return dropped
    }

    private mutating func startReady() -> [Job] {
        var started: [Job] = []
        while running.count < limit, let next = ready.popMin() {
            guard let job = queues[next.key]?.first?.job else { continue }
            running.insert(next.key)
            started.append(job)
        }
        return started
    }
}
