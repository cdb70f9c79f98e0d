import ArgumentParser
import ContactSync
import Foundation
import Kafka
import Logging

/// What both `dlq` commands set up: the configuration `run` uses (`--config` and `KOMET_SYNC_*`; no Komet token
/// needed), the log handler (stderr) and the dead-letter topic's reader.
struct DeadLetterToolContext {
    var settings: SyncConfiguration
    var logger: Logger

    /// Loads the configuration; a bad one exits 78 with `error: …`.
    static func load(configFile: String?) throws -> DeadLetterToolContext {
        Bootstrap.ignoreBrokenPipes()
        let settings: SyncConfiguration
        do {
            settings = try SyncConfiguration(
                source: ConfigurationSource(file: configFile, environment: ProcessInfo.processInfo.environment))
        } catch {
            throw Bootstrap.reportConfigurationError(error)
        }
        let level = settings.logLevel
        let format: StructuredLogHandler.Format = settings.logFormat == .json ? .json : .text
        LoggingSystem.bootstrap { StructuredLogHandler(label: $0, level: level, format: format) }
        return DeadLetterToolContext(settings: settings, logger: Logger(label: "komet-contact-sync"))
    }

    func source(readTimeout: Int) throws -> (KafkaPartitionReader, KafkaDeadLetterSource) {
        let reader = try KafkaDeadLetterSource.reader(configuration: settings, logger: logger)
        return (reader, KafkaDeadLetterSource(reader: reader, readTimeout: .seconds(readTimeout)))
    }
}
