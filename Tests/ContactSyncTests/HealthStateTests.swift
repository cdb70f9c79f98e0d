import Kafka
import Synchronization
import Testing

@testable import ContactSync

@Suite("Health: liveness and readiness")
struct HealthStateTests {
    /// What the fake consumer and pipeline report.
    private final class Probe: Sendable {
        let load = Mutex(PipelineLoad.idle)
        let sinceLastPoll = Mutex<Duration?>(.zero)

        var sources: HealthState.Sources {
            .init(load: { self.load.withLock { $0 } }, sinceLastPoll: { self.sinceLastPoll.withLock { $0 } })
        }
    }

    private static let partition = TopicPartition(topic: "contacts.created", partition: 0)

    @Test func readinessNamesEachReasonInOrder() {
        let health = HealthState()
        #expect(health.readiness == (false, "no partitions assigned"))
        health.setAssignment([Self.partition])
        #expect(health.readiness == (true, "ready"))
        health.setKometPause(.throttled)
        #expect(health.readiness.ready, "a throttle is every replica's: it does not make one unready")
        health.setKometPause(.systemic)
        #expect(health.readiness == (false, "paused: Komet refuses our calls (token or permission)"))
        health.setBrokerProblem("Local: Broker transport failure")
        #expect(health.readiness == (false, "broker unreachable: Local: Broker transport failure"))
        health.setStoreLost(StoreLostError(path: "/data/dedupe.sqlite", reason: "the file no longer exists"))
        #expect(health.readiness == (false, "store lost: /data/dedupe.sqlite (the file no longer exists)"))
    }

    @Test func brokerUnreachableIsNotNoAssignment() {
        let health = HealthState()
        health.setBrokerProblem("Local: Timed out")
        #expect(health.readiness.reason == "broker unreachable: Local: Timed out")
        health.setBrokerProblem(nil)
        #expect(health.readiness.reason == "no partitions assigned")
    }

    @Test func aWedgedPollLoopFailsLiveness() {
        let health = HealthState(stallTimeout: .seconds(60))
        #expect(health.liveness.alive, "nothing to watch before consuming starts")
        let probe = Probe()
        health.attach(probe.sources)
        #expect(health.liveness == (true, "ok"))
        probe.sinceLastPoll.withLock { $0 = .seconds(61) }
        #expect(health.liveness == (false, "Kafka poll loop stalled: it has not polled for 61s"))
        probe.sinceLastPoll.withLock { $0 = nil }
        #expect(health.liveness.alive, "a poll loop that ended (shutdown) is not a stall")
        health.detach()
        probe.sinceLastPoll.withLock { $0 = .seconds(600) }
        #expect(health.liveness.alive)
    }

    @Test func aPipelineWithWorkAndNoProgressFailsLivenessUnlessAPauseExplainsIt() async throws {
        let health = HealthState(stallTimeout: .milliseconds(200))
        let probe = Probe()
        health.attach(probe.sources)
        try await Task.sleep(for: .milliseconds(300))
        #expect(health.liveness.alive, "an idle pipeline is not stalled")
        probe.load.withLock { $0 = PipelineLoad(waiting: 3, running: 2, pausedPartitions: 0) }
        #expect(health.liveness.reason.hasPrefix("pipeline stalled: 5 events pending and none finished for "))
        health.noteProgress()
        #expect(health.liveness.alive, "an event finished")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!health.liveness.alive)
        health.setKometPause(.quota)
        try await Task.sleep(for: .milliseconds(300))
        #expect(health.liveness.alive, "a spent quota explains the wait")
        health.setKometPause(nil)
        #expect(health.liveness.alive, "the pause's end restarts the clock")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!health.liveness.alive)
        health.setBrokerProblem("Local: All broker connections are down")
        #expect(health.liveness.alive, "an unreachable broker is a readiness matter: a restart would not cure it")
    }

    @Test func scrapeTimeGaugesFollowThePipelineAndReadiness() {
        let backend = PrometheusMetricsBackend()
        let health = HealthState(metrics: SyncMetrics(factory: backend))
        let probe = Probe()
        health.attach(probe.sources)
        probe.load.withLock { $0 = PipelineLoad(waiting: 4, running: 7, pausedPartitions: 2) }
        health.setAssignment([Self.partition])
        health.recordOutcome("created")
        health.refreshMetrics()
        let text = String(decoding: backend.exposition(), as: UTF8.self)
        let expected: [(String, String, Double)] = [
            ("komet_sync_events_buffered", "", 4), ("komet_sync_events_in_flight", "", 7),
            ("komet_sync_paused_partitions", "", 2), ("komet_sync_assigned_partitions", "", 1),
            ("komet_sync_ready", "", 1), ("komet_sync_outcomes_total", #"{kind="success",outcome="created"}"#, 1),
        ]
        for (name, labels, value) in expected {
            let found = SyncMetricsTests.samples(name, in: text).first { $0.labels == labels }?.value
            #expect(found == value, "\(name)\(labels) is \(found.map { "\($0)" } ?? "missing"), not \(value)")
        }
        #expect(health.outcomes == ["created": 1])
    }
}
