import Foundation
import Kafka
import KometClient
import Testing

@testable import ContactSync

@Suite("Metrics")
struct SyncMetricsTests {
    /// A fresh registry and the worker's metrics on it.
    private static func make() -> (PrometheusMetricsBackend, SyncMetrics) {
        let backend = PrometheusMetricsBackend()
        return (backend, SyncMetrics(factory: backend))
    }

    private static func text(_ backend: PrometheusMetricsBackend) -> String {
        String(decoding: backend.exposition(), as: UTF8.self)
    }

    /// The sample lines of `name` (exactly that name, any labels) and their values.
    static func samples(_ name: String, in text: String) -> [(labels: String, value: Double)] {
        text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { return nil }
            let series = parts[0]
            let metric = series.prefix { $0 != "{" }
            guard metric == name else { return nil }
            return (String(series.dropFirst(metric.count)), value)
        }
    }

    @Test func everyMetricHasItsHelpAndTypeFromTheStart() {
        let (backend, metrics) = Self.make()
        // Per-partition series exist once partitions are assigned, the store's timer once the store is known (the
        // worker makes it at start); everything else exists from the start.
        _ = metrics.storeTripTimer(backend: "sqlite")
        metrics.setPartitionOffsets([TopicPartition(topic: "t", partition: 0): (committed: 5, lag: 2)])
        let text = Self.text(backend)
        for name in SyncMetricName.allCases {
            #expect(text.contains("# HELP \(name.rawValue) \(name.help)\n"), "no HELP for \(name.rawValue)")
            #expect(text.contains("# TYPE \(name.rawValue) "), "no TYPE for \(name.rawValue)")
        }
        // A HELP line is the first of its family: promtool refuses a family split in two.
        let helps = text.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }
        #expect(helps.count == Set(helps).count, "a family appears twice")
    }

    @Test func everyKnownOutcomeAndPauseSeriesIsZeroBeforeItsFirstOccurrence() {
        let (backend, _) = Self.make()
        let outcomes = Self.samples(SyncMetricName.outcomes.rawValue, in: Self.text(backend))
        #expect(outcomes.count == SuccessStatus.allCases.count + DeadLetterReason.allCases.count)
        #expect(outcomes.allSatisfy { $0.value == 0 })
        #expect(outcomes.contains { $0.labels == #"{kind="success",outcome="created"}"# })
        #expect(outcomes.contains { $0.labels == #"{kind="dead_letter",outcome="unregistered_contact_type"}"# })
        let pauses = Self.samples(SyncMetricName.kometPaused.rawValue, in: Self.text(backend))
        #expect(pauses.count == PauseReason.allCases.count && pauses.allSatisfy { $0.value == 0 })
        let durations = Self.samples(SyncMetricName.kometCallDuration.rawValue + "_count", in: Self.text(backend))
        #expect(durations.count == KometMethod.allCases.count * (KometFailureClass.allCases.count + 1))
    }

    @Test func callsAreCountedWhenMadeAndTimedByResultWhenAnswered() {
        let (backend, metrics) = Self.make()
        metrics.callStarted(.add)
        metrics.callStarted(.add)
        metrics.callStarted(.list)
        var text = Self.text(backend)
        #expect(
            Self.samples(SyncMetricName.kometCalls.rawValue, in: text).map(\.value).reduce(0, +) == 3,
            "calls are counted before any answer")
        #expect(Self.samples(SyncMetricName.kometCallsInFlight.rawValue, in: text).first?.value == 3)
        metrics.callEnded(.add, failureClass: nil, duration: .milliseconds(30))
        metrics.callEnded(.add, failureClass: .transient, duration: .seconds(2))
        metrics.callEnded(.list, failureClass: nil, duration: .milliseconds(4))
        text = Self.text(backend)
        #expect(Self.samples(SyncMetricName.kometCallsInFlight.rawValue, in: text).first?.value == 0)
        let counts = Dictionary(
            uniqueKeysWithValues: Self.samples(SyncMetricName.kometCallDuration.rawValue + "_count", in: text).map {
                ($0.labels, $0.value)
            })
        #expect(counts[#"{method="customer.contact.add",result="ok"}"#] == 1)
        #expect(counts[#"{method="customer.contact.add",result="transient"}"#] == 1)
        #expect(counts[#"{method="customer.contact.list",result="ok"}"#] == 1)
        let sums = Self.samples(SyncMetricName.kometCallDuration.rawValue + "_sum", in: text)
        #expect(abs(sums.map(\.value).reduce(0, +) - 2.034) < 0.000_1, "durations are in seconds")
        // The 30 ms call is in the 50 ms bucket, not in the 25 ms one.
        let buckets = Self.samples(SyncMetricName.kometCallDuration.rawValue + "_bucket", in: text)
        #expect(buckets.first { $0.labels == #"{method="customer.contact.add",result="ok",le="0.025"}"# }?.value == 0)
        #expect(buckets.first { $0.labels == #"{method="customer.contact.add",result="ok",le="0.05"}"# }?.value == 1)
    }

    @Test func outcomesRetriesAndPausesLandInTheirSeries() {
        let (backend, metrics) = Self.make()
        metrics.recordOutcome("created")
        metrics.recordOutcome("created")
        metrics.recordOutcome("invalid_email")
        metrics.recordRetry(method: .add, failureClass: .throttled)
        metrics.setPause(.systemic)
        let text = Self.text(backend)
        let outcomes = Self.samples(SyncMetricName.outcomes.rawValue, in: text)
        #expect(outcomes.first { $0.labels == #"{kind="success",outcome="created"}"# }?.value == 2)
        #expect(outcomes.first { $0.labels == #"{kind="dead_letter",outcome="invalid_email"}"# }?.value == 1)
        let retries = Self.samples(SyncMetricName.kometRetries.rawValue, in: text)
        #expect(retries.first { $0.labels == #"{method="customer.contact.add",class="throttled"}"# }?.value == 1)
        #expect(retries.map(\.value).reduce(0, +) == 1)
        let pauses = Self.samples(SyncMetricName.kometPaused.rawValue, in: text)
        #expect(pauses.first { $0.labels == #"{reason="systemic"}"# }?.value == 1)
        #expect(pauses.map(\.value).reduce(0, +) == 1)
    }

    @Test func aRevokedPartitionsSeriesGoAway() {
        let (backend, metrics) = Self.make()
        let first = TopicPartition(topic: "contacts.created", partition: 0)
        let second = TopicPartition(topic: "contacts.created", partition: 1)
        metrics.setPartitionOffsets([first: (committed: 10, lag: 3), second: (committed: 7, lag: 0)])
        var lags = Self.samples(SyncMetricName.consumerLag.rawValue, in: Self.text(backend))
        #expect(lags.count == 2)
        #expect(lags.first { $0.labels == #"{topic="contacts.created",partition="0"}"# }?.value == 3)
        metrics.setPartitionOffsets([second: (committed: 9, lag: 1)])
        lags = Self.samples(SyncMetricName.consumerLag.rawValue, in: Self.text(backend))
        #expect(lags.map(\.labels) == [#"{topic="contacts.created",partition="1"}"#])
        let committed = Self.samples(SyncMetricName.committedOffset.rawValue, in: Self.text(backend))
        #expect(committed.map(\.value) == [9])
    }

    @Test func storeTripsAreAddedAsTheStoreCountsThem() {
        let (backend, metrics) = Self.make()
        metrics.reportStoreTrips(total: 5)
        metrics.reportStoreTrips(total: 5)
        metrics.reportStoreTrips(total: 12)
        #expect(Self.samples(SyncMetricName.storeRoundTrips.rawValue, in: Self.text(backend)).first?.value == 12)
    }

    @Test func processSampleParsesProcStat() throws {
        // A command name with a space and a parenthesis, as /proc allows.
        let stat =
            "4242 (komet (sync) x) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 50 0 0 20 0 9 0 1000 "
            + "734003200 3000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"
        let limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max processes             94000                94000                processes
            Max open files            1048576              1048576              files
            """
        let sample = try #require(
            ProcessSample.parse(stat: stat, uptimeSeconds: 500, now: 1_700_000_000, openFDs: 17, limits: limits))
        #expect(sample.cpuSeconds == 3)  // (250 + 50) ticks at 100 per second
        #expect(sample.virtualBytes == 734_003_200)
        #expect(sample.residentBytes == 3000 * Int(sysconf(Int32(_SC_PAGESIZE))))
        #expect(sample.maxFDs == 1_048_576 && sample.openFDs == 17)
        // Started 10 s (1000 ticks) after a boot 500 s ago.
        #expect(sample.startTime == 1_700_000_000 - 500 + 10)
        #expect(ProcessSample.parse(stat: "garbage", uptimeSeconds: 1, now: 1, openFDs: 0, limits: "") == nil)
    }

    @Test func theLiveProcessIsSampled() throws {
        let (backend, metrics) = Self.make()
        metrics.process.update()
        let text = Self.text(backend)
        let resident = try #require(Self.samples(SyncMetricName.processResidentMemory.rawValue, in: text).first)
        #expect(resident.value > 1_000_000, "a test process has more than 1 MB resident")
        let start = try #require(Self.samples(SyncMetricName.processStartTime.rawValue, in: text).first)
        #expect(abs(start.value - Date().timeIntervalSince1970) < 24 * 3600)
    }
}
