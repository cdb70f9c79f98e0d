import ArgumentParser
import AsyncHTTPClient
import ContactSync
import Foundation
import KometClient
import Logging
import ServiceLifecycle

/// `komet-contact-sync run`: the long-running worker.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the worker until SIGTERM or SIGINT.",
        discussion: """
            Settings come from the JSON file given with --config and from KOMET_SYNC_* environment variables \
            (the environment wins). The Komet token comes from $KOMET_TOKEN or the file named by komet.tokenFile.
            """
    )

    @Option(name: .long, help: "A JSON configuration file.")
    var config: String?

    @Flag(name: .long, help: "Validate the configuration and the token, print the effective settings, and exit.")
    var check = false

    @Flag(
        name: .long,
        help: """
            Start even though the store has no record of the consumer group while the group has committed offsets \
            (the store was lost): start over deliberately. Re-sent events then create duplicate contacts; prefer \
            `rebuild-store`.
            """)
    var acceptEmptyStore = false

    func run() async throws {
        // Until the service group traps SIGTERM/SIGINT, a stop signal exits 0 at once: nothing has started yet.
        EarlyShutdownSignals.exitQuietlyUntilTrapped()
        Bootstrap.ignoreBrokenPipes()
        let environment = ProcessInfo.processInfo.environment
        let settings: SyncConfiguration
        let token: KometToken
        let postgresPassword: PostgresPassword?
        do {
            settings = try SyncConfiguration(source: ConfigurationSource(file: config, environment: environment))
            token = try KometToken.load(
                environment: environment, variable: settings.tokenVariable, file: settings.tokenFile)
            postgresPassword =
                settings.dedupeBackend == .postgres
                ? try PostgresPassword.load(settings: settings.postgres, environment: environment) : nil
        } catch {
            // A configuration problem: say which setting, without the usage text, and exit with EX_CONFIG.
            throw Bootstrap.reportConfigurationError(error)
        }
        // One source for the client and the log handler: a rotated token is redacted from log lines too.
        let tokens = KometTokenSource(
            loaded: token, environment: environment, variable: settings.tokenVariable, file: settings.tokenFile)
        let logger = Bootstrap.logger(settings: settings, tokens: tokens)
        if check {
            print("configuration is valid; input topics \(settings.inputTopics), success \(settings.successTopic)")
            return
        }

        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: settings.komet.recommendedHTTPClientConfiguration)
        let stores: SyncStores
        do {
            stores = try Bootstrap.stores(settings: settings, postgresPassword: postgresPassword, logger: logger)
        } catch {
            try await httpClient.shutdown()
            throw error
        }
        // Metrics are recorded only when /metrics is served (http.port -1 turns the server off).
        let backend = settings.httpPort >= 0 ? PrometheusMetricsBackend() : nil
        let worker = SyncService(
            configuration: settings, token: token, tokens: tokens, stores: stores, httpClient: httpClient,
            logger: logger,
            metrics: backend.map { SyncMetrics(factory: $0) } ?? .disabled, acceptEmptyStore: acceptEmptyStore)
        var services: [any Service] = [worker]
        if let backend {
            services.append(
                HealthServer(
                    host: settings.httpHost, port: settings.httpPort, health: worker.health, metrics: backend,
                    logger: logger))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            ))
        do {
            try await group.run()
        } catch let refusal as EmptyStoreError {
            // The store lost its rows: say what to do, and exit with EX_CONFIG like a configuration problem.
            logger.error("\(refusal)")
            StandardError.write("error: \(refusal)\n")
            try? await httpClient.shutdown()
            throw ExitCode(78)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }
}
