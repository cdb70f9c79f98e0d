import CRdKafka
import Foundation
import Logging
import Synchronization

/// The producer's dedicated thread: serves `rd_kafka_poll` (delivery reports) until shutdown, then flushes and
/// purges. It holds the `RdKafkaClient`, so the handle is destroyed only after the thread is done with it.
final class KafkaProducerPollThread: Sendable {
    private enum Command {
        case run
        case shutdown(timeoutMilliseconds: Int32, done: CheckedContinuation<Void, Never>)
        case abandon
    }

    private let command: Mutex<Command> = Mutex(.run)

    init(client: RdKafkaClient, logger: Logger) {
        let thread = Thread {
            // Named from inside, with pthread_setname_np (see `CurrentThread.setName`).
            CurrentThread.setName("kafka-producer")
            self.loop(client: client, logger: logger)
        }
        thread.start()
    }

    /// Flushes, purges what is left, stops the thread; returns when it is done.
    func shutdown(flushTimeout: Duration) async {
        let timeout = flushTimeout.clampedMilliseconds
        await withCheckedContinuation { continuation in
            command.withLock { $0 = .shutdown(timeoutMilliseconds: timeout, done: continuation) }
        }
    }

    /// Stops the thread without flushing (the producer went away without `shutdown`).
    func abandon() {
        command.withLock { command in
            if case .run = command { command = .abandon }
        }
    }

    private func loop(client: RdKafkaClient, logger: Logger) {
        let rk = client.rk
        while true {
            switch command.withLock({ $0 }) {
            case .run:
                rd_kafka_poll(rk, 100)
            case .abandon:
                return
            case .shutdown(let timeout, let done):
                Self.finish(rk: rk, timeoutMilliseconds: timeout, logger: logger)
                done.resume()
                return
            }
        }
    }

    private static func finish(rk: OpaquePointer, timeoutMilliseconds: Int32, logger: Logger) {
        let err = rd_kafka_flush(rk, timeoutMilliseconds)
        let remaining = rd_kafka_outq_len(rk)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR || remaining > 0 {
            logger.warning(
                "Kafka producer flush incomplete; failing undelivered records",
                metadata: [
                    KafkaLogKey.outputQueueLength: .stringConvertible(remaining),
                    KafkaLogKey.error: "\(KafkaError(err))",
                ]
            )
        }
        // Fail what is left so that no `send` waits forever; the purged records' reports arrive via poll.
        _ = rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        var rounds = 0
        while rd_kafka_outq_len(rk) > 0 && rounds < 50 {
            rd_kafka_poll(rk, 100)
            rounds += 1
        }
        rd_kafka_poll(rk, 0)
        logger.info("Kafka producer shut down")
    }
}
