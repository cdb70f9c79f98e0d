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
    public var retention: Duration
    public var pruneInterval: Duration

    public var pipeline: PipelineConfiguration
    public var retry: RetryPolicy

    /// The port of the HTTP server for `/health`, `/ready` and `/metrics`; 0 picks a free port, -1 turns it off.
    public var httpPort: Int
    public var httpHost: String
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// When true, names, emails and phone numbers are written to logs as they are. Default false (redacted).
    public var logPersonalData: Bool

    public enum DedupeBackend: String, Sendable, CaseIterable { case sqlite, memory }
    public enum LogFormat: String, Sendable, CaseIterable { case text, json }

    /// One documented setting.
    public struct Setting: Sendable {
        public var key: String
        public var defaultValue: String
        public var summary: String
    }

    /// Every setting the worker reads, with its default. `kafka.*` settings are passed to librdkafka as well.
    public static let settings: [Setting] = [
        Setting(key: "kafka.bootstrap.servers", defaultValue: "127.0.0.1:9092", summary: "Kafka brokers (librdkafka)."),
        Setting(key: "kafka.group.id", defaultValue: "komet-contact-sync", summary: "Consumer group of all replicas."),
        Setting(key: "topics.input", defaultValue: "contacts.created", summary: "Input topics, comma-separated."),
        Setting(
            key: "topics.success", defaultValue: "contacts.komet.succeeded", summary: "Topic for success outcomes."),
        Setting(key: "topics.deadLetter", defaultValue: "contacts.komet.dlq", summary: "Dead-letter topic."),
        Setting(key: "komet.baseURL", defaultValue: "https://api.kometsales.com/api", summary: "Komet API root."),
        Setting(key: "komet.tokenVariable", defaultValue: "KOMET_TOKEN", summary: "Env variable with the token."),
        Setting(key: "komet.tokenFile", defaultValue: "", summary: "File with the token, if the variable is unset."),
        Setting(key: "komet.requestTimeout", defaultValue: "15s", summary: "Deadline of one Komet call."),
        Setting(key: "komet.connectTimeout", defaultValue: "5s", summary: "TCP/TLS connect timeout."),
        Setting(
            key: "komet.throttledPatterns", defaultValue: "quota,limit exceeded,too many requests,rate limit",
            summary: "Status-0 messages that mean throttled."),
        Setting(
            key: "komet.systemicPatterns",
            defaultValue: "token,not authorized,unauthorized,permission,access denied,forbidden",
            summary: "Status-0 messages that mean a systemic failure."),
        Setting(key: "mapping.defaultContactType", defaultValue: "Buyer", summary: "Komet contact type."),
        Setting(
            key: "mapping.registeredContactTypes", defaultValue: "None,Buyer,A/P",
            summary: "Types registered in Komet."),
        Setting(
            key: "mapping.contactTypeByTitle", defaultValue: "",
            summary: "Title=Type pairs, comma-separated (e.g. `Accounts Payable=A/P`)."),
        Setting(
            key: "mapping.customerIdMap", defaultValue: "",
            summary: "source=komet customer id pairs; when set, unlisted ids are bad events."),
        Setting(key: "mapping.sendEmailPOD", defaultValue: "false", summary: "Send `IsPrimary` as `emailPOD`."),
        Setting(
            key: "dedupe.keyOrder", defaultValue: "messageKey,cloudEventID,requestHash",
            summary: "Where the dedupe key comes from, first match wins."),
        Setting(key: "dedupe.backend", defaultValue: "sqlite", summary: "`sqlite` or `memory`."),
        Setting(key: "dedupe.sqlitePath", defaultValue: "komet-contact-sync.sqlite", summary: "SQLite file."),
        Setting(key: "dedupe.retention", defaultValue: "30d", summary: "How long keys are remembered."),
        Setting(key: "dedupe.pruneInterval", defaultValue: "1h", summary: "How often old keys are pruned."),
        Setting(key: "pipeline.maxInFlight", defaultValue: "32", summary: "Events processed at once (distinct keys)."),
        Setting(
            key: "pipeline.maxBuffered", defaultValue: "2000",
            summary: "Buffered events before partitions are paused."),
        Setting(key: "pipeline.maxPayloadBytes", defaultValue: "1048576", summary: "Larger events are refused unread."),
        Setting(
            key: "pipeline.drainTimeout", defaultValue: "30s",
            summary: "Wait for in-flight events on revoke/stop; shorter than `kafka.max.poll.interval.ms`."),
        Setting(
            key: "pipeline.ambiguousPolicy", defaultValue: "reconcile",
            summary: "`reconcile`, `deadLetter` or `retry` for unknown outcomes."),
        Setting(key: "retry.maxAttempts", defaultValue: "5", summary: "Calls per event for transient failures."),
        Setting(key: "retry.baseDelay", defaultValue: "500ms", summary: "First backoff (full jitter)."),
        Setting(key: "retry.maxDelay", defaultValue: "30s", summary: "Backoff cap."),
        Setting(key: "retry.maxElapsed", defaultValue: "5m", summary: "Give up on an event after this long."),
        Setting(key: "retry.throttleDelay", defaultValue: "60s", summary: "Pause when throttled without Retry-After."),
        Setting(key: "retry.systemicProbeInterval", defaultValue: "30s", summary: "Probe interval after 401/403."),
        Setting(
            key: "retry.quotaProbeInterval", defaultValue: "10m",
            summary: "Probe interval once the daily quota is spent."),
        Setting(
            key: "retry.outageThreshold", defaultValue: "5",
            summary: "Transient failures in a row that pause calls as an outage (probes back off base..max delay)."),
        Setting(key: "http.host", defaultValue: "0.0.0.0", summary: "Bind address of /health, /ready, /metrics."),
        Setting(key: "http.port", defaultValue: "8080", summary: "Port; 0 = any free port, -1 = off."),
        Setting(key: "log.level", defaultValue: "info", summary: "trace, debug, info, notice, warning, error."),
        Setting(key: "log.format", defaultValue: "text", summary: "`text` or `json`."),
        Setting(key: "log.personalData", defaultValue: "false", summary: "Log names, emails, phones unredacted."),
    ]

    /// Reads and validates every setting. Errors name the setting and its environment variable.
    public init(source: ConfigurationSource) throws(ConfigurationError) {
        let reader = SettingReader(source: source)
        let unknown = source.unknownFileKeys(
            known: Set(Self.settings.map(\.key)), passThroughPrefixes: ["kafka."])
        if let first = unknown.first {
            throw ConfigurationError(setting: first, message: "unknown setting")
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
        retention = try reader.duration("dedupe.retention", minimum: .seconds(60))
        pruneInterval = try reader.duration("dedupe.pruneInterval", minimum: .seconds(1))

        pipeline = PipelineConfiguration(
            maxInFlight: try reader.int("pipeline.maxInFlight", range: 1...10_000),
            maxBuffered: try reader.int("pipeline.maxBuffered", range: 1...1_000_000),
            drainTimeout: try reader.duration("pipeline.drainTimeout", minimum: .zero),
            ambiguousPolicy: try reader.choice("pipeline.ambiguousPolicy")
        )
        // The revoke waits on librdkafka's poll thread: waiting past max.poll.interval.ms makes the group drop this
        // worker in the middle of it, and the partitions bounce between rebalances.
        let maxPollInterval = Int(kafka["max.poll.interval.ms"] ?? "") ?? 300_000
        if pipeline.drainTimeout >= .milliseconds(maxPollInterval) {
            throw ConfigurationError(
                setting: "pipeline.drainTimeout",
                message: "must be shorter than kafka.max.poll.interval.ms (\(maxPollInterval) ms)")
        }
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

/// Reads typed values of documented settings, falling back to their defaults.
struct SettingReader {
    var source: ConfigurationSource

    func string(_ key: String) throws(ConfigurationError) -> String {
        if let value = source.value(key) { return value.trimmingCharacters(in: .whitespaces) }
        guard let setting = SyncConfiguration.settings.first(where: { $0.key == key }) else {
            throw ConfigurationError(setting: key, message: "undocumented setting (a bug)")
        }
        return setting.defaultValue
    }

    func nonEmpty(_ key: String) throws(ConfigurationError) -> String {
        let value = try string(key)
        guard !value.isEmpty else { throw ConfigurationError(setting: key, message: "must not be empty") }
        return value
    }

    func list(_ key: String) throws(ConfigurationError) -> [String] {
        try string(key).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func int(_ key: String, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try string(key)
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                setting: key, message: "'\(text)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool {
        switch try string(key).lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        case let other: throw ConfigurationError(setting: key, message: "'\(other)' is not true or false")
        }
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String) throws(ConfigurationError) -> Choice
    where Choice.RawValue == String {
        let text = try string(key)
        guard let value = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(setting: key, message: "'\(text)' is not one of \(allowed)")
        }
        return value
    }

    func duration(_ key: String, minimum: Duration) throws(ConfigurationError) -> Duration {
        let text = try string(key)
        guard let value = Self.parseDuration(text), value >= minimum else {
            throw ConfigurationError(
                setting: key,
                message: "'\(text)' is not a duration of at least \(minimum) (e.g. 500ms, 15s, 5m, 1h, 30d)")
        }
        return value
    }

    func pairs<Value>(_ key: String, _ convert: (String) -> Value?) throws(ConfigurationError) -> [String: Value] {
        var result: [String: Value] = [:]
        for item in try list(key) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let value = convert(parts[1]) else {
                throw ConfigurationError(setting: key, message: "'\(item)' is not a name=value pair")
            }
            result[parts[0]] = value
        }
        return result
    }

    /// `250ms`, `15s`, `5m`, `1h`, `30d`; a bare number is seconds.
    static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            return .milliseconds(Int64((value * seconds * 1_000).rounded()))
        }
        guard let value = Double(text), value >= 0, value.isFinite else { return nil }
        return .milliseconds(Int64((value * 1_000).rounded()))
    }
}
