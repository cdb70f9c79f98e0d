import ArgumentParser
import ContactSync

@main
struct KometContactSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "komet-contact-sync",
        abstract: "Creates Komet Sales contacts from contact-created Kafka events, exactly once per key.",
        version: "komet-contact-sync \(BuildInfo.current.version) (Swift \(BuildInfo.current.swiftVersion))",
        subcommands: [
            RunCommand.self, DemoCommand.self, SettingsCommand.self, RebuildStoreCommand.self, DeadLetterCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}
