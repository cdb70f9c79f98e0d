import CRdKafka
import DurationConversions
import Foundation

extension KafkaConsumer {
    /// Commits the stored offsets of the current assignment, retrying for up to `patience` while the group
    /// coordinator refuses for a reason that passes: a rebalance in progress (`REBALANCE_IN_PROGRESS`), a coordinator
    /// loading, moving or out of reach, a timeout. Without the retry a commit refused during a rebalance is dropped and
    /// the partition's next owner replays from an older offset. A refusal that means this member no longer owns its
    /// partitions (`ILLEGAL_GENERATION`, `UNKNOWN_MEMBER_ID`, fenced) is thrown at once: nothing can be committed for
    /// them any more. Blocks the calling thread (call it on the poll thread, e.g. inside a revoke).
    public func commitStoredOffsets(retryingFor patience: Duration) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + patience
        var delay = Duration.milliseconds(100)
        while true {
            do {
                try commitStoredOffsets()
                return
            } catch let error as KafkaError
                where Self.commitRefusalPasses(error.code) && clock.now + delay < deadline
            {
                logger.info(
                    "Kafka commit refused, retrying",
                    metadata: [KafkaLogKey.error: "\(error)", KafkaLogKey.retryDelay: "\(delay)"])
                Thread.sleep(forTimeInterval: Double(delay.clampedMilliseconds) / 1000)
                delay = min(delay * 2, .seconds(1))
            }
        }
    }

    /// Whether a commit refused with `code` may succeed if tried again by the same member.
    static func commitRefusalPasses(_ code: Int32) -> Bool {
        passingCommitRefusals.contains(code)
    }

    private static let passingCommitRefusals: Set<Int32> = Set(
        [
            RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
            RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
            RD_KAFKA_RESP_ERR__WAIT_COORD,
        ].map(\.rawValue))
}
