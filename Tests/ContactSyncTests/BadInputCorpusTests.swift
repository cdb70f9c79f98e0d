import Foundation
import Kafka
import SyncTestSupport
import Testing

@testable import ContactSync

@Suite("Bad-input corpus")
struct BadInputCorpusTests {
    @Test("the corpus has at least 45 cases with unique names and covers every reason input can trigger")
    func coverage() {
        let cases = BadInputCorpus.unitCases
        #expect(cases.count >= 45)
        #expect(Set(cases.map(\.name)).count == cases.count, "case names must be unique")
        let covered = Set(cases.map(\.expected))
        let missing = DeadLetterReason.badEventReasons.filter { !covered.contains($0) }.map(\.rawValue)
        #expect(missing.isEmpty, "reasons without a corpus case: \(missing)")
        #expect(cases.contains { ($0.value?.count ?? 0) >= 2 << 20 }, "the corpus holds a 2 MiB payload")
    }

    @Test("each case fails decode, map or keying with its expected reason", arguments: BadInputCorpus.unitCases)
    func expectedReason(_ badCase: BadInputCase) {
        let result = BadInputPipeline.prepare(key: badCase.key, value: badCase.value, headers: badCase.kafkaHeaders)
        switch result {
        case .success(let key):
            Issue.record("\(badCase.name) was accepted (dedupe key \(key)); expected \(badCase.expected.rawValue)")
        case .failure(let bad):
            #expect(bad.reason == badCase.expected, "\(badCase.name): \(bad)")
            #expect(!bad.detail.isEmpty)
            #expect(bad.detail.count <= BadEvent.maxDetailCharacters)
        }
    }

    /// Runs under ``PipelineHarness``'s default mapping and key order, so the four configuration-dependent cases are
    /// left out here (``expectedReason(_:)`` covers them).
    @Test("through the pipeline: each case is dead-lettered untouched with its reason; controls between them succeed")
    func throughThePipeline() async throws {
        var messages: [KafkaMessage] = []
        var expected: [String: BadInputCase] = [:]
        var controls: Set<String> = []
        var offsets: [Int32: Int64] = [:]
        func append(partition: Int32, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) -> String {
            let offset = offsets[partition, default: 0]
            offsets[partition] = offset + 1
            messages.append(
                BadInputPipeline.message(
                    partition: partition, offset: offset, key: key, value: value, headers: headers))
            return "\(partition)@\(offset)"
        }
        for (index, badCase) in BadInputCorpus.unitCases.filter({ !$0.needsCorpusConfiguration }).enumerated() {
            let partition = Int32(index % 4)
            let control = BadInputCorpus.control(index)
            controls.insert(append(partition: partition, key: control.key, value: control.value, headers: []))
            let position = append(
                partition: partition, key: badCase.key, value: badCase.value, headers: badCase.kafkaHeaders)
            expected[position] = badCase
        }
        let defaultMapper = ContactMapper(configuration: MappingConfiguration())
        let harness = try await BadInputPipeline.run(messages, partitions: [0, 1, 2, 3], timeout: .seconds(60))
        let records = harness.sink.records

        var byPosition: [String: [BadInputOutcome]] = [:]
        for record in records {
            let outcome = try #require(BadInputOutcome(record), "an outcome record without a source: \(record.topic)")
            byPosition[outcome.position, default: []].append(outcome)
        }
        #expect(records.count == messages.count)
        for (position, badCase) in expected {
            let outcomes = byPosition[position] ?? []
            guard outcomes.count == 1, let outcome = outcomes.first else {
                Issue.record("\(badCase.name) at \(position) has \(outcomes.count) outcomes, expected 1")
                continue
            }
            guard outcome.kind == .deadLetter(reason: badCase.expected.rawValue) else {
                Issue.record("\(badCase.name): \(outcome.kind), expected dead letter \(badCase.expected.rawValue)")
                continue
            }
            #expect(outcome.key == badCase.key, "\(badCase.name): DLQ key differs from the input's")
            #expect(outcome.value == badCase.value, "\(badCase.name): DLQ value differs from the input's")
        }
        for position in controls {
            let outcomes = byPosition[position] ?? []
            #expect(outcomes.map(\.kind) == [.success(status: "created")], "control at \(position): \(outcomes)")
        }
        let acceptedBadCases = expected.values.filter {
            let decision = BadInputPipeline.prepare(
                key: $0.key, value: $0.value, headers: $0.kafkaHeaders, mapper: defaultMapper,
                keyStrategy: DedupeKeyStrategy())
            return (try? decision.get()) != nil
        }.count
        #expect(
            harness.komet.addCalls == controls.count + acceptedBadCases,
            "Komet was called for an event the decoder/mapper refuse")
    }

    @Test("a payload of exactly 1 MiB is parsed; one byte more is refused unread")
    func sizeLimitBoundary() throws {
        let valid = BadInputCorpus.event()
        let exact = valid + String(repeating: " ", count: (1 << 20) - valid.utf8.count)
        #expect(exact.utf8.count == 1 << 20)
        let accepted = BadInputPipeline.prepare(key: [0x6B], value: Array(exact.utf8), headers: [])
        #expect((try? accepted.get()) == "k")
        // Garbage one byte over the limit is refused by size, not parsed.
        let garbage = [UInt8](repeating: 0xFF, count: (1 << 20) + 1)
        let refused = BadInputPipeline.prepare(key: [0x6B], value: garbage, headers: [])
        guard case .failure(let bad) = refused else {
            Issue.record("1 MiB + 1 byte of garbage was accepted")
            return
        }
        #expect(bad.reason == .payloadTooLarge)
    }
}
