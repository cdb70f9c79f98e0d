import ArgumentParser

/// `komet-contact-sync dlq`: the dead-letter topic's tools.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Dead-letter tools: count the dead letters by reason and age, replay them to the input topic.",
        subcommands: [DeadLetterSummaryCommand.self, DeadLetterReplayCommand.self]
    )
}
