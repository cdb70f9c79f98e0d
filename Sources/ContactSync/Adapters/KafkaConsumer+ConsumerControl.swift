import Kafka

/// The consumer is what the pipeline pauses, resumes and stores offsets in.
extension KafkaConsumer: ConsumerControl {}
