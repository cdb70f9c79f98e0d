import ArgumentParser
import ContactSync
import Foundation

/// `komet-contact-sync dlq summary`: dead letters by reason and age, with what to do for each reason.
struct DeadLetterSummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Count the dead letters by reason and age, with what to do for each reason.",
        discussion: """
            Reads topics.deadLetter from its beginning to its end offsets, in slices of 5,000 offsets. Ages count \
            from each dead-letter record's timestamp (when the worker dead-lettered the event): <1h, 1h-24h, 1d-7d, >7d. `replayed` \
            counts records with a komet-sync.replay-count above 0. Same configuration as `run` (--config and \
            KOMET_SYNC_* variables); no Komet token is needed. Exit 0, 1 when the topic cannot be read, 78 for a \
            bad configuration.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: .long, help: "A JSON configuration file.")
    var config: String?

    @Option(name: .long, help: "text (a table) or json.")
    var format: Format = .text

    @Option(name: .long, help: "Seconds that reading one slice (5,000 offsets) of the dead-letter topic may take.")
    var readTimeout: Int = 300

    func validate() throws {
        guard readTimeout > 0 else { throw ValidationError("--read-timeout must be at least 1 second") }
    }

    func run() async throws {
        let context = try DeadLetterToolContext.load(configFile: config)
        let topic = context.settings.deadLetterTopic
        do {
            let (reader, source) = try context.source(readTimeout: readTimeout)
            let ranges = try await source.endOffsets(topic: topic)
            var summary = DeadLetterSummary(topic: topic, partitions: ranges.count, now: Date())
            for (partition, range) in ranges {
                try await source.scan(topic: topic, partition: partition, range: range) { slice in
                    for message in slice { summary.add(DeadLetterEntry(message)) }
                }
            }
            await reader.close()
            print(format == .json ? summary.json : summary.text, terminator: "")
        } catch {
            StandardError.write("error: reading \(topic) failed: \(error)\n")
            throw ExitCode(1)
        }
    }
}
