import Synchronization

/// One `KafkaPartitionReader.read` call: what to read, until when, and whether its task was cancelled.
final class KafkaPartitionReadRequest: Sendable {
    let partition: TopicPartition
    let from: Int64
    /// The end of the range (exclusive), when the caller bounds it below the high watermark.
    let until: Int64?
    let deadline: ContinuousClock.Instant
    private let cancelled: Mutex<Bool> = Mutex(false)

    init(partition: TopicPartition, from: Int64, until: Int64? = nil, deadline: ContinuousClock.Instant) {
        self.partition = partition
        self.from = from
        self.until = until
        self.deadline = deadline
    }

    var isCancelled: Bool { cancelled.withLock { $0 } }

    func cancel() {
        cancelled.withLock { $0 = true }
    }

    /// Time left before the deadline (zero when passed).
    var remaining: Duration {
        max(.zero, deadline - ContinuousClock.now)
    }

    /// Throws `CancellationError` when cancelled and `_TIMED_OUT` when the deadline has passed; `lastError` (the
    /// retriable error that kept the read from finishing, if any) is named in the message.
    func checkContinue(lastError: KafkaError? = nil) throws {
        if isCancelled { throw CancellationError() }
        if remaining <= .zero {
            var message = "Reading \(partition) from offset \(from) timed out"
            if let lastError { message += " (last error: \(lastError.name): \(lastError.message))" }
            throw KafkaError(code: KafkaError.timedOutCode, message: message, isRetriable: true)
        }
    }
}
