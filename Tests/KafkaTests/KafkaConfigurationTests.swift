import Kafka
import Logging
import Testing

@Suite("Configuration errors name the setting")
struct KafkaConfigurationTests {
    static let badSettings: [(key: String, value: String)] = [
        ("no.such.setting", "1"),
        (".leading.dot", "1"),
        ("session.timeout.ms", "not-a-number"),
        ("auto.offset.reset", "sideways"),
        ("enable.auto.offset.store", "true"),
        ("partition.assignment.strategy", "range"),
    ]

    @Test("consumer", arguments: badSettings)
    func consumerRejects(_ setting: (key: String, value: String)) throws {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(
                configuration: ["bootstrap.servers": "127.0.0.1:1", "group.id": "g", setting.key: setting.value],
                topics: ["t"],
                logger: Logger(label: "test")
            )
        }
        #expect(error?.setting == setting.key)
        #expect(error?.message.contains(setting.key) == true, "\(String(describing: error))")
        #expect(error?.code == KafkaError.invalidArgumentCode)
    }

    @Test(
        "producer", arguments: [("bogus.key", "1"), ("acks", "1"), ("enable.idempotence", "false"), ("linger.ms", "x")])
    func producerRejects(_ key: String, _ value: String) throws {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: [key: value], logger: Logger(label: "test"))
        }
        #expect(error?.setting == key)
        #expect(error?.message.contains(key) == true, "\(String(describing: error))")
    }

    @Test("a consumer needs group.id; forced settings given with their own value are accepted")
    func groupIDAndAcceptedForcedValues() throws {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: [:], topics: ["t"], logger: Logger(label: "test"))
        }
        #expect(error?.setting == "group.id")
        _ = try KafkaConsumer(
            configuration: ["group.id": "g", "enable.auto.offset.store": "false"],
            topics: ["t"],
            logger: Logger(label: "test")
        )
        _ = try KafkaProducer(configuration: ["acks": "-1", "linger.ms": "0"], logger: Logger(label: "test"))
    }
}
