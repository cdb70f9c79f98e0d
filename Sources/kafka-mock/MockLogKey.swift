/// Metadata keys of the mock cluster tool's log lines.
enum MockLogKey {
    static let bootstrapServers = "kafka.bootstrap"
    static let topic = "kafka.topics"
}
