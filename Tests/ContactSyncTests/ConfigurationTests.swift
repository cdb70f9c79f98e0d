import Foundation
import Testing

@testable import ContactSync

@Suite struct ConfigurationTests {
    @Test func defaultsAreValid() throws {
        let configuration = try SyncConfiguration(source: ConfigurationSource())
        #expect(configuration.inputTopics == ["contacts.created"])
        #expect(configuration.successTopic == "contacts.komet.succeeded")
        #expect(configuration.deadLetterTopic == "contacts.komet.dlq")
        #expect(configuration.pipeline.maxInFlight == 32)
        #expect(configuration.dedupeBackend == .sqlite)
        #expect(configuration.retention == .seconds(30 * 86_400))
        #expect(configuration.kafka["group.id"] == "komet-contact-sync")
    }

    @Test func environmentNamesFollowTheKey() {
        #expect(ConfigurationSource.environmentName(for: "pipeline.maxInFlight") == "KOMET_SYNC_PIPELINE_MAX_IN_FLIGHT")
        #expect(ConfigurationSource.environmentName(for: "topics.deadLetter") == "KOMET_SYNC_TOPICS_DEAD_LETTER")
        #expect(ConfigurationSource.environmentName(for: "komet.baseURL") == "KOMET_SYNC_KOMET_BASE_URL")
    }

    @Test func fileIsFlattenedAndTheEnvironmentWins() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #"""
        {"kafka": {"bootstrap.servers": "b:1", "linger.ms": 7}, "pipeline": {"maxInFlight": 8},
         "mapping": {"registeredContactTypes": ["Buyer", "A/P"]}, "log": {"personalData": true}}
        """#.write(toFile: path, atomically: true, encoding: .utf8)
        let source = try ConfigurationSource(
            file: path,
            environment: ["KOMET_SYNC_PIPELINE_MAX_IN_FLIGHT": "4", "KOMET_SYNC_KAFKA_SECURITY_PROTOCOL": "SASL_SSL"])
        let configuration = try SyncConfiguration(source: source)
        #expect(configuration.pipeline.maxInFlight == 4)
        #expect(configuration.kafka["bootstrap.servers"] == "b:1")
        #expect(configuration.kafka["linger.ms"] == "7")
        #expect(configuration.kafka["security.protocol"] == "SASL_SSL")
        #expect(configuration.mapping.registeredContactTypes == ["Buyer", "A/P"])
        #expect(configuration.logPersonalData)
    }

    @Test(arguments: [
        ("pipeline.maxInFlight", "0", "KOMET_SYNC_PIPELINE_MAX_IN_FLIGHT"),
        ("komet.requestTimeout", "soon", "KOMET_SYNC_KOMET_REQUEST_TIMEOUT"),
        ("dedupe.backend", "redis", "KOMET_SYNC_DEDUPE_BACKEND"),
        ("komet.baseURL", "ftp://x", "KOMET_SYNC_KOMET_BASE_URL"),
        ("mapping.defaultContactType", "Boss", "KOMET_SYNC_MAPPING_DEFAULT_CONTACT_TYPE"),
        ("pipeline.ambiguousPolicy", "guess", "KOMET_SYNC_PIPELINE_AMBIGUOUS_POLICY"),
        ("log.format", "xml", "KOMET_SYNC_LOG_FORMAT"),
    ])
    func invalidSettingsAreNamed(key: String, value: String, variable: String) {
        let source = ConfigurationSource(environment: [variable: value])
        #expect {
            _ = try SyncConfiguration(source: source)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.setting == key && error.description.contains(variable)
        }
    }

    @Test func theDrainMustEndBeforeTheGroupGivesUpOnThePollThread() throws {
        let tooLong = ConfigurationSource(fileValues: ["kafka.max.poll.interval.ms": "10000"])
        #expect {
            _ = try SyncConfiguration(source: tooLong)
        } throws: { error in
            (error as? ConfigurationError)?.setting == "pipeline.drainTimeout"
                && "\(error)".contains("kafka.max.poll.interval.ms (10000 ms)")
        }
        let shorter = ConfigurationSource(
            fileValues: ["kafka.max.poll.interval.ms": "10000", "pipeline.drainTimeout": "5s"])
        #expect(try SyncConfiguration(source: shorter).pipeline.drainTimeout == .seconds(5))
    }

    @Test func theStallTimeoutMustOutlastEveryHealthyWait() throws {
        #expect(try SyncConfiguration(source: ConfigurationSource()).stallTimeout == .seconds(300))
        // The default claim lease (60 s) plus the late-arrival window (30 s) is the longest healthy wait.
        let tooShort = ConfigurationSource(fileValues: ["health.stallTimeout": "90s"])
        #expect {
            _ = try SyncConfiguration(source: tooShort)
        } throws: { error in
            (error as? ConfigurationError)?.setting == "health.stallTimeout"
                && "\(error)".contains("the longest healthy wait")
        }
        let longer = ConfigurationSource(fileValues: ["health.stallTimeout": "91s"])
        #expect(try SyncConfiguration(source: longer).stallTimeout == .seconds(91))
    }

    @Test func unknownFileSettingsAreRefused() {
        let source = ConfigurationSource(fileValues: ["pipeline.maxInFlite": "3"])
        #expect(
            throws: ConfigurationError(
                setting: "pipeline.maxInFlite", message: "unknown setting (did you mean pipeline.maxInFlight?)")
        ) {
            _ = try SyncConfiguration(source: source)
        }
    }

    @Test func durationsParse() {
        #expect(SettingReader.parseDuration("250ms") == .milliseconds(250))
        #expect(SettingReader.parseDuration("15s") == .seconds(15))
        #expect(SettingReader.parseDuration("5m") == .seconds(300))
        #expect(SettingReader.parseDuration("2h") == .seconds(7_200))
        #expect(SettingReader.parseDuration("30d") == .seconds(2_592_000))
        #expect(SettingReader.parseDuration("1.5s") == .milliseconds(1_500))
        #expect(SettingReader.parseDuration("1.5") == nil)
        #expect(SettingReader.parseDuration("15000") == nil)
        #expect(SettingReader.parseDuration("-1s") == nil)
        #expect(SettingReader.parseDuration("fast") == nil)
    }

    @Test func connectionsToKometAreSizedWithMaxInFlightUnlessSet() throws {
        let sized = try SyncConfiguration(source: ConfigurationSource(fileValues: ["pipeline.maxInFlight": "128"]))
        #expect(sized.komet.maxConnections == 128)
        #expect(
            sized.komet.recommendedHTTPClientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit
                == 128)
        let polite = try SyncConfiguration(
            source: ConfigurationSource(fileValues: ["pipeline.maxInFlight": "128", "komet.maxConnections": "16"]))
        #expect(polite.komet.maxConnections == 16)
        #expect(throws: ConfigurationError.self) {
            try SyncConfiguration(source: ConfigurationSource(fileValues: ["komet.maxConnections": "-1"]))
        }
    }
}
