import DequeModule
import Kafka
import Synchronization

/// At most `limit` events between their claim and Komet's answer at once: `pipeline.maxInFlight`.
///
/// Only the part of an event that may call Komet holds a slot: the gate, the claim, the calls with their retries and
/// reconciliation. Bad events, duplicates, replayed records and events publishing their outcome hold none, so they
/// never queue behind slow calls, and `maxInFlight` means what it says: calls in flight.
///
/// Waiters are served in arrival order. A waiter whose task is cancelled, or whose partition is being revoked, leaves
/// the queue with `CancellationError`: it has claimed nothing and called nothing, so its event simply ends without an
/// outcome and the partition's next owner consumes it again.
final class CallSlots: Sendable {
    private struct Waiter {
        var id: UInt64
        var partition: TopicPartition
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: Deque<Waiter> = []
        var nextID: UInt64 = 0
        /// Partitions being revoked: their events get no slot until the revoke ends.
        var withdrawn: Set<TopicPartition> = []
    }

    let limit: Int
    private let state: Mutex<State>

    init(limit: Int) {
        precondition(limit > 0)
        self.limit = limit
        state = Mutex(State(available: limit))
    }

    /// Slots held now.
    var inUse: Int { state.withLock { limit - $0.available } }

    /// Events waiting for a slot now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Runs `body` holding a slot; waits for one first. Throws `CancellationError` when the task is cancelled or
    /// `partition` is withdrawn while it waits.
    func withSlot<T>(for partition: TopicPartition, _ body: () async throws -> T) async throws -> T {
        try await acquire(for: partition)
        defer { release() }
        return try await body()
    }

    /// A revoke of `partitions` begins: their waiters leave with `CancellationError`, and their events get no slot
    /// until ``restore(_:)``. Events holding a slot are not touched (the revoke's drain waits for them).
    func withdraw(_ partitions: Set<TopicPartition>) {
        let leaving = state.withLock { state -> [Waiter] in
            state.withdrawn.formUnion(partitions)
            var leaving: [Waiter] = []
            state.waiters.removeAll { waiter in
                guard partitions.contains(waiter.partition) else { return false }
                leaving.append(waiter)
                return true
            }
            return leaving
        }
        for waiter in leaving { waiter.continuation.resume(throwing: CancellationError()) }
    }

    /// The revoke of `partitions` ended.
    func restore(_ partitions: some Sequence<TopicPartition>) {
        state.withLock { state in
            for partition in partitions { state.withdrawn.remove(partition) }
        }
    }

    private func acquire(for partition: TopicPartition) async throws {
        let granted = try state.withLock { state -> Bool in
            if Task.isCancelled || state.withdrawn.contains(partition) { throw CancellationError() }
            guard state.available > 0, state.waiters.isEmpty else { return false }
            state.available -= 1
            return true
        }
        if granted { return }
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Bool, CancellationError> in
                    // Checked again under the lock: a cancellation or a withdrawal may have come meanwhile, and a
                    // slot may have been released.
                    if Task.isCancelled || state.withdrawn.contains(partition) { return .failure(CancellationError()) }
                    if state.available > 0, state.waiters.isEmpty {
                        state.available -= 1
                        return .success(true)
                    }
                    state.waiters.append(Waiter(id: id, partition: partition, continuation: continuation))
                    return .success(false)
                }
                switch outcome {
                case .success(true): continuation.resume()
                case .success(false): break
                case .failure(let error): continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Hands the slot to the first waiter, or returns it to the pool.
    private func release() {
        let next = state.withLock { state -> Waiter? in
            if let next = state.waiters.popFirst() { return next }
            state.available += 1
            return nil
        }
        next?.continuation.resume()
    }
}
