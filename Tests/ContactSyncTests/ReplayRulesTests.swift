import ContactSync
import Kafka
import Testing

/// The loop guard and the rewrite of a dead letter into the record a replay publishes.
@Suite struct ReplayRulesTests {
    typealias F = DeadLetterFixture

    @Test func aReplayKeepsKeyValueAndOriginalHeadersAndIncrementsTheCount() throws {
        let message = F.record(offset: 7, key: "key-7", value: "v\u{0}\u{FF}bytes", replayCount: "1")
        guard case .replay(let record) = F.rules.decide(DeadLetterEntry(message)) else {
            Issue.record("refused")
            return
        }
        #expect(record.topic == F.input)
        #expect(record.partition == 2)
        #expect(record.target == "contacts.created/2")
        #expect(record.key == message.key)
        #expect(record.value == message.value)
        #expect(record.replayCount == 2)
        #expect(
            record.headers == [
                KafkaHeader(key: "trace-id", string: "t-1"), KafkaHeader(key: "komet-sync.replay-count", string: "2"),
            ])
    }

    @Test func anInputHeaderThatLooksLikeOursIsDroppedButOthersKeepTheirOrderAndNilValues() throws {
        let message = F.record(
            offset: 1, replayCount: nil,
            extra: [
                KafkaHeader(key: "b", value: nil), KafkaHeader(key: "a", string: "1"),
                KafkaHeader(key: "komet-sync.detail", string: "stale"),
            ])
        guard case .replay(let record) = F.rules.decide(DeadLetterEntry(message)) else {
            Issue.record("refused")
            return
        }
        #expect(
            record.headers == [
                KafkaHeader(key: "b", value: nil), KafkaHeader(key: "a", string: "1"),
                KafkaHeader(key: "komet-sync.replay-count", string: "1"),
            ])
    }

    @Test(arguments: [("3", 3), ("4", 3), ("1", 1), ("10", 5)])
    func theGuardRefusesCountsThatReachedTheMaximum(count: String, maximum: Int) {
        var rules = F.rules
        rules.maxReplays = maximum
        let decision = rules.decide(DeadLetterEntry(F.record(offset: 1, replayCount: count)))
        #expect(decision == .refuse(.limitReached(count: Int(count)!, maximum: maximum)))
        if case .refuse(let refusal) = decision {
            #expect(refusal.description == "replay-count \(count) reached --max-replays \(maximum)")
        }
    }

    @Test func theGuardLetsTheLastAllowedReplayThrough() {
        let decision = F.rules.decide(DeadLetterEntry(F.record(offset: 1, replayCount: "2")))
        guard case .replay(let record) = decision else {
            Issue.record("refused: \(decision)")
            return
        }
        #expect(record.replayCount == 3)
    }

    @Test(arguments: ["abc", "-1", "+1", " 1", "1.0", "", "99999999999999999999999"])
    func unparsableCountsAreRefusedWithTheText(text: String) {
        let decision = F.rules.decide(DeadLetterEntry(F.record(offset: 1, replayCount: text)))
        #expect(decision == .refuse(.unparsableCount(text)))
        if case .refuse(let refusal) = decision {
            #expect(refusal.description == "replay-count '\(text)' is not a number")
        }
    }

    @Test func withoutTheOriginalTopicTheFallbackTopicAndThePartitionerAreUsed() {
        let message = F.record(offset: 1, originalTopic: nil)
        guard case .replay(let record) = F.rules.decide(DeadLetterEntry(message)) else {
            Issue.record("refused")
            return
        }
        #expect(record.topic == F.input)
        #expect(record.partition == nil)
        let noFallback = ReplayRules(maxReplays: 3, fallbackTopic: nil, outputTopics: [])
        #expect(noFallback.decide(DeadLetterEntry(message)) == .refuse(.noTargetTopic))
    }

    @Test func aRecordIsNeverReplayedIntoAnOutputTopic() {
        let message = F.record(offset: 1, originalTopic: F.dlq)
        #expect(F.rules.decide(DeadLetterEntry(message)) == .refuse(.outputTopic(F.dlq)))
    }

    @Test func theConfigurationGivesTheFallbackOnlyForOnePlainInputTopic() throws {
        let one = try SyncConfiguration(source: ConfigurationSource(fileValues: ["topics.input": "in.a"]))
        #expect(ReplayRules(configuration: one).fallbackTopic == "in.a")
        #expect(ReplayRules(configuration: one).outputTopics == ["contacts.komet.succeeded", "contacts.komet.dlq"])
        let two = try SyncConfiguration(source: ConfigurationSource(fileValues: ["topics.input": "in.a,in.b"]))
        #expect(ReplayRules(configuration: two).fallbackTopic == nil)
        let pattern = try SyncConfiguration(source: ConfigurationSource(fileValues: ["topics.input": "^in\\..*"]))
        #expect(ReplayRules(configuration: pattern).fallbackTopic == nil)
    }
}
