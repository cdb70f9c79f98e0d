/// How a closed `KafkaConsumer` lets go of its librdkafka handle: destroyed, or kept until the process exits.
///
/// librdkafka before 2.3.0 (Debian bookworm ships 2.0.2) aborts the process in `rd_kafka_destroy` when a
/// cooperative-sticky consumer is destroyed after the group coordinator answered its JoinGroup and before it received
/// its first assignment (librdkafka #4312, fixed by #4381 in 2.3.0). The JoinGroup answer selects the assignor
/// (`rd_kafka_cgrp_handle_JoinGroup`); the sticky assignor's state is created only when a SyncGroup answer brings an
/// assignment (`rd_kafka_sticky_assignor_on_assignment_cb`), which a terminating consumer discards; and the final
/// destroy (`rd_kafka_cgrp_destroy_final`) passes the missing state to `rd_kafka_sticky_assignor_state_destroy`, which
/// asserts it. That final destroy runs for every consumer handle, so neither `rd_kafka_consumer_close` nor a destroy
/// flag (`RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE`) avoids it.
///
/// A consumer that was closed without ever receiving an assignment has nothing to commit, and `close` has already
/// left the group; so its handle is kept until the process exits instead of being destroyed. Every assignment (an
/// empty one too) creates the assignor state before librdkafka hands it to the rebalance callback, so a consumer whose
/// callback saw one is destroyed as usual; so is one that never subscribed (it never joined a group).
enum KafkaConsumerHandleRelease: Equatable, Sendable {
    /// `rd_kafka_destroy` is safe.
    case destroy
    /// `rd_kafka_destroy` may abort: keep the handle (and its threads) until the process exits.
    case keepUntilExit

    /// The first librdkafka release with the fix, 2.3.0, as `rd_kafka_version()` encodes it (`0xMMmmrrxx`).
    static let firstFixedVersion: Int32 = 0x0203_0000

    /// The release for a consumer that has been closed.
    /// - Parameters:
    ///   - subscribed: `rd_kafka_subscribe` succeeded, so the consumer may have joined its group.
    ///   - assignmentReceived: the rebalance callback was given an assignment at least once.
    ///   - librdkafkaVersion: `rd_kafka_version()`.
    static func afterClose(subscribed: Bool, assignmentReceived: Bool, librdkafkaVersion: Int32) -> Self {
        subscribed && !assignmentReceived && librdkafkaVersion < firstFixedVersion ? .keepUntilExit : .destroy
    }
}
