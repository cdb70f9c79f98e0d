import Kafka
import Logging

/// The worker's three librdkafka clients, built from the `kafka.*` settings in one place for `run` and for
/// `run --check`, so that the check catches exactly what starting would (an unknown property, a bad value, settings
/// librdkafka refuses together).
struct WorkerKafkaClients {
    let producer: KafkaProducer
    let consumer: KafkaConsumer
    /// Reads the outcome topics back (see ``KafkaOutcomeLookup``), in its own group that it never joins.
    let reader: KafkaPartitionReader

    init(configuration: SyncConfiguration, logger: Logger) throws(ConfigurationError) {
        do {
            producer = try KafkaProducer(configuration: KafkaRoleSettings.producer(configuration.kafka), logger: logger)
            consumer = try KafkaConsumer(
                configuration: KafkaRoleSettings.consumer(configuration.kafka), topics: configuration.inputTopics,
                logger: logger)
            reader = try KafkaRoleSettings.reader(configuration, purpose: "outcome-reader", logger: logger)
        } catch {
            throw Self.configurationError(error)
        }
    }

    /// A librdkafka refusal as a configuration error naming the `kafka.*` setting (librdkafka names the property).
    static func configurationError(_ error: any Error) -> ConfigurationError {
        guard let error = error as? KafkaError else {
            return ConfigurationError(setting: "kafka.*", message: "\(error)")
        }
        return ConfigurationError(setting: error.setting.map { "kafka.\($0)" } ?? "kafka.*", message: error.message)
    }
}
