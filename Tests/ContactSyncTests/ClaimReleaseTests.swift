import Foundation
import KometClient
import Testing

@testable import ContactSync

/// A claim whose every call proved that nothing was created is released when its event is given up, so the next
/// consumer of the record spends no look-up on it; a claim whose call may have created the contact stays.
@Suite struct ClaimReleaseTests {
    typealias H = PipelineHarness

    /// Retries that keep an event busy far longer than the test runs it.
    static let patientRetry = RetryPolicy(
        maxAttempts: 10_000, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxElapsed: .seconds(600),
        throttleDelay: .milliseconds(20), systemicProbeInterval: .milliseconds(20),
        quotaProbeInterval: .milliseconds(20), outageThreshold: 10_000)

    @Test func aCancelledEventWhoseCallsAllFailedReleasesItsClaim() async throws {
        let komet = FakeKomet { _, _ in
            .failure(
                KometError(failureClass: .transient, code: .http(status: 503), httpStatus: 503, message: "unavailable"))
        }
        let harness = H(komet: komet, drainTimeout: .milliseconds(50), retry: Self.patientRetry)
        try await harness.run(
            [H.message(offset: 0, key: "a", value: H.event(name: "Ada"))], expecting: 1, timeout: .zero
        ) {
            try await Self.waitUntil { komet.addCalls >= 3 }  // retried, then given up
        }
        #expect(harness.sink.records.isEmpty)  // given up, not dead-lettered
        #expect(komet.addCalls >= 3)
        #expect(try await harness.store.entry(key: "a") == nil)
    }

    @Test func aCancelledEventWhoseCallMayHaveCreatedTheContactKeepsItsClaim() async throws {
        // The add's answer is lost (the contact may exist), and every look-up fails: the event keeps reconciling.
        let komet = FakeKomet(
            script: { _, _ in
                .failure(KometError(failureClass: .ambiguous, code: .timeoutAfterSend, message: "timed out"))
            },
            listRefusal: { _ in
                KometError(failureClass: .transient, code: .http(status: 503), httpStatus: 503, message: "unavailable")
            })
        let harness = H(komet: komet, drainTimeout: .milliseconds(50), retry: Self.patientRetry)
        try await harness.run(
            [H.message(offset: 0, key: "a", value: H.event(name: "Ada"))], expecting: 1, timeout: .zero
        ) {
            try await Self.waitUntil { komet.listCalls >= 2 }  // reconciling, then given up
        }
        #expect(harness.sink.records.isEmpty)
        #expect(komet.listCalls >= 2)
        guard case .pending(let lease, _)? = try await harness.store.entry(key: "a")?.state else {
            Issue.record("the claim of a call that may have created the contact is gone")
            return
        }
        #expect(lease.owner == "test-owner")
    }

    @Test func aCreatedContactWhoseRecordingIsInterruptedKeepsItsClaim() async throws {
        // Komet created the contact, then recording `done` is cut short (as a store call in a cancelled task is):
        // the claim must stay, or the next consumer of the record would call again.
        let komet = FakeKomet()
        let store = FailingStore(failingKey: "none", markDoneError: CancellationError())
        let harness = H(komet: komet, store: store, drainTimeout: .milliseconds(50), retry: Self.patientRetry)
        try await harness.run(
            [H.message(offset: 0, key: "a", value: H.event(name: "Ada"))], expecting: 1, timeout: .zero
        ) {
            try await Self.waitUntil { komet.addCalls >= 1 }
        }
        #expect(komet.created.count == 1)
        guard case .pending? = try await store.entry(key: "a")?.state else {
            Issue.record("the claim of a created contact is gone")
            return
        }
    }

    /// Polls `condition` every 5 ms for up to 20 s.
    private static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 20 s")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
