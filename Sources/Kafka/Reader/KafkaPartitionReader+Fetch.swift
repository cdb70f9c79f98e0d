import CRdKafka
import Foundation
import Logging

extension KafkaPartitionReader {
    /// Reads `request`'s range. Blocks: runs on the reader's queue only.
    func fetch(_ request: KafkaPartitionReadRequest) throws -> [KafkaMessage] {
        try request.checkContinue()
        let rk = client.rk
        let partition = request.partition
        let watermarks = try queryWatermarks(request)
        let start = max(request.from, watermarks.low)
        let end = min(watermarks.high, request.until ?? watermarks.high)
        guard start < end else { return [] }

        try assign(partition, at: start)
        defer { unassign() }
        var records: [KafkaMessage] = []
        var next = start
        var lastError: KafkaError?
        while next < end {
            try request.checkContinue(lastError: lastError)
            if let fatal = client.context.fatalError.withLock({ $0 }) { throw fatal }
            let wait = min(request.remaining, .milliseconds(100))
            guard let message = rd_kafka_consumer_poll(rk, wait.clampedMilliseconds) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) }
            let isRequested = topic == partition.topic && m.partition == partition.partition
            switch m.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                // Anything outside the range (a stale fetch, a duplicate) is skipped.
                guard isRequested, m.offset >= next, m.offset < end else { continue }
                records.append(KafkaMessage(copying: message))
                next = m.offset + 1
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                // The fetch position reached the partition's end: whatever is left below `end` is no record
                // (transaction markers, compacted away).
                if isRequested && m.offset >= end { next = end }
            default:
                let error = KafkaError(m.err)
                guard topic == nil || isRequested else { continue }
                if !error.isRetriable { throw error }
                lastError = error
                logger.debug(
                    "Kafka partition reader fetch error, retrying",
                    metadata: [KafkaLogKey.error: "\(error)", KafkaLogKey.partition: .stringConvertible(partition)]
                )
            }
        }
        logger.debug(
            "Kafka partition read",
            metadata: [
                KafkaLogKey.partition: .stringConvertible(partition), KafkaLogKey.offset: "\(start)..<\(end)",
                KafkaLogKey.count: .stringConvertible(records.count),
            ]
        )
        return records
    }

    /// The partition's watermarks; retriable failures (broker down, no leader) are retried until the deadline.
    func queryWatermarks(_ request: KafkaPartitionReadRequest) throws -> (low: Int64, high: Int64) {
        var lastError: KafkaError?
        while true {
            try request.checkContinue(lastError: lastError)
            let result = Result { () throws(KafkaError) in
                try RdKafkaQueries.watermarks(client.rk, request.partition, timeout: request.remaining)
            }
            switch result {
            case .success(let watermarks):
                return watermarks
            case .failure(let error) where !error.isRetriable:
                throw error
            case .failure(let error):
                lastError = error
                let pause = min(request.remaining, .milliseconds(100))
                Thread.sleep(forTimeInterval: Double(pause.clampedMilliseconds) / 1000)
            }
        }
    }

    private func assign(_ partition: TopicPartition, at offset: Int64) throws(KafkaError) {
        try TopicPartitionList.with([partition], offsets: [offset]) { list throws(KafkaError) in
            let err = rd_kafka_assign(client.rk, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        }
    }

    private func unassign() {
        let err = rd_kafka_assign(client.rk, nil)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning(
                "Kafka partition reader unassign failed", metadata: [KafkaLogKey.error: "\(KafkaError(err))"])
        }
    }
}
