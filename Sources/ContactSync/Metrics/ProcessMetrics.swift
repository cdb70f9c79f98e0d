import CoreMetrics
import Foundation
import Synchronization

/// The process metrics every Prometheus client exposes (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
/// ...), read from `/proc/self` when `/metrics` is scraped. swift-metrics has no process collector of its own; on a
/// system without `/proc` the series stay at 0.
final class ProcessMetrics: Sendable {
    private let cpuSeconds: FloatingPointCounter
    private let residentBytes: Gauge
    private let virtualBytes: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let startTime: Gauge
    /// CPU seconds already added to the counter.
    private let reportedCPU = Mutex<Double>(0)

    init(factory: any MetricsFactory) {
        cpuSeconds = FloatingPointCounter(label: SyncMetricName.processCPUSeconds.rawValue, factory: factory)
        residentBytes = Gauge(label: SyncMetricName.processResidentMemory.rawValue, factory: factory)
        virtualBytes = Gauge(label: SyncMetricName.processVirtualMemory.rawValue, factory: factory)
        openFDs = Gauge(label: SyncMetricName.processOpenFDs.rawValue, factory: factory)
        maxFDs = Gauge(label: SyncMetricName.processMaxFDs.rawValue, factory: factory)
        startTime = Gauge(label: SyncMetricName.processStartTime.rawValue, factory: factory)
        if let sample = ProcessSample.read() {
            startTime.record(sample.startTime)
            maxFDs.record(sample.maxFDs)
        }
    }

    /// Reads `/proc/self` and updates the series.
    func update() {
        guard let sample = ProcessSample.read() else { return }
        let delta = reportedCPU.withLock { reported in
            defer { reported = max(reported, sample.cpuSeconds) }
            return sample.cpuSeconds - reported
        }
        if delta > 0 { cpuSeconds.increment(by: delta) }
        residentBytes.record(sample.residentBytes)
        virtualBytes.record(sample.virtualBytes)
        openFDs.record(sample.openFDs)
        maxFDs.record(sample.maxFDs)
    }
}

/// One reading of `/proc/self/stat`, `/proc/self/fd` and `/proc/self/limits`.
struct ProcessSample: Equatable {
    var cpuSeconds: Double
    var residentBytes: Int
    var virtualBytes: Int
    var openFDs: Int
    var maxFDs: Int
    /// Seconds since the Unix epoch.
    var startTime: Double

    /// Clock ticks per second for `/proc`'s times (`sysconf(_SC_CLK_TCK)`, 100 on every Linux there is).
    private static let ticksPerSecond = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
    private static let pageSize = max(1, sysconf(Int32(_SC_PAGESIZE)))

    static func read() -> ProcessSample? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
            let uptimeSeconds = uptime.split(separator: " ").first.flatMap({ Double($0) })
        else { return nil }
        let openFDs = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 1) - 1
        let limits = (try? String(contentsOfFile: "/proc/self/limits", encoding: .utf8)) ?? ""
        return parse(
            stat: stat, uptimeSeconds: uptimeSeconds, now: Date().timeIntervalSince1970, openFDs: max(0, openFDs),
            limits: limits)
    }

    /// Parses `/proc/self/stat` (fields after the command name, which may hold spaces and parentheses) and the
    /// "Max open files" line of `/proc/self/limits`. `now` and `uptimeSeconds` place the start time, which `stat`
    /// gives in ticks since boot.
    static func parse(stat: String, uptimeSeconds: Double, now: Double, openFDs: Int, limits: String)
        -> ProcessSample?
    {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        // Field 3 (state) is the first after the name; utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? {
            let index = number - 3
            return fields.indices.contains(index) ? Double(fields[index]) : nil
        }
        guard let utime = field(14), let stime = field(15), let started = field(22), let vsize = field(23),
            let rss = field(24)
        else { return nil }
        let maxFDs =
            limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }
            .flatMap { line in line.dropFirst("Max open files".count).split(separator: " ").first.flatMap { Int($0) } }
            ?? 0
        return ProcessSample(
            cpuSeconds: (utime + stime) / ticksPerSecond,
            residentBytes: Int(rss) * pageSize,
            virtualBytes: Int(vsize),
            openFDs: openFDs,
            maxFDs: maxFDs,
            startTime: now - uptimeSeconds + started / ticksPerSecond
        )
    }
}
