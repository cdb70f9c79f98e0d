import DequeModule

/// Key-ordered scheduling: events of one key run one at a time and in order; different keys run concurrently up to
/// a limit. A pure state machine: it says which jobs to start, the caller starts them.
struct KeyedQueue<Job> {
    private var queues: [String: Deque<Job>] = [:]
    /// Keys whose first job waits for a free slot.
    private var ready: Deque<String> = []
    /// Keys whose first job is running.
    private var running: Set<String> = []
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
        if queues[key] != nil {
            queues[key]!.append(job)
            return []
        }
        queues[key] = [job]
        ready.append(key)
        return startReady()
    }

    /// The running job of `key` finished. Returns the jobs to start now.
    mutating func finish(key: String) -> [Job] {
        guard running.remove(key) != nil, var queue = queues[key] else { return [] }
        count -= 1
        queue.removeFirst()
        if queue.isEmpty {
            queues[key] = nil
        } else {
            queues[key] = queue
            ready.append(key)
        }
        return startReady()
    }

    /// Drops every job that is not running and matches `predicate`. Returns how many were dropped.
    mutating func removeWaiting(where predicate: (Job) -> Bool) -> Int {
        var dropped = 0
        for (key, queue) in queues {
            let isRunning = running.contains(key)
            var kept: Deque<Job> = []
            for (index, job) in queue.enumerated() {
                if (index == 0 && isRunning) || !predicate(job) {
                    kept.append(job)
                } else {
                    dropped += 1
                }
            }
            queues[key] = kept.isEmpty ? nil : kept
        }
        ready.removeAll { queues[$0] == nil }
        count -= dropped
        return dropped
    }

    private mutating func startReady() -> [Job] {
        var started: [Job] = []
        while running.count < limit, let key = ready.popFirst() {
            guard let job = queues[key]?.first else { continue }
            running.insert(key)
            started.append(job)
        }
        return started
    }
}
