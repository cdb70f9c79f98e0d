import ArgumentParser
import ContactSync
import Foundation
import Kafka

/// `komet-contact-sync dlq replay`: republishes dead letters to their original topic, filtered, with a loop guard.
struct DeadLetterReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Republish dead letters to their original topic (filtered, with a dry run and a loop guard).",
        discussion: """
            Reads topics.deadLetter from its beginning (or --from-offset) to its end offsets as they are when the \
            run starts (or --to-offset), in slices of 5,000 offsets. A record is replayed when it matches every filter given: its key and \
            value are published byte for byte to kafka_dlt-original-topic (the original partition), or to \
            topics.input when that header is missing and topics.input is one topic; its headers are the original's \
            (the dead letter's without the kafka_dlt-* and komet-sync.* ones it added) plus \
            komet-sync.replay-count, the dead letter's plus 1. A record whose replay count reached --max-replays \
            (or is not a number) is refused. --since/--until compare the dead-letter record's timestamp (when it \
            was dead-lettered); --partition, --from-offset and --to-offset are the dead-letter topic's (as listed). \
            Every considered record is listed on stdout (action, partition, offset, reason, replay-count, target, \
            key), then a summary table; progress goes to stderr. Waits for every delivery report (idempotent \
            producer, acks=all); after a failed delivery it starts no more. Exit 0; 1 when a delivery or the \
            read failed; 64 for bad arguments; 78 for a bad configuration.
            """
    )

    @Option(name: .long, help: "A JSON configuration file.")
    var config: String?

    @Option(name: .long, help: "Only dead letters with this reason code (repeatable).")
    var reason: [String] = []

    @Option(
        name: .long,
        help: "Only dead letters written at or after this time: RFC 3339 (2026-12-04T01:00:00Z) or ago (30m, 2h, 7d).")
    var since: String?

    @Option(name: .long, help: "Only dead letters written before this time (same forms as --since).")
    var until: String?

    @Option(name: .long, help: "Only dead letters with this record key (repeatable).")
    var key: [String] = []

    @Option(name: .long, help: "Only this partition of the dead-letter topic.")
    var partition: Int32?

    @Option(name: .long, help: "Only dead-letter offsets from this one on (inclusive; needs --partition).")
    var fromOffset: Int64?

    @Option(name: .long, help: "Only dead-letter offsets up to this one (inclusive; needs --partition).")
    var toOffset: Int64?

    @Option(name: .long, help: "Refuse records whose komet-sync.replay-count already reached this (loop guard).")
    var maxReplays: Int = ReplayRules.defaultMaxReplays

    @Flag(name: .long, help: "List what would be replayed and refused; publish nothing.")
    var dryRun = false

    @Option(name: .long, help: "Seconds between progress lines on stderr.")
    var progressInterval: Int = 5

    @Option(name: .long, help: "Seconds that reading one slice (5,000 offsets) of the dead-letter topic may take.")
    var readTimeout: Int = 300

    func validate() throws {
        do {
            _ = try filter(now: Date())
        } catch {
            throw ValidationError(error.message)
        }
        guard maxReplays >= 1 else { throw ValidationError("--max-replays must be at least 1") }
        guard progressInterval >= 1 else { throw ValidationError("--progress-interval must be at least 1 second") }
        guard readTimeout >= 1 else { throw ValidationError("--read-timeout must be at least 1 second") }
    }

    /// The filter the options describe; times are relative to `now`.
    func filter(now: Date) throws(DeadLetterToolError) -> ReplayFilter {
        var reasons: Set<DeadLetterReason> = []
        for code in reason {
            guard let known = DeadLetterReason(rawValue: code) else {
                throw DeadLetterToolError(
                    "--reason: '\(code)' is not a reason code; known codes: "
                        + DeadLetterReason.allCases.map(\.rawValue).joined(separator: ", "))
            }
            reasons.insert(known)
        }
        var filter = ReplayFilter(
            reasons: reasons, keys: Set(key.map { Array($0.utf8) }), partition: partition, fromOffset: fromOffset,
            toOffset: toOffset)
        if let since {
            filter.since = ReplayTime.milliseconds(try ReplayTime.parse(since, option: "--since", now: now))
        }
        if let until {
            filter.until = ReplayTime.milliseconds(try ReplayTime.parse(until, option: "--until", now: now))
        }
        try filter.validate()
        return filter
    }

    func run() async throws {
        let filter: ReplayFilter
        do {
            filter = try self.filter(now: Date())
        } catch {
            throw ValidationError(error.message)
        }
        let context = try DeadLetterToolContext.load(configFile: config)
        let settings = context.settings
        let rules = ReplayRules(maxReplays: maxReplays, configuration: settings)
        let report: ReplayReport
        do {
            let (reader, source) = try context.source(readTimeout: readTimeout)
            let producer = dryRun ? nil : try KafkaReplaySink.producer(configuration: settings, logger: context.logger)
            let replay = DeadLetterReplay(
                source: source, sink: producer.map { KafkaReplaySink(producer: $0) },
                deadLetterTopic: settings.deadLetterTopic, filter: filter, rules: rules,
                progressInterval: .seconds(progressInterval),
                list: { print($0) }, report: { StandardError.write($0) })
            do {
                report = try await replay.run()
            } catch {
                await producer?.shutdown(flushTimeout: .seconds(30))
                await reader.close()
                throw error
            }
            await producer?.shutdown(flushTimeout: .seconds(30))
            await reader.close()
        } catch {
            StandardError.write("error: replaying \(settings.deadLetterTopic) failed: \(error)\n")
            throw ExitCode(1)
        }
        print("")
        print(report.table, terminator: "")
        if report.total.failed > 0 { throw ExitCode(1) }
    }
}
