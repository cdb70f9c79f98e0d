import Foundation
import KometClient
import Logging

/// Everything the worker needs, validated once at start-up.
///
/// Build it with ``init(source:)`` from a ``ConfigurationSource``; every setting is listed in ``SyncConfiguration/settings``
/// with its default, so the README table and the validation come from one place.
public struct SyncConfiguration: Sendable {
    /// librdkafka settings for the consumer and the producer (`kafka.*`, passed through verbatim).
    public var kafka: [String: String]
    public var inputTopics: [String]
    public var successTopic: String
    public var deadLetterTopic: String

    public var komet: KometClientConfiguration
    /// The environment variable holding the Komet token.
    public var tokenVariable: String
    /// A file holding the Komet token, read when the environment variable is not set.
    public var tokenFile: String?

    public var mapping: MappingConfiguration
    public var dedupeKeyOrder: [DedupeKeySource]
    public var maxPayloadBytes: Int

    public var dedupeBackend: DedupeBackend
    public var sqlitePath: String
    /// Where the PostgreSQL store is (`dedupe.backend=postgres`).
    public var postgres: PostgresSettings
    public var retention: Duration
    public var pruneInterval: Duration

    public var pipeline: PipelineConfiguration
    public var retry: RetryPolicy
    /// Komet's "customer not found", remembered so the same answer costs no more calls.
    public var unknownCustomers: UnknownCustomerSettings
    /// Claim leases and the late-arrival window (fenced claims).
    public var claims: ClaimSettings
    /// The Komet call budget all replicas share, and each replica's call rate.
    public var callBudget: CallBudgetSettings

    /// `/health` fails when the poll loop, or the pipeline with work and nothing to explain the wait, makes no
    /// progress for this long (``HealthState/liveness``).
    public var stallTimeout: Duration

    /// The port of the HTTP server for `/health`, `/ready` and `/metrics`; 0 picks a free port, -1 turns it off.
    public var httpPort: Int
    public var httpHost: String
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// When true, names, emails and phone numbers are written to logs as they are. Default false (redacted).
    public var logPersonalData: Bool

    public enum DedupeBackend: String, Sendable, CaseIterable { case sqlite, postgres, memory }
    public enum LogFormat: String, Sendable, CaseIterable { case text, json }

    /// Reads and validates every setting. Errors name the setting and its environment variable.
    public init(source: ConfigurationSource) throws(ConfigurationError) {
        let reader = SettingReader(source: source)
        let unknown = source.unknownFileKeys(
            known: Set(Self.settings.map(\.key)), passThroughPrefixes: ["kafka."])
        if let first = unknown.first {
            throw ConfigurationError(
                setting: first,
                message: "unknown setting"
                    + Self.didYouMean(ConfigurationSource.suggestion(for: first, among: Self.settings.map(\.key))))
        }
        // The token's and the password's variables may carry the prefix too: they are read, just not as settings.
        let allowed: Set<String> = [
            try reader.string("komet.tokenVariable"), try reader.string("postgres.passwordVariable"),
        ]
        let unknownVariables = source.unknownEnvironmentVariables(
            known: Set(Self.settings.map(\.key)), passThroughPrefixes: ["kafka."], allowed: allowed)
        if let first = unknownVariables.first {
            let names = Self.settings.map { ConfigurationSource.environmentName(for: $0.key) }
            throw ConfigurationError(
                setting: first,
                message: "unknown variable: no setting reads it"
                    + Self.didYouMean(ConfigurationSource.suggestion(for: first, among: names)))
        }

        var kafka = source.values(withPrefix: "kafka.")
        // The two librdkafka settings every deployment needs get their documented defaults.
        kafka["bootstrap.servers"] = try reader.nonEmpty("kafka.bootstrap.servers")
        kafka["group.id"] = try reader.nonEmpty("kafka.group.id")
        self.kafka = kafka

        inputTopics = try reader.list("topics.input")
        guard !inputTopics.isEmpty else { throw ConfigurationError(setting: "topics.input", message: "is empty") }
        successTopic = try reader.nonEmpty("topics.success")
        deadLetterTopic = try reader.nonEmpty("topics.deadLetter")
        if inputTopics.contains(successTopic) || inputTopics.contains(deadLetterTopic) {
            throw ConfigurationError(setting: "topics.input", message: "must not contain an output topic")
        }

        let baseURL = try reader.nonEmpty("komet.baseURL")
        guard baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://") else {
            throw ConfigurationError(setting: "komet.baseURL", message: "must start with https:// or http://")
        }
        komet = KometClientConfiguration(
            baseURL: baseURL,
            requestTimeout: try reader.duration("komet.requestTimeout", minimum: .milliseconds(100)),
            connectTimeout: try reader.duration("komet.connectTimeout", minimum: .milliseconds(100)),
            throttledMessagePatterns: try reader.list("komet.throttledPatterns"),
            systemicMessagePatterns: try reader.list("komet.systemicPatterns")
        )
        tokenVariable = try reader.nonEmpty("komet.tokenVariable")
        let tokenFile = try reader.string("komet.tokenFile")
        self.tokenFile = tokenFile.isEmpty ? nil : tokenFile

        var mapping = MappingConfiguration()
        mapping.defaultContactType = try reader.nonEmpty("mapping.defaultContactType")
        mapping.registeredContactTypes = Set(try reader.list("mapping.registeredContactTypes"))
        guard mapping.registeredContactTypes.contains(mapping.defaultContactType) else {
            throw ConfigurationError(
                setting: "mapping.defaultContactType", message: "is not in mapping.registeredContactTypes")
        }
        mapping.contactTypeByTitle = try reader.pairs("mapping.contactTypeByTitle") { $0 }
        for type in mapping.contactTypeByTitle.values where !mapping.registeredContactTypes.contains(type) {
            throw ConfigurationError(
                setting: "mapping.contactTypeByTitle",
                message: "type '\(type)' is not in mapping.registeredContactTypes")
        }
        let customerMap: [String: Int64] = try reader.pairs("mapping.customerIdMap") { Int64($0) }
        if !customerMap.isEmpty {
            var map: [Int64: Int64] = [:]
            for (source, target) in customerMap {
                guard let id = Int64(source) else {
                    throw ConfigurationError(setting: "mapping.customerIdMap", message: "'\(source)' is not an integer")
                }
                map[id] = target
            }
            mapping.customerIDMap = map
        }
        mapping.sendEmailPOD = try reader.bool("mapping.sendEmailPOD")
        self.mapping = mapping

        dedupeKeyOrder = try reader.list("dedupe.keyOrder").map { name throws(ConfigurationError) in
            guard let source = DedupeKeySource(rawValue: name) else {
                throw ConfigurationError(
                    setting: "dedupe.keyOrder",
                    message:
                        "'\(name)' is not one of \(DedupeKeySource.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return source
        }
        maxPayloadBytes = try reader.int("pipeline.maxPayloadBytes", range: 1...(64 << 20))
        dedupeBackend = try reader.choice("dedupe.backend")
        sqlitePath = try reader.nonEmpty("dedupe.sqlitePath")
        let passwordFile = try reader.string("postgres.passwordFile")
        postgres = PostgresSettings(
            host: try reader.nonEmpty("postgres.host"),
            port: try reader.int("postgres.port", range: 1...65_535),
            database: try reader.nonEmpty("postgres.database"),
            user: try reader.nonEmpty("postgres.user"),
            passwordVariable: try reader.nonEmpty("postgres.passwordVariable"),
            passwordFile: passwordFile.isEmpty ? nil : passwordFile,
            tls: try reader.choice("postgres.tls"),
            poolSize: try reader.int("postgres.poolSize", range: 1...1_000),
            connectTimeout: try reader.duration("postgres.connectTimeout", minimum: .milliseconds(1))
        )
        retention = try reader.duration("dedupe.retention", minimum: .seconds(60))
        pruneInterval = try reader.duration("dedupe.pruneInterval", minimum: .seconds(1))

        pipeline = PipelineConfiguration(
            maxInFlight: try reader.int("pipeline.maxInFlight", range: 1...10_000),
            maxBuffered: try reader.int("pipeline.maxBuffered", range: 1...1_000_000),
            drainTimeout: try reader.duration("pipeline.drainTimeout", minimum: .zero),
            ambiguousPolicy: try reader.choice("pipeline.ambiguousPolicy")
        )
        // Calls in flight are at most the events in flight, and at most the HTTP connections: 0 sizes the connections
        // with maxInFlight, so the setting is never an accident of the HTTP client's own default.
        let maxConnections = try reader.int("komet.maxConnections", range: 0...10_000)
        komet.maxConnections = maxConnections == 0 ? pipeline.maxInFlight : maxConnections
        // The revoke waits on librdkafka's poll thread: waiting past max.poll.interval.ms makes the group drop this
        // worker in the middle of it, and the partitions bounce between rebalances.
        let maxPollInterval = Int(kafka["max.poll.interval.ms"] ?? "") ?? 300_000
        if pipeline.drainTimeout >= .milliseconds(maxPollInterval) {
            throw ConfigurationError(
                setting: "pipeline.drainTimeout",
                message: "must be shorter than kafka.max.poll.interval.ms (\(maxPollInterval) ms)")
        }
        // A call starts only with one request timeout of lease left, so the lease must be longer than that.
        let callDuration = komet.requestTimeout + .seconds(1)
        claims = ClaimSettings(
            lease: try reader.duration("dedupe.claimLease", minimum: .seconds(1)),
            lateArrivalWindow: try reader.duration("komet.lateArrivalWindow", minimum: .zero))
        if claims.lease <= callDuration {
            throw ConfigurationError(
                setting: "dedupe.claimLease",
                message: "must be longer than komet.requestTimeout plus 1s (\(callDuration)): a call starts only with "
                    + "that much of its lease left")
        }
        unknownCustomers = UnknownCustomerSettings(
            memory: try reader.duration("komet.unknownCustomerMemory", minimum: .zero),
            patterns: try reader.list("komet.unknownCustomerPatterns"))
        retry = RetryPolicy(
            maxAttempts: try reader.int("retry.maxAttempts", range: 1...1_000),
            baseDelay: try reader.duration("retry.baseDelay", minimum: .milliseconds(1)),
            maxDelay: try reader.duration("retry.maxDelay", minimum: .milliseconds(1)),
            maxElapsed: try reader.duration("retry.maxElapsed", minimum: .milliseconds(1)),
            throttleDelay: try reader.duration("retry.throttleDelay", minimum: .milliseconds(1)),
            systemicProbeInterval: try reader.duration("retry.systemicProbeInterval", minimum: .milliseconds(1)),
            quotaProbeInterval: try reader.duration("retry.quotaProbeInterval", minimum: .milliseconds(1)),
            outageThreshold: try reader.int("retry.outageThreshold", range: 1...10_000)
        )
        callBudget = try Self.callBudget(reader)
        stallTimeout = try reader.duration("health.stallTimeout", minimum: .seconds(1))
        // Healthy waits the check must not mistake for a stall: a revoke's drain (inside one poll), a claim held by a
        // crashed replica until its lease and the late-arrival window pass, and one call plus its longest backoff.
        let longestWait = max(
            pipeline.drainTimeout, claims.lease + claims.lateArrivalWindow, komet.requestTimeout + retry.maxDelay)
        if stallTimeout <= longestWait {
            throw ConfigurationError(
                setting: "health.stallTimeout",
                message: "must be longer than \(longestWait), the longest healthy wait (pipeline.drainTimeout; "
                    + "dedupe.claimLease plus komet.lateArrivalWindow; komet.requestTimeout plus retry.maxDelay)")
        }
        httpHost = try reader.nonEmpty("http.host")
        httpPort = try reader.int("http.port", range: -1...65_535)
        let level = try reader.nonEmpty("log.level")
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ConfigurationError(setting: "log.level", message: "'\(level)' is not a log level")
        }
        self.logLevel = logLevel
        logFormat = try reader.choice("log.format")
        logPersonalData = try reader.bool("log.personalData")
    }
}

extension SyncConfiguration {
    fileprivate static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { " (did you mean \($0)?)" } ?? ""
    }
}
