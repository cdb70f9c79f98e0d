import Kafka
import Testing

@testable import ContactSync

@Suite("Start-up decision: the served-group marker and the group's committed offsets")
struct StoreStartDecisionTests {
    private let committed = [TopicPartition(topic: "contacts.created", partition: 0): Int64(17)]

    @Test("served group: start without recording, whatever Kafka says")
    func served() {
        #expect(
            StoreStartDecision.decide(served: true, committed: [:], acceptEmptyStore: false)
                == .start(recordGroup: false))
        #expect(
            StoreStartDecision.decide(served: true, committed: committed, acceptEmptyStore: false)
                == .start(recordGroup: false))
    }

    @Test("a brand-new deployment (no committed offsets): start and record the group")
    func newDeployment() {
        #expect(
            StoreStartDecision.decide(served: false, committed: [:], acceptEmptyStore: false)
                == .start(recordGroup: true))
    }

    @Test("an empty store while the group has committed offsets: refuse, unless told to start over")
    func lostStore() {
        #expect(StoreStartDecision.decide(served: false, committed: committed, acceptEmptyStore: false) == .refuse)
        #expect(
            StoreStartDecision.decide(served: false, committed: committed, acceptEmptyStore: true)
                == .start(recordGroup: true))
    }

    @Test("the refusal names the store, the group and both ways out")
    func message() {
        let text = EmptyStoreError(
            storeName: "SQLite file /data/dedupe.sqlite", groupID: "sync", committedPartitions: 4
        )
        .description
        for part in [
            "/data/dedupe.sqlite", "sync", "4 input partition", "rebuild-store --config", "--accept-empty-store",
        ] {
            #expect(text.contains(part), "missing \(part) in: \(text)")
        }
    }
}
