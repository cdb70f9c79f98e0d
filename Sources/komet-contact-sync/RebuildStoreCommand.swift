import ArgumentParser
import ContactSync
import Foundation
import Logging

/// `komet-contact-sync rebuild-store`: rebuilds the key -> contactId rows from the success topic after the store was
/// lost or emptied (see ``StoreRebuild``), then records the consumer group as served so that `run` starts again.
struct RebuildStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-store",
        abstract: "Rebuild the dedupe store's keys from the success topic, then let `run` start on it.",
        discussion: """
            Reads topics.success from its beginning to its end offsets and writes every success record's \
            dedupeKey -> komet.contactId as done, in the store the configuration names (dedupe.backend). \
            Idempotent. Stop the workers of the group first. Same configuration as `run` (--config and \
            KOMET_SYNC_* variables); no Komet token is needed.
            """
    )

    @Option(name: .long, help: "A JSON configuration file.")
    var config: String?

    @Option(name: .long, help: "Seconds that reading one partition of the success topic may take.")
    var readTimeout: Int = 300

    func run() async throws {
        Bootstrap.ignoreBrokenPipes()
        let environment = ProcessInfo.processInfo.environment
        let settings: SyncConfiguration
        let postgresPassword: PostgresPassword?
        do {
            settings = try SyncConfiguration(source: ConfigurationSource(file: config, environment: environment))
            postgresPassword =
                settings.dedupeBackend == .postgres
                ? try PostgresPassword.load(settings: settings.postgres, environment: environment) : nil
        } catch {
            throw Bootstrap.reportConfigurationError(error)
        }
        let level = settings.logLevel
        let format: StructuredLogHandler.Format = settings.logFormat == .json ? .json : .text
        LoggingSystem.bootstrap { StructuredLogHandler(label: $0, level: level, format: format) }
        let logger = Logger(label: "komet-contact-sync")
        let groupID = settings.consumerGroupID
        do {
            let stores = try Bootstrap.stores(settings: settings, postgresPassword: postgresPassword, logger: logger)
            let reader = try StoreRebuild.reader(configuration: settings, logger: logger)
            let rebuild = StoreRebuild(
                keys: stores.keys, ledger: stores.ledger, groups: stores.groups, reader: reader,
                successTopic: settings.successTopic,
                groupID: groupID, readTimeout: .seconds(readTimeout))
            let summary = try await withThrowingTaskGroup(of: StoreRebuild.Summary?.self) { group in
                group.addTask {
                    await stores.lifecycle.run()
                    return nil
                }
                defer { group.cancelAll() }
                try await stores.lifecycle.prepare()
                let summary = try await rebuild.run()
                await reader.close()
                return summary
            }
            print(
                "rebuilt \(stores.groups.storeName) for consumer group \(groupID) from \(settings.successTopic): "
                    + "\(summary)")
        } catch {
            StandardError.write("error: rebuilding the store failed: \(error)\n")
            throw ExitCode(1)
        }
    }
}
