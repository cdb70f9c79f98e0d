import Synchronization

/// Runs many callers' writes as one (a group commit): a write submitted while none runs starts at once; writes
/// submitted while one runs wait for it, then go together in the next, made by the first of them.
///
/// Every caller returns only once its own item is written, with its own output, so nothing is weakened; under load, N
/// callers finishing together cost one transaction instead of N. A batch that fails is written again item by item, so
/// one item the store refuses fails its own caller only.
final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    /// Writes a batch; returns one output per item, in order.
    typealias Write = @Sendable ([Item]) async throws -> [Output]

    private let write: Write
    private let state = Mutex(State())

    private struct State {
        /// A write is running; new items wait.
        var writing = false
        var waiting: [Waiter] = []
    }

    private struct Waiter: Sendable {
        var item: Item
        var continuation: CheckedContinuation<Turn, any Error>
    }

    /// How a waiting item's wait ended: written by another's write, or its turn to write itself and `others`.
    private enum Turn: Sendable {
        case written(Output)
        case lead(others: [Waiter])
    }

    init(write: @escaping Write) {
        self.write = write
    }

    /// Writes `item`, with whatever else is waiting; returns its output once it is written.
    func submit(_ item: Item) async throws -> Output {
        let turn = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
            let leads = state.withLock { state in
                if state.writing {
                    state.waiting.append(Waiter(item: item, continuation: continuation))
                    return false
                }
                state.writing = true
                return true
            }
            if leads { continuation.resume(returning: .lead(others: [])) }
        }
        switch turn {
        case .written(let output):
            return output
        case .lead(let others):
            defer { handOver() }
            return try await lead(item, others)
        }
    }

    /// Writes the leader's item and the others'; resumes the others with their outputs or errors.
    private func lead(_ item: Item, _ others: [Waiter]) async throws -> Output {
        guard !others.isEmpty else { return try await single(item) }
        do {
            let outputs = try await write([item] + others.map(\.item))
            precondition(outputs.count == others.count + 1, "a batch write returned \(outputs.count) outputs")
            for (waiter, output) in zip(others, outputs.dropFirst()) {
                waiter.continuation.resume(returning: .written(output))
            }
            return outputs[0]
        } catch {
            // Item by item: an item the store refuses fails its own caller only.
            for waiter in others {
                do {
                    waiter.continuation.resume(returning: .written(try await single(waiter.item)))
                } catch {
                    waiter.continuation.resume(throwing: error)
                }
            }
            return try await single(item)
        }
    }

    private func single(_ item: Item) async throws -> Output {
        let outputs = try await write([item])
        precondition(outputs.count == 1, "a write of one item returned \(outputs.count) outputs")
        return outputs[0]
    }

    /// After a write: the items that arrived meanwhile go in the next one, made by the first of them.
    private func handOver() {
        let next = state.withLock { state -> [Waiter] in
            defer { state.waiting = [] }
            if state.waiting.isEmpty { state.writing = false }
            return state.waiting
        }
        guard let leader = next.first else { return }
        leader.continuation.resume(returning: .lead(others: Array(next.dropFirst())))
    }
}
