import DurationConversions
import Foundation
import Kafka
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// What `run` verifies before it starts anything, and `run --check` reports: every failure names its setting (exit 78).
/// With `--connect`, `run --check` also asks whether Kafka and Komet answer (``connect(configuration:logger:)``).
public enum StartupCheck {
    /// Builds the librdkafka clients exactly as `run` does and lets them go: an unknown property, a bad value or
    /// settings librdkafka refuses together fail here, naming the `kafka.*` setting. Nothing is subscribed or sent;
    /// the clients' own log lines (a broker not reached in the millisecond they live) are not worth showing.
    public static func kafkaClients(configuration: SyncConfiguration) throws(ConfigurationError) {
        let silent = Logger(label: "startup-check") { _ in SwiftLogNoOpLogHandler() }
        _ = try WorkerKafkaClients(configuration: configuration, logger: silent)
    }

    /// The SQLite store's file can be created: its directory exists and this user may write there. Opening the file
    /// would create it, which a check must not do.
    public static func sqliteDirectory(configuration: SyncConfiguration) throws(ConfigurationError) {
        guard configuration.dedupeBackend == .sqlite else { return }
        let path = configuration.sqlitePath
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw ConfigurationError(
                setting: "dedupe.sqlitePath", message: "the directory of \(path) does not exist: create \(directory)")
        }
        guard isDirectory.boolValue else {
            throw ConfigurationError(setting: "dedupe.sqlitePath", message: "\(directory) is not a directory")
        }
        let target = FileManager.default.fileExists(atPath: path) ? path : directory
        guard FileManager.default.isWritableFile(atPath: target) else {
            throw ConfigurationError(setting: "dedupe.sqlitePath", message: "\(target) is not writable by this user")
        }
    }

    /// `http.host`:`http.port` can be listened on: bound and released at once, before anything starts, so that a taken
    /// port fails at start with its setting instead of stopping a worker that has begun to consume. Port 0 (any free
    /// port) and -1 (no server) are not checked.
    public static func httpAddress(host: String, port: Int) async throws(ConfigurationError) {
        guard port > 0 else { return }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch {
            throw ConfigurationError(
                setting: "http.port", message: "cannot listen on \(host):\(port) (http.host, http.port): \(error)")
        }
    }

    /// One answer of `run --check --connect`.
    public struct Connection: Sendable, Equatable, CustomStringConvertible {
        /// The setting that says where: `kafka.bootstrap.servers`, `topics.*`, `komet.baseURL`.
        public var setting: String
        public var succeeded: Bool
        public var detail: String

        public var description: String {
            "\(succeeded ? "ok" : "FAILED") \(setting): \(detail)"
        }
    }

    /// Asks Kafka for the metadata of every configured topic (each within `timeout`), and opens a connection to Komet's host (with a TLS
    /// handshake for `https`), without a call: no request is sent, so no quota is spent.
    public static func connect(
        configuration: SyncConfiguration, logger: Logger, timeout: Duration = .seconds(10)
    ) async -> [Connection] {
        var results = await kafkaMetadata(configuration: configuration, logger: logger, timeout: timeout)
        // Komet's host gets the worker's own connect timeout, for the TCP connection and the TLS handshake each.
        results.append(
            await kometHost(baseURL: configuration.komet.baseURL, timeout: configuration.komet.connectTimeout))
        return results
    }

    static func kafkaMetadata(
        configuration: SyncConfiguration, logger: Logger, timeout: Duration
    ) async -> [Connection] {
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(
                configuration: KafkaRoleSettings.consumer(configuration.kafka), topics: configuration.inputTopics,
                logger: logger)
        } catch {
            let error = WorkerKafkaClients.configurationError(error)
            return [Connection(setting: error.setting, succeeded: false, detail: error.message)]
        }
        let servers = configuration.kafka["bootstrap.servers"] ?? ""
        // Patterns (`^contacts\..*`) name no single topic to ask about.
        let named =
            configuration.inputTopics.filter { !$0.hasPrefix("^") }.map { ("topics.input", $0) }
            + [("topics.success", configuration.successTopic), ("topics.deadLetter", configuration.deadLetterTopic)]
        var results: [Connection] = []
        for (setting, topic) in named {
            do {
                let partitions = try await consumer.partitionCount(of: topic, timeout: timeout)
                results.append(
                    Connection(setting: setting, succeeded: true, detail: "\(topic) has \(partitions) partitions"))
            } catch let error as KafkaError where error.isBrokerUnreachable {
                return [
                    Connection(
                        setting: "kafka.bootstrap.servers", succeeded: false,
                        detail: "no broker of \(servers) answered a metadata request within \(timeout) (\(error.name))")
                ]
            } catch {
                results.append(Connection(setting: setting, succeeded: false, detail: "\(topic): \(error)"))
            }
        }
        results.insert(
            Connection(setting: "kafka.bootstrap.servers", succeeded: true, detail: "\(servers) answered metadata"),
            at: 0)
        return results
    }

    /// A TCP connection to the host of `baseURL`, with a TLS handshake (certificate and host name verified) for
    /// `https`. Closed at once: nothing is sent over it.
    static func kometHost(baseURL: String, timeout: Duration) async -> Connection {
        guard let url = URL(string: baseURL), let host = url.host, let scheme = url.scheme?.lowercased() else {
            return Connection(setting: "komet.baseURL", succeeded: false, detail: "\(baseURL) has no host")
        }
        let tls = scheme == "https"
        let port = url.port ?? (tls ? 443 : 80)
        // Completed on every path (a promise left pending is a bug NIO traps on in debug builds).
        let handshake = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
        do {
            let sslContext = tls ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
            // SNI and the host-name check take a name: for an IP address only the certificate chain is verified.
            let serverHostname = Self.isIPAddress(host) ? nil : host
            let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(timeout.wholeMilliseconds)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                        }
                        try channel.pipeline.syncOperations.addHandler(HandshakeWaiter(promise: handshake))
                    }
                }
            let channel = try await bootstrap.connect(host: host, port: port).get()
            if !tls { handshake.succeed() }
            let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout.wholeMilliseconds))) {
                handshake.fail(HandshakeTimeout(timeout: timeout))
            }
            defer { deadline.cancel() }
            do {
                try await handshake.futureResult.get()
            } catch {
                try? await channel.close()
                throw error
            }
            try? await channel.close()
            return Connection(
                setting: "komet.baseURL", succeeded: true,
                detail: tls
                    ? "\(host):\(port) accepted a TLS connection (certificate verified); no call made"
                    : "\(host):\(port) accepted a TCP connection (plain http, no TLS); no call made")
        } catch {
            handshake.fail(error)
            return Connection(
                setting: "komet.baseURL", succeeded: false,
                detail: "\(host):\(port): no \(tls ? "TLS" : "TCP") connection: \(error)")
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// The TLS handshake did not finish in time.
    struct HandshakeTimeout: Error, CustomStringConvertible {
        var timeout: Duration
        var description: String { "no TLS handshake within \(timeout)" }
    }

    /// Completes `promise` when the TLS handshake does, fails it with the first error or an early close.
    private final class HandshakeWaiter: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let promise: EventLoopPromise<Void>

        init(promise: EventLoopPromise<Void>) { self.promise = promise }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event { promise.succeed() }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(ChannelError.eof)
            context.fireChannelInactive()
        }
    }
}
