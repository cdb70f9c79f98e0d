import ContactSync
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// `/health` (liveness: the poll loop and the pipeline make progress), `/ready` (readiness, with its reason) and
/// `/metrics` (the Prometheus text exposition of ``SyncMetrics``). A failing probe answers 503 with its reason.
struct HealthServer: Service {
    var host: String
    var port: Int
    var health: HealthState
    /// The registry `/metrics` renders: the one ``SyncMetrics`` of `health` records into.
    var metrics: PrometheusMetricsBackend
    var logger: Logger

    func run() async throws {
        let router = Router()
        let health = self.health
        let metrics = self.metrics
        router.get("health") { _, _ -> Response in
            let (alive, reason) = health.liveness
            return Self.probe(alive, reason)
        }
        router.get("ready") { _, _ -> Response in
            let (ready, reason) = health.readiness
            return Self.probe(ready, reason)
        }
        router.get("metrics") { _, _ -> Response in
            health.refreshMetrics()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        let listening = ListeningFlag()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "komet-contact-sync"),
            onServerRunning: { channel in
                listening.value.store(true, ordering: .releasing)
                logger.info(
                    "HTTP server listening",
                    metadata: [CommandLogKey.httpAddress: "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger
        )
        do {
            try await app.run()
        } catch {
            // Failing before it listened means the address could not be bound (port taken, host not this machine's).
            guard !listening.value.load(ordering: .acquiring) else { throw error }
            throw BindError(host: host, port: port, underlying: "\(error)")
        }
    }

    /// Set once the server listens, from Hummingbird's `onServerRunning`.
    private final class ListeningFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// The server could not listen on `http.host`:`http.port`.
    struct BindError: Error, CustomStringConvertible {
        var host: String
        var port: Int
        var underlying: String

        var setting: String { "http.port" }
        var message: String { "cannot listen on \(host):\(port) (http.host, http.port): \(underlying)" }
        var description: String { message }
    }

    private static func probe(_ passed: Bool, _ reason: String) -> Response {
        Response(
            status: passed ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: reason + "\n")))
    }
}
