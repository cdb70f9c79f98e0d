import Kafka

/// Executes one stdin fault-injection command against the mock cluster and returns the answer line.
struct MockCommandRunner {
    let cluster: KafkaMockCluster

    func execute(_ line: String) -> String {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let command = words.first else { return "error: empty command" }
        do {
            switch (command, words.count) {
            case ("broker-down", 2):
                try cluster.setBrokerDown(try int32(words[1]))
            case ("broker-up", 2):
                try cluster.setBrokerUp(try int32(words[1]))
            case ("rtt", 3):
                try cluster.setBrokerRoundTripTime(try int32(words[1]), .milliseconds(try int32(words[2])))
            case ("request-errors", 3):
                guard let apiKey = Int16(words[1]) else { throw CommandError("invalid API key \"\(words[1])\"") }
                let codes = try words[2].split(separator: ",").map { try int32(String($0)) }
                try cluster.pushRequestErrors(apiKey: apiKey, errors: codes)
            case ("create-topic", 2):
                let topic = try TopicSpec(words[1], defaultPartitions: 4)
                try cluster.createTopic(topic.name, partitions: topic.partitions)
            default:
                throw CommandError("unknown command or wrong arguments: \(line)")
            }
            return "ok"
        } catch let error as CommandError {
            return "error: \(error.message)"
        } catch {
            return "error: \(error)"
        }
    }

    private func int32(_ word: String) throws -> Int32 {
        guard let value = Int32(word) else { throw CommandError("not a number: \"\(word)\"") }
        return value
    }

    struct CommandError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
