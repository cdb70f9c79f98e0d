import Kafka

/// Forwards the consumer's poll-thread callbacks to the pipeline.
final class ConsumerBridge: KafkaConsumerDelegate {
    let pipeline: Pipeline
    let health: HealthState

    init(pipeline: Pipeline, health: HealthState) {
        self.pipeline = pipeline
        self.health = health
    }

    func consumer(_ consumer: KafkaConsumer, didReceive message: KafkaMessage) {
        pipeline.receive(message)
    }

    func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition]) {
        pipeline.assigned(partitions)
        health.setAssignment(consumer.assignment)
    }

    func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool) {
        pipeline.revoking(partitions, lost: lost)
        let remaining = Set(consumer.assignment).subtracting(partitions)
        health.setAssignment(Array(remaining))
    }
}
