import Foundation
import Kafka
import SyncTestSupport
import Testing

@testable import ContactSync

@Suite("Bad-input fuzz")
struct BadInputFuzzTests {
    /// The fixed seed; `BAD_INPUT_FUZZ_SEED` overrides it to replay or explore.
    static let seed: UInt64 =
        ProcessInfo.processInfo.environment["BAD_INPUT_FUZZ_SEED"].flatMap { UInt64($0) }
        ?? 0x00C0_FFEE_BAD1_4407
    static let count = 10_000

    @Test("10,000 seeded mutants through the pipeline: no crash, exactly one outcome each, reasons from the known set")
    func seededMutants() async throws {
        print("bad-input fuzz: seed \(Self.seed) (set BAD_INPUT_FUZZ_SEED to replay), \(Self.count) mutants")
        var mutator = BadInputMutator(seed: Self.seed)
        // PipelineHarness runs the default mapping and key order; prepare() must decide under the same.
        let defaultMapper = ContactMapper(configuration: MappingConfiguration())
        var messages: [KafkaMessage] = []
        var records: [String: FuzzRecord] = [:]
        var prepared: [String: Result<String, BadEvent>] = [:]
        var offsets: [Int32: Int64] = [:]
        for index in 0..<Self.count {
            let record = mutator.mutant(index)
            let partition = Int32(index % 4)
            let offset = offsets[partition, default: 0]
            offsets[partition] = offset + 1
            let position = "\(partition)@\(offset)"
            records[position] = record
            // The same decision Pipeline.prepare makes; must not crash either.
            prepared[position] = BadInputPipeline.prepare(
                key: record.key, value: record.value, headers: record.kafkaHeaders, mapper: defaultMapper,
                keyStrategy: DedupeKeyStrategy())
            messages.append(
                BadInputPipeline.message(
                    partition: partition, offset: offset, key: record.key, value: record.value,
                    headers: record.kafkaHeaders))
        }

        let harness = try await BadInputPipeline.run(
            messages, partitions: [0, 1, 2, 3], maxInFlight: 32, timeout: .seconds(240))
        let published = harness.sink.records

        var byPosition: [String: [BadInputOutcome]] = [:]
        var unparsed = 0
        for record in published {
            guard let outcome = BadInputOutcome(record) else {
                unparsed += 1
                continue
            }
            byPosition[outcome.position, default: []].append(outcome)
        }
        #expect(unparsed == 0, "\(unparsed) outcome records carry no source position")

        let knownReasons = Set(DeadLetterReason.badEventReasons.map(\.rawValue))
        var counts: [String: Int] = [:]
        var problems: [String] = []
        for (position, record) in records.sorted(by: { $0.key < $1.key }) {
            let outcomes = byPosition[position] ?? []
            guard outcomes.count == 1, let outcome = outcomes.first else {
                problems.append("\(position) \(record.mutations): \(outcomes.count) outcomes")
                continue
            }
            switch (outcome.kind, prepared[position]!) {
            case (.success(let status), .success):
                counts["success \(status)", default: 0] += 1
                if status != "created" && status != "duplicate" {
                    problems.append("\(position) \(record.mutations): status \(status)")
                }
            case (.deadLetter(let reason), .failure(let bad)):
                counts["dlq \(reason)", default: 0] += 1
                if !knownReasons.contains(reason) { problems.append("\(position): unknown reason \(reason)") }
                if reason != bad.reason.rawValue {
                    problems.append("\(position) \(record.mutations): DLQ \(reason), prepare says \(bad.reason)")
                }
                if outcome.key != record.key || outcome.value != record.value {
                    problems.append("\(position) \(record.mutations): DLQ key/value differ from the input")
                }
            case (let kind, let decision):
                problems.append("\(position) \(record.mutations): outcome \(kind), prepare says \(decision)")
            }
        }
        #expect(published.count == Self.count, "\(published.count) outcomes for \(Self.count) mutants")
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(20).joined(separator: "\n"))")
        let successes = counts.filter { $0.key.hasPrefix("success") }.values.reduce(0, +)
        #expect(harness.komet.addCalls == successes, "Komet calls \(harness.komet.addCalls) != successes \(successes)")
        // A useful fuzz run reaches both sides and many reasons.
        #expect(successes > Self.count / 20, "too few mutants stayed valid: \(successes)")
        #expect(counts.keys.filter { $0.hasPrefix("dlq") }.count >= 10, "too few distinct reasons: \(counts)")

        print(
            "bad-input fuzz: outcomes by kind: "
                + counts.sorted { $0.value > $1.value }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
    }
}
