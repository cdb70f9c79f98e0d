import Foundation
import Kafka
import KometClient
import Synchronization
import Testing

@testable import ContactSync

/// The outcome ledger, the outage breaker and the systemic pause, over fakes.
@Suite struct DeliveryGuaranteeTests {
    typealias H = PipelineHarness

    static let messages = (0..<6).map {
        H.message(offset: Int64($0), key: "k\($0 % 4)", value: H.event(name: "Name\($0 % 4)"))
    }

    /// Polls `condition` for up to 10 s.
    static func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while !condition() && clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func aReplayedRecordWithAPublishedOutcomeGetsNoSecondOne() async throws {
        let store = InMemoryStore()
        let sink = FakeSink()
        let komet = FakeKomet()
        try await H(komet: komet, sink: sink, store: store).run(Self.messages)
        #expect(sink.records.count == 6)

        // A new process consumes the same records again (the commit was lost): nothing is published twice.
        let replay = H(komet: komet, sink: sink, store: store)
        try await replay.run(Self.messages) {
            try await Self.waitUntil { replay.consumer.storedOffsets(H.partition(0)).last == 6 }
        }
        #expect(sink.records.count == 6)
        #expect(komet.addCalls == 4)
        #expect(replay.consumer.storedOffsets(H.partition(0)).last == 6)
    }

    @Test func aPublishingMarkWhoseRecordArrivedIsResolvedWithoutPublishing() async throws {
        let store = InMemoryStore()
        let sink = FakeSink()
        let komet = FakeKomet()
        let message = H.message(offset: 0, key: "a", value: H.event(name: "Ada"))
        try await H(komet: komet, sink: sink, store: store).run([message])
        let position = RecordPosition(message)
        // As if the process died after the broker took the record and before its delivery report was recorded.
        try await store.markPublishing(
            position, placement: OutcomePlacement(topic: "contacts.komet.succeeded", partition: 0, fromOffset: 0),
            now: Date())

        let replay = H(komet: komet, sink: sink, store: store)
        try await replay.run([message]) {
            try await Self.waitUntil { replay.consumer.storedOffsets(H.partition(0)).last == 1 }
        }
        #expect(sink.records.count == 1)
        #expect(
            try await store.outcomeMark(for: position).map { if case .published = $0 { true } else { false } } == true)
    }

    @Test func aPublishingMarkWhoseRecordNeverArrivedIsPublishedOnce() async throws {
        let store = InMemoryStore()
        let sink = FakeSink()
        let message = H.message(offset: 0, key: "a", value: H.event(name: "Ada"))
        let position = RecordPosition(message)
        // Komet created the contact, the record was handed to the producer, and the process died before delivery.
        #expect(
            try await H.crashedClaim("a", in: store, owner: "dead", origin: position.description)
                == .claimed("a", by: "dead"))
        try await store.markDone(key: "a", contact: .sample(4_242), now: Date())
        try await store.markPublishing(
            position, placement: OutcomePlacement(topic: "contacts.komet.succeeded", partition: 0, fromOffset: 0),
            now: Date())
        let komet = FakeKomet()

        try await H(komet: komet, sink: sink, store: store).run([message])
        #expect(sink.records.count == 1)
        let record = try SuccessRecord.decoded(from: try #require(sink.records.first?.value))
        // The same record that created the contact: `created`, not `duplicate`, and no call.
        #expect(record.status == .created)
        #expect(record.komet.contactId == 4_242)
        #expect(komet.addCalls == 0)
    }

    @Test func anOutcomeThatLandedDespiteAFailedDeliveryIsNotPublishedAgain() async throws {
        // librdkafka reports a message timeout for a record the broker may well have written (the acknowledgement was
        // lost). The retry reads the partition back before producing again.
        let sink = FakeSink(timeOutFirst: 1)
        let harness = H(sink: sink)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada"))]) {
            // The event is finished when its offset is stored, after the retry.
            try await Self.waitUntil { harness.consumer.storedOffsets(H.partition(0)).contains(1) }
        }
        #expect(sink.records.count == 1)
        #expect(harness.komet.addCalls == 1)
        #expect(harness.consumer.storedOffsets(H.partition(0)).last == 1)
    }

    @Test func aDeadLetterTooLargeForItsTopicIsPublishedWithoutItsValue() async throws {
        let sink = FakeSink(maxValueBytes: 4_096)
        let harness = H(sink: sink)
        let huge = H.message(offset: 0, key: "huge", value: String(repeating: "x", count: 10_000))
        let fine = H.message(offset: 1, key: "fine", value: H.event(name: "Ada"))
        try await harness.run([huge, fine])
        #expect(sink.records.count == 2)
        let dead = try #require(sink.records.first { $0.topic == "contacts.komet.dlq" })
        #expect(dead.value == nil)
        #expect(dead.key == huge.key)
        #expect(dead.header("komet-sync.reason") == "invalid_json")
        #expect(dead.header("komet-sync.detail")?.contains("10000 bytes") == true)
        #expect(dead.headers.count { $0.key == "komet-sync.detail" } == 1)
        #expect(harness.consumer.storedOffsets(H.partition(0)).last == 2)
    }

    @Test func aRefusedReconciliationIsARejectionNotAnInternalError() async throws {
        // The add's answer was lost; the look-up then says the customer does not exist.
        let komet = FakeKomet(
            script: { _, _ in
                .failure(KometError(failureClass: .ambiguous, code: .timeoutAfterSend, message: "lost"))
            },
            listRefusal: { _ in KometError(failureClass: .rejected, code: .rejected, message: "Customer not found") })
        let store = InMemoryStore()
        let harness = H(komet: komet, store: store)
        try await harness.run([H.message(offset: 0, key: "a", value: H.event(name: "Ada", customer: 999))])
        let dead = try #require(harness.sink.records.first)
        #expect(dead.header("komet-sync.reason") == "komet_rejected")
        #expect(dead.header("komet-sync.detail") == "Customer not found")
        #expect(try await store.entry(key: "a") == nil)
        #expect(komet.addCalls == 1)
    }

    @Test func anOutageDoesNotSpendEventsRetriesAndIsProbedSparingly() async throws {
        // Komet is down for the first 40 calls; each event may only fail 3 times on its own.
        let komet = FakeKomet { _, call in
            call <= 40
                ? .failure(KometError(failureClass: .transient, code: .http(status: 503), message: "down"))
                : .success(())
        }
        let harness = H(
            komet: komet, maxInFlight: 4,
            retry: RetryPolicy(
                maxAttempts: 3, baseDelay: .milliseconds(2), maxDelay: .milliseconds(10), maxElapsed: .seconds(30),
                outageThreshold: 3))
        let messages = (0..<8).map { H.message(offset: Int64($0), key: "k\($0)", value: H.event(name: "N\($0)")) }
        try await harness.run(messages)
        #expect(harness.sink.records.count == 8)
        #expect(harness.sink.records.allSatisfy { $0.topic == "contacts.komet.succeeded" })
        #expect(komet.created.count == 8)
    }

    @Test func isolatedTransientFailuresStillExhaustAnEvent() async throws {
        // Only one key fails, others succeed in between: that is not an outage, and the event runs out of attempts.
        let komet = FakeKomet { request, _ in
            request.name.hasPrefix("Bad")
                ? .failure(KometError(failureClass: .transient, code: .http(status: 502), message: "bad gateway"))
                : .success(())
        }
        let harness = H(
            komet: komet, maxInFlight: 2,
            retry: RetryPolicy(
                maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2), maxElapsed: .seconds(30),
                outageThreshold: 50))
        var messages = [H.message(offset: 0, key: "bad", value: H.event(name: "Bad"))]
        messages += (1..<6).map { H.message(offset: Int64($0), key: "k\($0)", value: H.event(name: "N\($0)")) }
        try await harness.run(messages)
        let dead = try #require(harness.sink.records.first { $0.topic == "contacts.komet.dlq" })
        #expect(dead.header("komet-sync.reason") == "retries_exhausted")
        #expect(dead.header("komet-sync.attempts") == "3")
        #expect(harness.sink.records.count == 6)
    }

    @Test func aRefusedTokenPausesConsumptionAndResumesWhenAccepted() async throws {
        let refused = Mutex(true)
        let komet = FakeKomet { _, _ in
            refused.withLock { $0 }
                ? .failure(KometError(failureClass: .systemic, code: .auth, message: "Invalid authentication token"))
                : .success(())
        }
        let harness = H(komet: komet)
        let messages = (0..<5).map { H.message(offset: Int64($0), key: "k\($0)", value: H.event(name: "N\($0)")) }
        try await harness.run(messages) {
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(5)
            while harness.consumer.pauseCount == 0 && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(harness.consumer.pauseCount == 1)
            #expect(harness.health.kometPause == .systemic)
            #expect(harness.health.readiness.ready == false)
            try await Task.sleep(for: .milliseconds(100))  // several probe intervals: probes only, nothing else
            #expect(harness.sink.records.isEmpty)
            refused.withLock { $0 = false }
            // The resume is applied by the pipeline's own task: wait for it rather than race the shutdown.
            try await Self.waitUntil { harness.consumer.resumeCount == 1 }
        }
        #expect(harness.sink.records.count == 5)
        #expect(harness.sink.records.allSatisfy { $0.topic == "contacts.komet.succeeded" })
        #expect(harness.consumer.resumeCount == 1)
        #expect(harness.health.kometPause == nil)
    }

    @Test func anEventCancelledWhileWaitingOutAPauseLeavesNoClaim() async throws {
        let komet = FakeKomet { _, _ in
            .failure(KometError(failureClass: .systemic, code: .auth, message: "Invalid authentication token"))
        }
        let store = InMemoryStore()
        // No probe within the test: every event after the first only waits.
        let harness = H(
            komet: komet, store: store, drainTimeout: .milliseconds(50),
            retry: RetryPolicy(systemicProbeInterval: .seconds(30)))
        let first = H.message(offset: 0, key: "k0", value: H.event(name: "N0"))
        try await harness.run([first], expecting: 0) {
            try await Self.waitUntil { harness.consumer.pauseCount == 1 }
            for offset in 1..<5 {
                harness.pipeline.receive(
                    H.message(offset: Int64(offset), key: "k\(offset)", value: H.event(name: "N\(offset)")))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(harness.sink.records.isEmpty)
        // k0's call was made and refused (a refused token proves nothing was created), the others never called Komet:
        // no claim is left, so the next owner calls at once instead of spending a look-up on any of them.
        #expect(try await store.entry(key: "k0") == nil)
        for offset in 1..<5 { #expect(try await store.entry(key: "k\(offset)") == nil, "k\(offset)") }
    }

    @Test func aSpentQuotaPausesCallsWithoutDeadLetters() async throws {
        let komet = FakeKomet { _, call in
            call <= 3
                ? .failure(
                    KometError(
                        failureClass: .throttled, code: .quota,
                        message: "Daily API request limit exceeded"))
                : .success(())
        }
        let harness = H(komet: komet)
        let messages = (0..<5).map { H.message(offset: Int64($0), key: "k\($0)", value: H.event(name: "N\($0)")) }
        try await harness.run(messages)
        #expect(harness.sink.records.count == 5)
        #expect(harness.sink.records.allSatisfy { $0.topic == "contacts.komet.succeeded" })
        #expect(harness.consumer.pauseCount == 0)
    }
}

@Suite struct KometCallGateTests {
    @Test func anOutageBacksOffProbesExponentially() async throws {
        let gate = KometCallGate(
            settings: .init(
                outageThreshold: 2,
                outageBackoff: Backoff(baseDelay: .milliseconds(40), maxDelay: .milliseconds(160), jitter: .none)),
            logger: .init(label: "test"), pollInterval: .milliseconds(1))
        let first = try await gate.enter()
        #expect(!first.isProbe)
        #expect(gate.recordTransientFailure(of: first))  // one failure: the event's own
        #expect(!gate.recordTransientFailure(of: first))  // two in a row: an outage
        #expect(gate.pauseReason == .unavailable)
        var waits: [Duration] = []
        for _ in 0..<4 {
            let probe = try await gate.enter()
            #expect(probe.isProbe)
            waits.append(probe.waited)
            #expect(!gate.recordTransientFailure(of: probe))
        }
        // 40, 80, 160, 160 ms (with scheduling slack upwards only).
        let expected: [Duration] = [.milliseconds(40), .milliseconds(80), .milliseconds(160), .milliseconds(160)]
        for (wait, minimum) in zip(waits, expected) { #expect(wait >= minimum - .milliseconds(5), "\(waits)") }
        let last = try await gate.enter()
        gate.recordSuccess(of: last)
        #expect(last.isProbe)
        #expect(gate.pauseReason == nil)
        #expect(!(try await gate.enter()).isProbe)
    }

    @Test func onlyOneProbeAtATime() async throws {
        let gate = KometCallGate(logger: .init(label: "test"), pollInterval: .milliseconds(1))
        gate.close(.systemic, for: .milliseconds(10), after: try await gate.enter(), detail: "auth")
        let probe = try await gate.enter()
        #expect(probe.isProbe)
        // A second caller keeps waiting while the probe is out.
        let second = Task { try await gate.enter() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(gate.pauseReason == .systemic)
        gate.recordSuccess(of: probe)
        let pass = try await second.value
        #expect(!pass.isProbe)
    }

    /// The worker re-reads its token file in this hook: once per probe, never for an ordinary call.
    @Test func theProbeHookRunsBeforeEachProbeOnly() async throws {
        let probes = Mutex(0)
        let gate = KometCallGate(
            logger: .init(label: "test"), pollInterval: .milliseconds(1),
            prepareProbe: { probes.withLock { $0 += 1 } })
        let first = try await gate.enter()
        gate.recordSuccess(of: first)
        _ = try await gate.enter()
        #expect(probes.withLock { $0 } == 0, "an open gate's calls ran the probe hook")
        gate.close(.systemic, for: .milliseconds(5), after: try await gate.enter(), detail: "auth")
        let probe = try await gate.enter()
        #expect(probe.isProbe)
        #expect(probes.withLock { $0 } == 1)
        gate.close(.systemic, for: .milliseconds(5), after: probe, detail: "auth")
        let again = try await gate.enter()
        #expect(again.isProbe && probes.withLock { $0 } == 2)
        gate.recordSuccess(of: again)
        #expect(!(try await gate.enter()).isProbe)
        #expect(probes.withLock { $0 } == 2)
    }

    @Test func aTransientProbeFailureKeepsASystemicPause() async throws {
        let gate = KometCallGate(logger: .init(label: "test"), pollInterval: .milliseconds(1))
        gate.close(.systemic, for: .milliseconds(5), after: try await gate.enter(), detail: "auth")
        let probe = try await gate.enter()
        #expect(!gate.recordTransientFailure(of: probe))
        #expect(gate.pauseReason == .systemic)
        #expect(await Self.changes(of: gate) == [.systemic])
    }

    @Test func aCallInFlightWhenTheGateClosedCannotReopenOrReasonAboutIt() async throws {
        let gate = KometCallGate(logger: .init(label: "test"), pollInterval: .milliseconds(1))
        let early = try await gate.enter()
        let other = try await gate.enter()
        gate.close(.quota, for: .seconds(60), after: try await gate.enter(), detail: "quota")
        gate.recordSuccess(of: early)  // answered before the quota ran out: old news
        #expect(gate.pauseReason == .quota)
        gate.close(.throttled, for: .milliseconds(1), after: other, detail: "http_429")  // old news too
        #expect(gate.pauseReason == .quota)
        #expect(await Self.changes(of: gate) == [.quota])
    }

    /// Every pause reason change the gate has reported so far (this ends its stream of changes).
    private static func changes(of gate: KometCallGate) async -> [PauseReason?] {
        gate.finishChanges()
        var changes: [PauseReason?] = []
        for await change in gate.changes { changes.append(change) }
        return changes
    }
}
