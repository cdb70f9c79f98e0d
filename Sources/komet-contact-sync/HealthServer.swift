import ContactSync
import Hummingbird
import Logging
import ServiceLifecycle

/// `/health` (the process is up), `/ready` (partitions assigned and Komet accepts the token) and `/metrics`
/// (Prometheus text format).
struct HealthServer: Service {
    var host: String
    var port: Int
    var health: HealthState
    var logger: Logger

    func run() async throws {
        let router = Router()
        let health = self.health
        router.get("health") { _, _ in "ok\n" }
        router.get("ready") { _, _ -> Response in
            let (ready, reason) = health.readiness
            return Response(
                status: ready ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: reason + "\n")))
        }
        router.get("metrics") { _, _ in Self.metrics(health) }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "komet-contact-sync"),
            onServerRunning: { channel in
                logger.info(
                    "HTTP server listening",
                    metadata: [CommandLogKey.httpAddress: "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger
        )
        try await app.run()
    }

    static func metrics(_ health: HealthState) -> String {
        var lines = [
            "# HELP komet_sync_outcomes_total Outcome records published, by status or dead-letter reason.",
            "# TYPE komet_sync_outcomes_total counter",
        ]
        for (label, count) in health.outcomes.sorted(by: { $0.key < $1.key }) {
            lines.append("komet_sync_outcomes_total{outcome=\"\(label)\"} \(count)")
        }
        lines += [
            "# HELP komet_sync_komet_calls_total Komet API calls made (quota spent by this process).",
            "# TYPE komet_sync_komet_calls_total counter",
            "komet_sync_komet_calls_total \(health.kometCalls)",
            "# HELP komet_sync_store_round_trips_total Round trips to the store's database (transactions on SQLite, "
                + "statements on PostgreSQL).",
            "# TYPE komet_sync_store_round_trips_total counter",
            "komet_sync_store_round_trips_total \(health.storeRoundTrips)",
            "# HELP komet_sync_assigned_partitions Partitions assigned to this replica.",
            "# TYPE komet_sync_assigned_partitions gauge",
            "komet_sync_assigned_partitions \(health.assignment.count)",
            "# HELP komet_sync_komet_paused Whether Komet calls are paused, by reason (1 = paused).",
            "# TYPE komet_sync_komet_paused gauge",
        ]
        let pause = health.kometPause
        for reason in PauseReason.allCases {
            lines.append("komet_sync_komet_paused{reason=\"\(reason.rawValue)\"} \(pause == reason ? 1 : 0)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
