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

    @Flag(
        name: .long,
        help: """
            Check the configuration, the token, the store's path and the librdkafka clients (built as run builds \
            them), say what was checked, and exit: 0 when all is well, 78 naming the setting otherwise.
            """)
    var check = false

    @Flag(
        name: .long,
        help: """
            With --check: also ask Kafka for the topics' metadata and open a connection to Komet's host (a TLS \
            handshake for https), without making a call. Exits 69 when one does not answer.
            """)
    var connect = false

    @Flag(name: .long, help: "Print the effective settings, where each comes from, with secrets redacted, and exit.")
    var printConfig = false

    @Flag(
        name: .long,
        help: """
            Start even though the store has no record of the consumer group while the group has committed offsets \
            (the store was lost): start over deliberately. Re-sent events then create duplicate contacts; prefer \
            `rebuild-store`.
            """)
    var acceptEmptyStore = false

    func validate() throws {
        if connect && !check {
            throw ValidationError("--connect goes with --check: run --check --connect")
        }
    }

    func run() async throws {
        // Until the service group traps SIGTERM/SIGINT, a stop signal exits 0 at once: nothing has started yet.
        EarlyShutdownSignals.exitQuietlyUntilTrapped()
        Bootstrap.ignoreBrokenPipes()
        let environment = ProcessInfo.processInfo.environment
        let source: ConfigurationSource
        let settings: SyncConfiguration
        let token: KometToken
        let postgresPassword: PostgresPassword?
        do {
            source = try ConfigurationSource(file: config, environment: environment)
            if printConfig {
                // Shown before validation, so that a configuration that does not start can be looked at too.
                Self.printEffectiveSettings(source: source)
                return
            }
            settings = try SyncConfiguration(source: source)
            token = try KometToken.load(
                environment: environment, variable: settings.tokenVariable, file: settings.tokenFile)
            postgresPassword =
                settings.dedupeBackend == .postgres
                ? try PostgresPassword.load(settings: settings.postgres, environment: environment) : nil
            try StartupCheck.sqliteDirectory(configuration: settings)
        } catch {
            // A configuration problem: say which setting, without the usage text, and exit with EX_CONFIG.
            throw Bootstrap.reportConfigurationError(error)
        }
        // One source for the client and the log handler: a rotated token is redacted from log lines too.
        let tokens = KometTokenSource(
            loaded: token, environment: environment, variable: settings.tokenVariable, file: settings.tokenFile)
        let logger = Bootstrap.logger(settings: settings, tokens: tokens)
        do {
            // Before anything starts (the HTTP server included): a librdkafka typo fails here, naming its setting.
            try StartupCheck.kafkaClients(configuration: settings)
            try await StartupCheck.httpAddress(host: settings.httpHost, port: settings.httpPort)
        } catch {
            throw Bootstrap.reportConfigurationError(error)
        }
        if check {
            try await report(settings: settings, source: source, environment: environment, logger: logger)
            return
        }

        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: settings.komet.recommendedHTTPClientConfiguration)
        let stores: SyncStores
        do {
            stores = try Bootstrap.stores(settings: settings, postgresPassword: postgresPassword, logger: logger)
        } catch {
            try await httpClient.shutdown()
            throw Bootstrap.reportConfigurationError(error)
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
        } catch let error as HealthServer.BindError {
            // The port is taken or the address is not this host's: a setting to change, not a crash to retry.
            let problem = ConfigurationError(setting: error.setting, message: error.message)
            logger.error("\(problem)")
            try? await httpClient.shutdown()
            throw Bootstrap.reportConfigurationError(problem)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    /// `--check`: what was checked, one line each; with `--connect`, whether Kafka and Komet answer (exit 69 if not).
    private func report(
        settings: SyncConfiguration, source: ConfigurationSource, environment: [String: String], logger: Logger
    ) async throws {
        let fromFile = source.fileValues.count
        let fromEnvironment = environment.keys.filter { $0.hasPrefix(ConfigurationSource.environmentPrefix) }.count
        print(
            "configuration is valid (\(fromFile) values from the file, \(fromEnvironment) from KOMET_SYNC_* variables)")
        print("kafka: consumer, producer and reader clients built from \(settings.kafka.count) kafka.* settings")
        print(
            "topics: input \(settings.inputTopics.joined(separator: ",")), success \(settings.successTopic), "
                + "dead letters \(settings.deadLetterTopic)")
        let variable = settings.tokenVariable
        let tokenFromVariable = !(environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "").isEmpty
        print(
            "komet: \(settings.komet.baseURL), token read from \(tokenFromVariable ? "$\(variable)" : settings.tokenFile ?? "?")"
        )
        switch settings.dedupeBackend {
        case .sqlite: print("store: sqlite at \(settings.sqlitePath) (its directory is writable)")
        case .postgres:
            let postgres = settings.postgres
            print("store: postgres \(postgres.user)@\(postgres.host):\(postgres.port)/\(postgres.database)")
        case .memory: print("store: memory (nothing survives a restart: for tests only)")
        }
        guard connect else { return }
        let results = await StartupCheck.connect(configuration: settings, logger: logger)
        for result in results { print("connect: \(result)") }
        if results.contains(where: { !$0.succeeded }) {
            StandardError.write(
                "error: --connect: \(results.filter { !$0.succeeded }.map(\.description).joined(separator: "; "))\n")
            throw ExitCode(69)
        }
    }

    /// `--print-config`: `key = value  # origin`, every documented setting then every librdkafka property.
    private static func printEffectiveSettings(source: ConfigurationSource) {
        let lines = SyncConfiguration.effectiveSettings(source: source)
        let width = lines.map(\.key.count).max() ?? 0
        for line in lines {
            let key = line.key.padding(toLength: width, withPad: " ", startingAt: 0)
            print("\(key) = \(line.value)  # \(line.origin)")
        }
    }
}
