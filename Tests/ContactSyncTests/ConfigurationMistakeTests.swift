import Foundation
import Logging
import Testing

@testable import ContactSync

/// The mistakes configuration must catch, each with its exact error (the end-to-end suite checks the binary's exit
/// status and stderr for the same mistakes).
@Suite struct ConfigurationMistakeTests {
    @Test(arguments: ["15000", "15", "0.5"])
    func aDurationNeedsAUnit(value: String) {
        let source = ConfigurationSource(fileValues: ["komet.requestTimeout": value])
        #expect(
            throws: ConfigurationError(
                setting: "komet.requestTimeout",
                message: "'\(value)' has no unit: write a duration with one, e.g. 500ms, 15s, 5m, 1h, 30d")
        ) {
            _ = try SyncConfiguration(source: source)
        }
    }

    @Test func aDurationWithAUnitIsRead() throws {
        let source = ConfigurationSource(environment: ["KOMET_SYNC_KOMET_REQUEST_TIMEOUT": "1500ms"])
        #expect(try SyncConfiguration(source: source).komet.requestTimeout == .milliseconds(1_500))
    }

    @Test func anUnknownVariableIsAnErrorNamingTheClosestSetting() {
        let source = ConfigurationSource(environment: ["KOMET_SYNC_PIPELINE_MAX_INFLIGHT": "4"])
        let error = #expect(throws: ConfigurationError.self) { _ = try SyncConfiguration(source: source) }
        #expect(
            error?.description
                == "configuration: KOMET_SYNC_PIPELINE_MAX_INFLIGHT: unknown variable: no setting reads it (did you "
                + "mean KOMET_SYNC_PIPELINE_MAX_IN_FLIGHT?)")
    }

    @Test func anUnknownVariableFarFromEverySettingGetsNoSuggestion() {
        let source = ConfigurationSource(environment: ["KOMET_SYNC_WHATEVER_THIS_IS": "1"])
        #expect(
            throws: ConfigurationError(
                setting: "KOMET_SYNC_WHATEVER_THIS_IS", message: "unknown variable: no setting reads it")
        ) {
            _ = try SyncConfiguration(source: source)
        }
    }

    /// librdkafka properties pass through (their names are checked by librdkafka when the clients are built), and the
    /// token's and password's variables may carry the prefix.
    @Test func passThroughAndSecretVariablesAreNotUnknown() throws {
        let source = ConfigurationSource(environment: [
            "KOMET_SYNC_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KOMET_SYNC_KOMET_TOKEN_VARIABLE": "KOMET_SYNC_TOKEN", "KOMET_SYNC_TOKEN": "t",
            "KOMET_SYNC_POSTGRES_PASSWORD_VARIABLE": "KOMET_SYNC_PG_PASSWORD", "KOMET_SYNC_PG_PASSWORD": "p",
        ])
        let configuration = try SyncConfiguration(source: source)
        #expect(configuration.kafka["security.protocol"] == "SASL_SSL")
        #expect(configuration.tokenVariable == "KOMET_SYNC_TOKEN")
    }

    @Test func aLibrdkafkaTypoIsAnErrorNamingTheSetting() throws {
        let configuration = try SyncConfiguration(source: ConfigurationSource(fileValues: ["kafka.lingerr.ms": "5"]))
        #expect(
            throws: ConfigurationError(
                setting: "kafka.lingerr.ms", message: "No such configuration property: \"lingerr.ms\"")
        ) {
            try StartupCheck.kafkaClients(configuration: configuration)
        }
    }

    @Test func aBadLibrdkafkaValueIsAnErrorNamingTheSetting() throws {
        let configuration = try SyncConfiguration(source: ConfigurationSource(fileValues: ["kafka.acks": "most"]))
        let error = #expect(throws: ConfigurationError.self) {
            try StartupCheck.kafkaClients(configuration: configuration)
        }
        #expect(error?.setting == "kafka.acks")
    }

    @Test func validLibrdkafkaSettingsBuildTheClients() throws {
        let configuration = try SyncConfiguration(
            source: ConfigurationSource(fileValues: ["kafka.linger.ms": "5", "kafka.bootstrap.servers": "127.0.0.1:1"]))
        try StartupCheck.kafkaClients(configuration: configuration)
    }

    @Test func aMissingSQLiteDirectoryIsNamed() throws {
        let path = "/nonexistent-\(UUID().uuidString.prefix(8))/dedupe.sqlite"
        let configuration = try SyncConfiguration(source: ConfigurationSource(fileValues: ["dedupe.sqlitePath": path]))
        #expect(
            throws: ConfigurationError(
                setting: "dedupe.sqlitePath",
                message:
                    "the directory of \(path) does not exist: create \((path as NSString).deletingLastPathComponent)")
        ) {
            try StartupCheck.sqliteDirectory(configuration: configuration)
        }
    }

    /// An address that is not this host's cannot be listened on (the end-to-end suite checks a taken port).
    @Test func anAddressThatCannotBeListenedOnIsNamed() async throws {
        // Port 0 (any free port) and -1 (off) are never checked.
        try await StartupCheck.httpAddress(host: "127.0.0.1", port: 0)
        try await StartupCheck.httpAddress(host: "127.0.0.1", port: -1)
        let error = await #expect(throws: ConfigurationError.self) {
            try await StartupCheck.httpAddress(host: "203.0.113.1", port: 8_080)
        }
        #expect(error?.setting == "http.port")
        #expect(error?.message.hasPrefix("cannot listen on 203.0.113.1:8080 (http.host, http.port): ") ?? false)
    }

    @Test func effectiveSettingsNameTheirOriginAndRedactSecrets() {
        let source = ConfigurationSource(
            fileValues: [
                "pipeline.maxInFlight": "8", "kafka.sasl.password": "pw-SECRET",
                "kafka.ssl.key.pem": "pem-SECRET", "komet.baseURL": "https://u:url-SECRET@komet.example/api",
            ],
            environment: ["KOMET_SYNC_LOG_LEVEL": "debug", "KOMET_SYNC_KAFKA_SASL_USERNAME": "svc"])
        let lines = Dictionary(
            SyncConfiguration.effectiveSettings(source: source).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(lines["pipeline.maxInFlight"] == .init(key: "pipeline.maxInFlight", value: "8", origin: .file))
        #expect(
            lines["log.level"] == .init(key: "log.level", value: "debug", origin: .environment("KOMET_SYNC_LOG_LEVEL")))
        #expect(lines["retry.maxDelay"] == .init(key: "retry.maxDelay", value: "30s", origin: .default))
        #expect(lines["kafka.sasl.password"]?.value == SyncConfiguration.redacted)
        #expect(lines["kafka.ssl.key.pem"]?.value == SyncConfiguration.redacted)
        #expect(lines["kafka.sasl.username"]?.origin == .environment("KOMET_SYNC_KAFKA_SASL_USERNAME"))
        #expect(lines["komet.baseURL"]?.value == "https://<redacted>@komet.example/api")
        #expect(
            SyncConfiguration.effectiveSettings(source: source).allSatisfy { !$0.value.contains("SECRET") })
        #expect(SyncConfiguration.effectiveSettings(source: source).count == SyncConfiguration.settings.count + 3)
    }

    @Test func suggestionsAreCloseOrNone() {
        let names = ["pipeline.maxInFlight", "pipeline.maxBuffered", "retry.maxDelay"]
        #expect(ConfigurationSource.suggestion(for: "pipeline.maxinflight", among: names) == "pipeline.maxInFlight")
        #expect(ConfigurationSource.suggestion(for: "pipeline.maxBufered", among: names) == "pipeline.maxBuffered")
        #expect(ConfigurationSource.suggestion(for: "log.colour", among: names) == nil)
    }
}
