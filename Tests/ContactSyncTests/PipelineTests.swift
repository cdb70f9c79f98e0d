import Foundation
import Kafka
import KometClient
import Synchronization
import Testing

@testable import ContactSync

@Suite struct PipelineTests {
    typealias H = PipelineHarness

    @Test func everyEventGetsExactlyOneOutcome() async throws {
        let harness = H()
        let messages = [
            H.message(offset: 0, key: "k1", value: H.event(name: "Ada")),
            H.message(offset: 1, key: "k2", value: H.event(name: "Grace")),
            H.message(offset: 2, key: "k1", value: H.event(name: "Ada")),  // duplicate by key
            H.message(offset: 3, key: "k3", value: #"{"Contact":{"FirstName":"Broken""#),
            H.message(offset: 4, key: "k4", value: H.event(name: "Alan")),
        ]
        try await harness.run(messages)

        let records = harness.sink.records
        #expect(records.count == 5)
        #expect(harness.komet.addCalls == 3)
        let successes = try records.filter { $0.topic == "contacts.komet.succeeded" }
            .map { try SuccessRecord.decoded(from: $0.value ?? []) }
        #expect(successes.map(\.source.offset).sorted() == [0, 1, 2, 4])
        let duplicate = try #require(successes.first { $0.source.offset == 2 })
        let first = try #require(successes.first { $0.source.offset == 0 })
        #expect(first.status == .created)
        #expect(duplicate.status == .duplicate)
        #expect(duplicate.komet.contactId == first.komet.contactId)

        let dead = try #require(records.first { $0.topic == "contacts.komet.dlq" })
        #expect(dead.value == messages[3].value)
        #expect(dead.key == messages[3].key)
        #expect(dead.header("komet-sync.reason") == "invalid_json")
        #expect(dead.header("kafka_dlt-original-offset") == "3")
        #expect(harness.consumer.storedOffsets(H.partition(0)).last == 5)
        #expect(harness.health.outcomes == ["created": 3, "duplicate": 1, "invalid_json": 1])
    }

    @Test func eventsOfOneKeyNeverOverlapAndKeepTheirOrder() async throws {
        let harness = H(komet: FakeKomet(delay: .milliseconds(10)) { _, _ in .success(()) }, maxInFlight: 4)
        // Distinct names per key so the fake can see overlap; the same key's events differ only by Title.
        var messages: [KafkaMessage] = []
        for offset in 0..<24 {
            let key = offset % 6
            messages.append(
                H.message(
                    partition: Int32(offset % 2), offset: Int64(offset / 2), key: "key-\(key)",
                    value: H.event(name: "Name\(key)", extra: "n\(offset)")))
        }
        // Every event of a key after its first is a duplicate: the store must say so without a call.
        try await harness.run(messages, partitions: [0, 1])
        #expect(harness.sink.records.count == 24)
        #expect(harness.komet.addCalls == 6)
        #expect(!harness.komet.overlappedKey)
        #expect(harness.komet.maxRunning > 1)
        #expect(harness.komet.maxRunning <= 4)
        let successes = try harness.sink.records.map { try SuccessRecord.decoded(from: $0.value ?? []) }
        for key in 0..<6 {
            let ofKey = successes.filter { $0.dedupeKey == "key-\(key)" }
            #expect(ofKey.filter { $0.status == .created }.count == 1)
            // The created one is the first event of the key.
            #expect(ofKey.first { $0.status == .created }?.request.description == "n\(key)")
        }
    }

    @Test func aSlowEventHoldsTheCommitPositionButNotOtherKeys() async throws {
        let released = Mutex(false)
        let komet = FakeKomet(hold: { request in
            guard request.name.hasPrefix("Slow") else { return }
            while !released.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(2)) }
        })
        let harness = H(komet: komet)
        var messages = [H.message(offset: 0, key: "slow", value: H.event(name: "Slow"))]
        for offset in 1...5 {
            messages.append(
                H.message(offset: Int64(offset), key: "fast-\(offset)", value: H.event(name: "Fast\(offset)")))
        }
        try await harness.run(messages) {
            // The fast keys finish while the slow one is held in flight.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(10)
            while harness.sink.records.count < 5 && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(harness.sink.records.count == 5)
            #expect(harness.consumer.storedOffsets(H.partition(0)).allSatisfy { $0 == 0 })
            released.withLock { $0 = true }
        }
        #expect(harness.consumer.storedOffsets(H.partition(0)).last == 6)
    }

    @Test func offsetsMoveOnlyAfterTheOutcomeIsDelivered() async throws {
        let consumerBox = Mutex<FakeConsumer?>(nil)
        let storedBeforeDelivery = Mutex<[Int64]>([])
        let sink = FakeSink(failFirst: 3) {
            // Before every publish attempt (the broker is "down" for the first three): nothing may be stored yet.
            let stored = consumerBox.withLock { $0?.storedOffsets(H.partition(0)) ?? [] }
            storedBeforeDelivery.withLock { $0 += stored }
        }
        let harness = H(sink: sink)
        consumerBox.withLock { $0 = harness.consumer }
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))], timeout: .seconds(30))
        #expect(harness.sink.records.count == 1)
        #expect(harness.komet.addCalls == 1)
        #expect(storedBeforeDelivery.withLock { $0 }.isEmpty)
        #expect(Set(harness.consumer.storedOffsets(H.partition(0))) == [1])
    }

    @Test func transientFailuresAreRetriedThenDeadLettered() async throws {
        let komet = FakeKomet { _, _ in
            .failure(
                KometError(failureClass: .transient, code: .http(status: 503), httpStatus: 503, message: "unavailable"))
        }
        let harness = H(komet: komet)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))])
        let dead = try #require(harness.sink.records.first)
        #expect(dead.topic == "contacts.komet.dlq")
        #expect(dead.header("komet-sync.reason") == "retries_exhausted")
        #expect(dead.header("komet-sync.http-status") == "503")
        #expect(dead.header("komet-sync.attempts") == "3")
        #expect(komet.addCalls == 3)
        // The claim is gone, so a replay of the dead letter is processed again.
        #expect(try await harness.store.entry(key: "a") == nil)
    }

    @Test func transientThenSuccessCreatesOnce() async throws {
        let komet = FakeKomet { _, call in
            call == 1
                ? .failure(KometError(failureClass: .transient, code: .connectFailed, message: "refused"))
                : .success(())
        }
        let harness = H(komet: komet)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))])
        let record = try SuccessRecord.decoded(from: try #require(harness.sink.records.first?.value))
        #expect(record.status == .created)
        #expect(record.attempts == 2)
        #expect(komet.created.count == 1)
    }

    @Test func rejectedCallsAreDeadLetteredWithKometsMessage() async throws {
        let komet = FakeKomet { _, _ in
            .failure(
                KometError(failureClass: .rejected, code: .rejected, httpStatus: 200, message: "Customer not found"))
        }
        let harness = H(komet: komet)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))])
        let dead = try #require(harness.sink.records.first)
        #expect(dead.header("komet-sync.reason") == "komet_rejected")
        #expect(dead.header("komet-sync.detail") == "Customer not found")
        #expect(komet.addCalls == 1)
        #expect(try await harness.store.entry(key: "a") == nil)
    }

    @Test func ambiguousAnswersAreReconciledWithoutASecondContact() async throws {
        let komet = FakeKomet { _, call in
            call == 1
                ? .failure(KometError(failureClass: .ambiguous, code: .timeoutAfterSend, message: "timed out"))
                : .success(())
        }
        let harness = H(komet: komet)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))])
        let record = try SuccessRecord.decoded(from: try #require(harness.sink.records.first?.value))
        #expect(record.status == .reconciled)
        #expect(komet.addCalls == 1)
        #expect(komet.listCalls == 1)
        #expect(komet.created.count == 1)
        #expect(record.komet.contactId == komet.created[0].id)
    }

    @Test func aPendingClaimFromACrashIsReconciledFirst() async throws {
        let store = InMemoryStore()
        #expect(try await H.crashedClaim("a", in: store) == .claimed("a", by: "crashed-replica"))
        let komet = FakeKomet()
        let harness = H(komet: komet, store: store)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))])
        let record = try SuccessRecord.decoded(from: try #require(harness.sink.records.first?.value))
        // Not in Komet: looked up once, then created.
        #expect(record.status == .created)
        #expect(komet.listCalls == 1)
        #expect(komet.addCalls == 1)
        if case .done = try await store.entry(key: "a")?.state {} else { Issue.record("key is not done") }
    }

    @Test func deadLetterPolicyRefusesAmbiguousKeys() async throws {
        let store = InMemoryStore()
        _ = try await H.crashedClaim("a", in: store)
        let komet = FakeKomet()
        let harness = H(komet: komet, store: store, ambiguousPolicy: .deadLetter)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))])
        #expect(harness.sink.records.first?.header("komet-sync.reason") == "ambiguous_outcome")
        #expect(komet.addCalls == 0)
    }

    @Test func throttlingPausesCallsWithoutDeadLetters() async throws {
        let komet = FakeKomet { _, call in
            call <= 2
                ? .failure(
                    KometError(
                        failureClass: .throttled, code: .http(status: 429), httpStatus: 429, message: "slow down",
                        retryAfter: .milliseconds(50)))
                : .success(())
        }
        let harness = H(komet: komet)
        let messages = (0..<5).map { H.message(offset: Int64($0), key: "k\($0)", value: H.event(name: "N\($0)")) }
        try await harness.run(messages)
        #expect(harness.sink.records.allSatisfy { $0.topic == "contacts.komet.succeeded" })
        #expect(harness.sink.records.count == 5)
        #expect(komet.created.count == 5)
    }

    @Test func storeFailuresBecomeInternalErrorsAndDoNotStopOthers() async throws {
        let harness = H(store: FailingStore(failingKey: "boom"))
        let messages = [
            H.message(offset: 0, key: "boom", value: H.event(name: "Ada")),
            H.message(offset: 1, key: "fine", value: H.event(name: "Grace")),
        ]
        try await harness.run(messages)
        let byOffset = Dictionary(
            uniqueKeysWithValues: harness.sink.records.map { ($0.header("kafka_dlt-original-offset") ?? "ok", $0) })
        #expect(byOffset["0"]?.header("komet-sync.reason") == "internal_error")
        #expect(byOffset["ok"]?.topic == "contacts.komet.succeeded")
        #expect(harness.consumer.storedOffsets(H.partition(0)).last == 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func eventsStillRunningAfterTheDrainAreCancelledWithoutAnOutcome() async throws {
        // A call that never answers (until cancelled): the revoke gives up after the drain timeout, and the pipeline
        // must still stop, publish nothing for the event and leave its offset where it was.
        let komet = FakeKomet(hold: { _ in
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        })
        let harness = H(komet: komet, drainTimeout: .milliseconds(200))
        let clock = ContinuousClock()
        let started = clock.now
        try await harness.run(
            [H.message(offset: 0, key: "a", value: H.event(name: "Ada"))], expecting: 1, timeout: .milliseconds(300))
        #expect(clock.now - started < .seconds(10))
        #expect(harness.sink.records.isEmpty)
        #expect(harness.consumer.storedOffsets(H.partition(0)).allSatisfy { $0 == 0 })
    }

    @Test func backpressurePausesAndResumes() async throws {
        let harness = H(komet: FakeKomet(delay: .milliseconds(2)), maxInFlight: 2, maxBuffered: 10)
        let messages = (0..<40).map { H.message(offset: Int64($0), key: "k\($0)", value: H.event(name: "N\($0)")) }
        try await harness.run(messages)
        #expect(harness.sink.records.count == 40)
        #expect(harness.consumer.pauseCount >= 1)
        #expect(harness.consumer.resumeCount >= 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func aRevokeThatEmptiesTheBufferLiftsTheBackpressurePause() async throws {
        // One call held in flight, five events of one other key behind it: the first of them waits for the call slot,
        // the other four behind their key. The buffer (4) is full and the partition paused. The revoke drops the four
        // and ends the one waiting for the slot; the partition assigned again must not start paused, since no job is
        // left whose end would resume it.
        let released = Mutex(false)
        let komet = FakeKomet(hold: { _ in
            while !released.withLock({ $0 }) && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(2)) }
        })
        let harness = H(komet: komet, maxInFlight: 1, maxBuffered: 4, drainTimeout: .milliseconds(50))
        let partition = H.partition(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await harness.pipeline.run() }
            harness.pipeline.assigned([partition])
            for offset in 0..<6 {
                harness.pipeline.receive(
                    H.message(offset: Int64(offset), key: offset == 0 ? "k0" : "k1", value: H.event(name: "N\(offset)"))
                )
            }
            #expect(harness.consumer.pausedPartitions == [partition])
            await harness.pipeline.revokingOnOwnThread([partition])
            harness.pipeline.assigned([partition])
            #expect(harness.consumer.pausedPartitions.isEmpty, "the reassigned partition started paused")
            released.withLock { $0 = true }
            await harness.pipeline.revokingOnOwnThread([partition])
            harness.pipeline.finish()
            try await group.waitForAll()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aLostAssignmentIsLetGoAtOnce() async throws {
        // The group has given the partition to another member: waiting for the running call (the drain allows 30 s)
        // would only hold the poll thread. The call still ends with its outcome; no position is stored for it.
        let released = Mutex(false)
        let komet = FakeKomet(hold: { _ in
            while !released.withLock({ $0 }) && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(2)) }
        })
        let harness = H(komet: komet, drainTimeout: .seconds(30))
        let partition = H.partition(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await harness.pipeline.run() }
            harness.pipeline.assigned([partition])
            harness.pipeline.receive(H.message(offset: 0, key: "a", value: H.event(name: "Ada")))
            harness.pipeline.receive(H.message(offset: 1, key: "b", value: H.event(name: "Bo")))
            while harness.komet.addCalls < 2 { try await Task.sleep(for: .milliseconds(2)) }
            let clock = ContinuousClock()
            let started = clock.now
            await harness.pipeline.revokingOnOwnThread([partition], lost: true)
            #expect(clock.now - started < .seconds(5), "a lost revoke waited for running events")
            released.withLock { $0 = true }
            while harness.sink.records.count < 2 { try await Task.sleep(for: .milliseconds(2)) }
            harness.pipeline.finish()
            try await group.waitForAll()
        }
        #expect(harness.consumer.storedOffsets(partition).isEmpty)
    }

    @Test(.timeLimit(.minutes(1)))
    func eventsThatMakeNoCallDoNotWaitForACallSlot() async throws {
        // maxInFlight 1 and that one call held: a bad event and a duplicate still get their outcomes at once, and
        // the second new key waits for the slot, not the cheap events.
        let released = Mutex(false)
        let komet = FakeKomet(hold: { _ in
            while !released.withLock({ $0 }) && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(2)) }
        })
        let store = InMemoryStore()
        _ = try await store.claim(key: "d", owner: "earlier", origin: nil, now: Date(), leaseUntil: Date() + 60)
        try await store.markDone(key: "d", contact: .sample(99), now: Date())
        let harness = H(komet: komet, store: store, maxInFlight: 1)
        let messages = [
            H.message(offset: 0, key: "a", value: H.event(name: "Ada")),
            H.message(offset: 1, key: "b", value: H.event(name: "Bo")),
            H.message(offset: 2, key: "x", value: #"{"Contact":"#),
            H.message(offset: 3, key: "d", value: H.event(name: "Dee")),
        ]
        try await harness.run(
            messages,
            whileRunning: {
                while harness.sink.records.count < 2 { try await Task.sleep(for: .milliseconds(2)) }
                #expect(harness.komet.addCalls == 1)
                #expect(harness.komet.maxRunning == 1)
                let offsets = try harness.sink.records.map { record in
                    record.topic == "contacts.komet.dlq"
                        ? Int64(record.header("kafka_dlt-original-offset") ?? "") ?? -1
                        : try SuccessRecord.decoded(from: record.value ?? []).source.offset
                }
                #expect(Set(offsets) == [2, 3])
                released.withLock { $0 = true }
            })
        #expect(harness.sink.records.count == 4)
        #expect(harness.komet.addCalls == 2)
        #expect(harness.komet.maxRunning == 1)
        #expect(harness.consumer.storedOffsets(H.partition(0)).last == 4)
    }

    @Test(.timeLimit(.minutes(1)))
    func aRevokeEndsEventsWaitingForACallSlotAtOnce() async throws {
        // Partition 0's call holds the only slot; partition 1's events wait for it. Revoking partition 1 must not
        // wait for the slot (its drain time is 30 s): those events have claimed nothing, and end without an outcome.
        let released = Mutex(false)
        let komet = FakeKomet(hold: { _ in
            while !released.withLock({ $0 }) && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(2)) }
        })
        let harness = H(komet: komet, maxInFlight: 1, drainTimeout: .seconds(30))
        let p0 = H.partition(0)
        let p1 = H.partition(1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await harness.pipeline.run() }
            harness.pipeline.assigned([p0, p1])
            harness.pipeline.receive(H.message(partition: 0, offset: 0, key: "a", value: H.event(name: "Ada")))
            while harness.komet.addCalls < 1 { try await Task.sleep(for: .milliseconds(2)) }
            for offset in 0..<3 {
                harness.pipeline.receive(
                    H.message(partition: 1, offset: Int64(offset), key: "k\(offset)", value: H.event(name: "N")))
            }
            while harness.pipeline.stages.processor.slots.waiting < 3 {
                try await Task.sleep(for: .milliseconds(2))
            }
            let clock = ContinuousClock()
            let started = clock.now
            await harness.pipeline.revokingOnOwnThread([p1])
            #expect(clock.now - started < .seconds(5), "the revoke waited for the call slot")
            #expect(harness.pipeline.stages.processor.slots.waiting == 0)
            released.withLock { $0 = true }
            while harness.sink.records.count < 1 { try await Task.sleep(for: .milliseconds(2)) }
            await harness.pipeline.revokingOnOwnThread([p0])
            harness.pipeline.finish()
            try await group.waitForAll()
        }
        #expect(harness.sink.records.count == 1)
        #expect(harness.komet.addCalls == 1)
        #expect(harness.consumer.storedOffsets(p1).allSatisfy { $0 == 0 })
        #expect(harness.consumer.storedOffsets(p0).last == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func aRefusedOffsetStoreIsMadeAgain() async throws {
        // librdkafka refuses a store while a partition is between assignments. Without another store the group's
        // offset would stay behind the last event of the partition for good.
        let harness = H(storeRefreshInterval: .milliseconds(20))
        let partition = H.partition(0)
        harness.consumer.refuseStores(true)
        try await harness.run(
            [H.message(offset: 0, key: "a", value: H.event(name: "Ada"))],
            whileRunning: {
                while harness.sink.records.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
                try await Task.sleep(for: .milliseconds(50))
                #expect(harness.consumer.storedOffsets(partition).isEmpty)
                harness.consumer.refuseStores(false)
                while !harness.consumer.storedOffsets(partition).contains(1) {
                    try await Task.sleep(for: .milliseconds(5))
                }
            })
        #expect(harness.consumer.storedOffsets(partition).allSatisfy { $0 == 1 })
    }

    @Test func theTokenNeverReachesARecord() async throws {
        let komet = FakeKomet { _, _ in
            .failure(KometError(failureClass: .rejected, code: .rejected, message: "bad token secret-token-for-tests"))
        }
        let harness = H(komet: komet)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))])
        for record in harness.sink.records {
            let text =
                record.headers.map { "\($0.key)=\($0.stringValue ?? "")" }.joined()
                + String(decoding: record.value ?? [], as: UTF8.self)
            #expect(!text.contains("secret-token-for-tests"))
        }
    }
}

/// A store whose every operation on one key fails, like a full disk would.
final class FailingStore: DedupeStore, OutcomeLedger {
    struct Failure: Error {}
    let failingKey: String
    let inner = InMemoryStore()

    /// Thrown by every `markDone`, when set (e.g. a store that refuses to work in a cancelled task).
    let markDoneError: (any Error & Sendable)?

    init(failingKey: String, markDoneError: (any Error & Sendable)? = nil) {
        self.failingKey = failingKey
        self.markDoneError = markDoneError
    }

    func claim(
        key: String, owner: String, origin: String?, now: Date, leaseUntil: Date
    ) async throws -> ClaimResult {
        if key == failingKey { throw Failure() }
        return try await inner.claim(key: key, owner: owner, origin: origin, now: now, leaseUntil: leaseUntil)
    }
    func renew(_ claim: Claim, until: Date, now: Date) async throws -> Bool {
        try await inner.renew(claim, until: until, now: now)
    }
    func takeOver(
        key: String, epoch: Int64, owner: String, origin: String?, now: Date, leaseUntil: Date
    ) async throws -> Claim? {
        try await inner.takeOver(key: key, epoch: epoch, owner: owner, origin: origin, now: now, leaseUntil: leaseUntil)
    }
    func release(_ claim: Claim) async throws -> Bool { try await inner.release(claim) }
    func markDone(key: String, contact: CreatedContact, now: Date) async throws {
        if let markDoneError { throw markDoneError }
        try await inner.markDone(key: key, contact: contact, now: now)
    }
    func remove(key: String) async throws { try await inner.remove(key: key) }
    func pruneKeys(before cutoff: Date) async throws -> Int { try await inner.pruneKeys(before: cutoff) }
    func pruneMarks(before cutoff: Date) async throws -> Int { try await inner.pruneMarks(before: cutoff) }
    func entry(key: String) async throws -> DedupeEntry? { try await inner.entry(key: key) }
    func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark? {
        try await inner.outcomeMark(for: position)
    }
    func recordStates(_ requests: [RecordStateRequest]) async throws -> [RecordState] {
        try await inner.recordStates(requests)
    }
    func markPublishing(_ marks: [PublishingMark], now: Date) async throws {
        // Recording a created contact goes with the mark now: the same failure applies.
        if marks.contains(where: { $0.keyDone != nil }), let markDoneError { throw markDoneError }
        try await inner.markPublishing(marks, now: now)
    }
    func markPublished(_ positions: [RecordPosition], now: Date) async throws {
        try await inner.markPublished(positions, now: now)
    }
}
