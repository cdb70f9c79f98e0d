import Dispatch

/// A serial queue for blocking librdkafka calls (metadata, watermarks, fetching), so that they never run on the
/// Swift cooperative pool. Calls run one at a time, in order.
struct RdKafkaBlockingQueue: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the queue and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
