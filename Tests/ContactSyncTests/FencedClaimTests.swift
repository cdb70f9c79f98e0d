import Foundation
import KometClient
import Synchronization
import Testing

@testable import ContactSync

/// Claims are fenced (DESIGN.md): a key's call happens in exactly one place. A live claim of another holder is waited
/// for, a pending claim is reconciled only once its lease and the late-arrival window have passed, a holder whose
/// claim was taken over makes no call, and one look-up answers every due key of a customer.
@Suite struct FencedClaimTests {
    typealias H = PipelineHarness

    static func outcome(_ harness: H, _ index: Int = 0) throws -> SuccessRecord {
        try SuccessRecord.decoded(from: try #require(harness.sink.records[index].value))
    }

    @Test func aKeyHeldByALiveClaimIsNotCalledAndBecomesADuplicateWhenItsHolderFinishes() async throws {
        let store = InMemoryStore()
        let now = Date()
        #expect(
            try await store.claim(key: "a", owner: "other-replica", origin: "elsewhere", now: now, leaseUntil: now + 60)
                == .claimed("a", by: "other-replica"))
        let komet = FakeKomet()
        let harness = H(komet: komet, store: store)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))]) {
            try await Task.sleep(for: .milliseconds(200))
            // Still held: the event waits without a call.
            #expect(komet.addCalls == 0 && komet.listCalls == 0)
            #expect(harness.sink.records.isEmpty)
            try await store.markDone(key: "a", contact: .sample(4_711), now: Date())
        }
        let record = try Self.outcome(harness)
        #expect(record.status == .duplicate)
        #expect(record.komet.contactId == 4_711)
        #expect(komet.addCalls == 0 && komet.listCalls == 0)
    }

    @Test func aPendingClaimIsReconciledOnlyAfterItsLeaseAndTheLateArrivalWindow() async throws {
        let store = InMemoryStore()
        let then = Date()
        // The holder crashed; its lease ends now, and Komet may still land its call for another 600 ms.
        _ = try await store.claim(key: "a", owner: "crashed", origin: nil, now: then - 60, leaseUntil: then)
        let komet = FakeKomet()
        let claims = ClaimSettings(
            lease: .seconds(60), lateArrivalWindow: .milliseconds(600), holdPollInterval: .milliseconds(10))
        let harness = H(komet: komet, store: store, claims: claims)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))])
        let record = try Self.outcome(harness)
        #expect(record.status == .created)
        #expect(komet.listCalls == 1 && komet.addCalls == 1)
        // When the first call came, not what had happened by some moment: a loaded machine cannot fake either answer.
        let firstCall = try #require(komet.firstCallAt)
        #expect(
            firstCall >= then + 0.6,
            "called \(firstCall.timeIntervalSince(then)) s after the lease ended, before the late-arrival window passed"
        )
        guard case .done = try await store.entry(key: "a")?.state else {
            Issue.record("the key is not done")
            return
        }
    }

    @Test func aHolderWhoseClaimWasTakenOverMakesNoFurtherCall() async throws {
        let store = InMemoryStore()
        // The first call fails (nothing created); while it is on its way, the claim is taken over (as by a replica
        // whose clock runs ahead), and that replica then creates the contact.
        let komet = FakeKomet(
            script: { _, call in
                call == 1
                    ? .failure(
                        KometError(failureClass: .transient, code: .http(status: 503), httpStatus: 503, message: "down")
                    )
                    : .success(())
            },
            hold: { _ in
                let later = Date() + 120
                _ = try? await store.takeOver(
                    key: "a", epoch: 1, owner: "thief", origin: "elsewhere", now: later, leaseUntil: later + 60)
            })
        let harness = H(komet: komet, store: store)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))]) {
            let deadline = ContinuousClock.now + .seconds(10)
            while komet.addCalls < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(200))
            #expect(harness.sink.records.isEmpty)
            try await store.markDone(key: "a", contact: .sample(99), now: Date())
        }
        #expect(komet.addCalls == 1, "the fenced-off holder called again")
        let record = try Self.outcome(harness)
        #expect(record.status == .duplicate)
        #expect(record.komet.contactId == 99)
    }

    @Test func oneLookUpAnswersEveryDueKeyOfACustomer() async throws {
        let store = InMemoryStore()
        let keys = (0..<6).map { "k\($0)" }
        for key in keys { _ = try await H.crashedClaim(key, in: store) }
        // A slow look-up, so that every reconciliation is due while it runs.
        let komet = FakeKomet(delay: .milliseconds(50))
        let harness = H(komet: komet, store: store)
        try await harness.run(
            keys.enumerated().map { index, key in
                H.message(offset: Int64(index), key: key, value: H.event(name: "Name\(index)", customer: 7))
            })
        #expect(harness.sink.records.count == keys.count)
        #expect(komet.listCalls == 1)
        #expect(komet.addCalls == keys.count)
        for index in keys.indices { #expect(try Self.outcome(harness, index).status == .created) }
    }

    @Test func anAmbiguousAnswerIsReconciledOnlyAfterTheLateArrivalWindow() async throws {
        // The add's answer is lost (the contact was created): the look-up waits out the late-arrival window.
        let komet = FakeKomet(
            script: { _, _ in .failure(KometError(failureClass: .ambiguous, code: .timeoutAfterSend, message: "lost")) }
        )
        let claims = ClaimSettings(
            lease: .seconds(60), lateArrivalWindow: .milliseconds(400), holdPollInterval: .milliseconds(10))
        let harness = H(komet: komet, claims: claims)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))]) {
            try await Task.sleep(for: .milliseconds(150))
            #expect(komet.listCalls == 0, "reconciled before the late-arrival window passed")
        }
        // The fake created the contact before the answer was lost: the look-up finds it, and no second add is made.
        #expect(komet.listCalls == 1 && komet.addCalls == 1)
        #expect(try Self.outcome(harness).status == .reconciled)
    }

    @Test func aRevokeCancelsItsPartitionsRunningEventsWhenTheDrainTimeIsUp() async throws {
        let sawCancellation = Mutex(false)
        // The call runs until its task is cancelled, and then fails as a cancelled request does (nothing was sent).
        let komet = FakeKomet(
            script: { _, _ in
                Task.isCancelled
                    ? .failure(KometError(failureClass: .transient, code: .cancelledBeforeSend, message: "cancelled"))
                    : .success(())
            },
            hold: { _ in
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                sawCancellation.withLock { $0 = true }
            })
        let harness = H(komet: komet, drainTimeout: .milliseconds(100))
        let partition = H.partition(0)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await harness.pipeline.run() }
            harness.pipeline.assigned([partition])
            harness.pipeline.receive(H.message(offset: 0, key: "a", value: H.event(name: "Ada")))
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(10)
            while komet.addCalls < 1, clock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
            await harness.pipeline.revokingOnOwnThread([partition])  // waits 100 ms, then cancels what still runs
            while !sawCancellation.withLock({ $0 }), clock.now < deadline {
                try? await Task.sleep(for: .milliseconds(5))
            }
            #expect(sawCancellation.withLock { $0 }, "the revoked partition's event kept running")
            harness.pipeline.finish()
        }
        #expect(harness.sink.records.isEmpty)
        // Its call proved nothing was created: the claim went with it.
        #expect(try await harness.store.entry(key: "a") == nil)
    }

    @Test func aRecordItsFormerOwnerStillFinishesGetsOneOutcome() async throws {
        // A partition's former owner (a lost assignment) still works on the record: its claim is live. When it
        // finishes, it records the contact and publishes the record's outcome; this replica, which consumed the same
        // record meanwhile, must not publish a second one.
        let store = InMemoryStore()
        let message = H.message(offset: 0, key: "a", value: H.event(name: "Ada"))
        let position = RecordPosition(message)
        let now = Date()
        _ = try await store.claim(
            key: "a", owner: "former-owner", origin: position.description, now: now, leaseUntil: now + 60)
        let komet = FakeKomet()
        let harness = H(komet: komet, store: store)
        try await harness.run([message], expecting: 1, timeout: .seconds(2)) {
            try await Task.sleep(for: .milliseconds(100))
            try await store.markDone(key: "a", contact: .sample(5_150), now: Date())
            try await store.markPublishing(
                position, placement: OutcomePlacement(topic: "contacts.komet.succeeded", partition: 0, fromOffset: 0),
                now: Date())
            try await store.markPublished(position, now: Date())
        }
        #expect(harness.sink.records.isEmpty, "a second outcome for one input")
        #expect(komet.addCalls == 0 && komet.listCalls == 0)
    }
}
