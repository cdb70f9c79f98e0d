import CRdKafka
import Logging

extension KafkaConsumer {
    /// librdkafka's rebalance callback, on the poll thread (inside `rd_kafka_consumer_poll` or
    /// `rd_kafka_consumer_close`). Without a running session (never expected) it only (un)assigns.
    static func rebalance(
        rk: OpaquePointer,
        err: rd_kafka_resp_err_t,
        partitions list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        context: RdKafkaCallbackContext
    ) {
        let session = context.consumerSession.withLock { $0 }
        let logger = context.logger
        let protocolName = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } ?? "NONE"
        let cooperative = protocolName == "COOPERATIVE"
        let partitions = TopicPartitionList.partitions(list)
        let metadata: Logger.Metadata = [
            KafkaLogKey.client: "\(String(cString: rd_kafka_name(rk)))",
            KafkaLogKey.partitions: "\(partitions.map(\.description).joined(separator: ","))",
            KafkaLogKey.protocolName: "\(protocolName)",
        ]

        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            // librdkafka created the assignor's state before handing over this assignment: from now on the handle can
            // be destroyed safely (see `KafkaConsumerHandleRelease`).
            session?.consumer.recordAssignment()
            let error: KafkaError?
            if cooperative {
                error = rd_kafka_incremental_assign(rk, list).map { KafkaError(consuming: $0) }
            } else {
                let code = rd_kafka_assign(rk, list)
                error = code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code)
            }
            if let error {
                logger.error("Kafka assign failed", metadata: metadata.merging([KafkaLogKey.error: "\(error)"]) { $1 })
            }
            logger.log(level: partitions.isEmpty ? .debug : .info, "Kafka partitions assigned", metadata: metadata)
            // Cooperative rebalances may assign nothing new: no need to tell the delegate.
            if let session, !partitions.isEmpty {
                session.delegate.consumer(session.consumer, didAssign: partitions)
            }

        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            logger.info(
                "Kafka partitions being revoked",
                metadata: metadata.merging([KafkaLogKey.assignmentLost: .stringConvertible(lost)]) { $1 }
            )
            if let session, !partitions.isEmpty {
                session.delegate.consumer(session.consumer, willRevoke: partitions, lost: lost)
                if !lost {
                    do {
                        try session.consumer.commitStoredOffsets(retryingFor: .seconds(3))
                    } catch {
                        logger.warning(
                            "Kafka commit on revoke failed",
                            metadata: metadata.merging([KafkaLogKey.error: "\(error)"]) { $1 }
                        )
                    }
                }
            }
            unassign(rk: rk, list: list, cooperative: cooperative, logger: logger)

        default:
            logger.error(
                "Kafka rebalance error", metadata: metadata.merging([KafkaLogKey.error: "\(KafkaError(err))"]) { $1 })
            unassign(rk: rk, list: nil, cooperative: false, logger: logger)
        }
    }

    private static func unassign(
        rk: OpaquePointer,
        list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        cooperative: Bool,
        logger: Logger
    ) {
        let error: KafkaError?
        if cooperative {
            error = rd_kafka_incremental_unassign(rk, list).map { KafkaError(consuming: $0) }
        } else {
            let code = rd_kafka_assign(rk, nil)
            error = code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code)
        }
        if let error {
            logger.error("Kafka unassign failed", metadata: [KafkaLogKey.error: "\(error)"])
        }
    }
}
