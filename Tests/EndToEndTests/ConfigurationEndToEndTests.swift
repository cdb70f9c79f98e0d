import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension PipelineEndToEndTests {
    /// Every configuration mistake the worker's binary must catch at start: its exact error on stderr, naming the
    /// setting, and exit status 78 (EX_CONFIG, which the systemd unit does not restart) before anything has started.
    @Suite("Configuration mistakes")
    struct ConfigurationEndToEndTests {
        static let token = "tok-SECRET-configuration-7c1f"

        /// Runs `komet-contact-sync arguments` in a fresh folder holding `configuration` as `config.json` (when given),
        /// with the token in KOMET_TOKEN and `environment` added.
        static func worker(
            _ arguments: [String], configuration: [String: Any]? = nil, environment: [String: String] = [:],
            timeout: Duration = .seconds(60), in directory: URL? = nil
        ) async throws -> CommandRunner.Result {
            let folder = try directory ?? E2EEnvironment.makeTemporaryDirectory("configuration")
            defer { if directory == nil { E2EEnvironment.removeTemporaryDirectory(folder) } }
            var arguments = arguments
            if let configuration {
                let url = folder.appendingPathComponent("config.json")
                try JSONSerialization.data(withJSONObject: configuration, options: [.sortedKeys]).write(to: url)
                arguments += ["--config", url.path]
            }
            return try await CommandRunner.run(
                try E2EEnvironment.binary("komet-contact-sync"), arguments, timeout: timeout,
                environment: environment.merging(["KOMET_TOKEN": token]) { new, _ in new }, in: folder)
        }

        /// A configuration that needs nothing running until the worker connects: no HTTP server, SQLite in the folder.
        static var quiet: [String: Any] { ["http": ["port": -1], "log": ["format": "json"]] }

        static func merged(_ extra: [String: [String: Any]]) -> [String: Any] {
            var configuration = quiet
            for (section, settings) in extra {
                var merged = configuration[section] as? [String: Any] ?? [:]
                merged.merge(settings) { _, new in new }
                configuration[section] = merged
            }
            return configuration
        }

        @Test func aDurationWithoutAUnitIsRefused() async throws {
            let result = try await Self.worker(
                ["run", "--check"], configuration: Self.merged(["komet": ["requestTimeout": 15_000]]))
            #expect(result.status == 78)
            #expect(
                result.stderr
                    == "error: configuration: komet.requestTimeout (KOMET_SYNC_KOMET_REQUEST_TIMEOUT): '15000' has no "
                    + "unit: write a duration with one, e.g. 500ms, 15s, 5m, 1h, 30d\n")
        }

        @Test func aMisspeltVariableIsRefusedWithTheNameItWasMeantToBe() async throws {
            let result = try await Self.worker(
                ["run", "--check"], configuration: Self.quiet, environment: ["KOMET_SYNC_PIPELINE_MAX_INFLIGHT": "4"])
            #expect(result.status == 78)
            #expect(
                result.stderr
                    == "error: configuration: KOMET_SYNC_PIPELINE_MAX_INFLIGHT: unknown variable: no setting reads it "
                    + "(did you mean KOMET_SYNC_PIPELINE_MAX_IN_FLIGHT?)\n")
        }

        @Test func aMisspeltFileSettingIsRefusedWithTheNameItWasMeantToBe() async throws {
            let result = try await Self.worker(
                ["run", "--check"], configuration: Self.merged(["pipeline": ["maxInFlite": 4]]))
            #expect(result.status == 78)
            #expect(
                result.stderr
                    == "error: configuration: pipeline.maxInFlite (KOMET_SYNC_PIPELINE_MAX_IN_FLITE): unknown setting "
                    + "(did you mean pipeline.maxInFlight?)\n")
        }

        static let librdkafkaTypo =
            "error: configuration: kafka.lingerr.ms (KOMET_SYNC_KAFKA_LINGERR_MS): No such configuration property: "
            + "\"lingerr.ms\"\n"

        @Test func aLibrdkafkaTypoFailsTheCheck() async throws {
            let result = try await Self.worker(
                ["run", "--check"], configuration: Self.merged(["kafka": ["lingerr.ms": "5"]]))
            #expect(result.status == 78)
            #expect(result.stderr == Self.librdkafkaTypo)
        }

        /// `run` itself fails the same way, before its HTTP server starts (no "HTTP server listening" line) and
        /// before the store is opened (no SQLite file).
        @Test func aLibrdkafkaTypoStopsRunBeforeAnythingStarts() async throws {
            let folder = try E2EEnvironment.makeTemporaryDirectory("configuration-run")
            defer { E2EEnvironment.removeTemporaryDirectory(folder) }
            let result = try await Self.worker(
                ["run"], configuration: ["kafka": ["lingerr.ms": "5"], "http": ["port": 0]],
                environment: ["KOMET_SYNC_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"], in: folder)
            #expect(result.status == 78)
            #expect(result.stderr == Self.librdkafkaTypo)
            #expect(
                !FileManager.default.fileExists(atPath: folder.appendingPathComponent("komet-contact-sync.sqlite").path)
            )
        }

        @Test func aMissingSQLiteDirectoryIsNamedWithItsSetting() async throws {
            let folder = try E2EEnvironment.makeTemporaryDirectory("configuration-sqlite")
            defer { E2EEnvironment.removeTemporaryDirectory(folder) }
            let missing = folder.appendingPathComponent("missing")
            let path = missing.appendingPathComponent("dedupe.sqlite").path
            let expected =
                "error: configuration: dedupe.sqlitePath (KOMET_SYNC_DEDUPE_SQLITE_PATH): the directory of \(path) "
                + "does not exist: create \(missing.path)\n"
            for arguments in [["run", "--check"], ["run"]] {
                let result = try await Self.worker(
                    arguments, configuration: Self.merged(["dedupe": ["sqlitePath": path]]), in: folder)
                #expect(result.status == 78, "\(arguments)")
                #expect(result.stderr == expected, "\(arguments)")
            }
        }

        @Test func aTakenHTTPPortIsNamedWithItsSetting() async throws {
            let (socket, port) = try Self.listeningSocket()
            defer { close(socket) }
            let result = try await Self.worker(
                ["run"], configuration: Self.merged(["http": ["host": "127.0.0.1", "port": port]]),
                environment: ["KOMET_SYNC_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"])
            #expect(result.status == 78)
            #expect(
                result.stderr.hasPrefix(
                    "error: configuration: http.port (KOMET_SYNC_HTTP_PORT): cannot listen on 127.0.0.1:\(port) "
                        + "(http.host, http.port): "),
                "\(result.stderr)")
            #expect(result.stderr.contains("Address already in use"), "\(result.stderr)")
        }

        @Test func versionNamesTheRelease() async throws {
            let result = try await Self.worker(["--version"])
            #expect(result.status == 0)
            let line = String(decoding: result.stdout, as: UTF8.self)
            #expect(line.wholeMatch(of: /komet-contact-sync \d+\.\d+\.\d+ \(Swift \d+\.\d+\+?\)\n/) != nil, "\(line)")
        }

        /// Every setting with its origin; librdkafka secrets and a password in the URL are redacted; the token (in
        /// the environment) never appears.
        @Test func printConfigShowsTheEffectiveSettingsWithoutSecrets() async throws {
            let result = try await Self.worker(
                ["run", "--print-config"],
                configuration: Self.merged([
                    "kafka": ["sasl.password": "kafka-SECRET-pw", "security.protocol": "SASL_SSL"],
                    "komet": ["baseURL": "https://user:url-SECRET@komet.example/api"],
                ]),
                environment: ["KOMET_SYNC_PIPELINE_MAX_IN_FLIGHT": "7"])
            #expect(result.status == 0, "\(result.stderr)")
            let output = String(decoding: result.stdout, as: UTF8.self)
            let lines = Dictionary(
                output.split(separator: "\n").map { line -> (String, String) in
                    let parts = line.split(separator: "=", maxSplits: 1)
                    return (
                        parts[0].trimmingCharacters(in: .whitespaces),
                        parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
                    )
                }, uniquingKeysWith: { first, _ in first })
            #expect(lines["pipeline.maxInFlight"] == "7  # KOMET_SYNC_PIPELINE_MAX_IN_FLIGHT")
            #expect(lines["komet.requestTimeout"] == "15s  # default")
            #expect(lines["http.port"] == "-1  # file")
            #expect(lines["kafka.sasl.password"] == "<redacted>  # file")
            #expect(lines["kafka.security.protocol"] == "SASL_SSL  # file")
            #expect(lines["komet.baseURL"] == "https://<redacted>@komet.example/api  # file")
            for secret in ["kafka-SECRET-pw", "url-SECRET", Self.token] {
                #expect(!output.contains(secret) && !result.stderr.contains(secret), "\(secret) leaked")
            }
        }

        /// `--check --connect` against the mock broker and the simulator: every topic's metadata, a connection to
        /// Komet's host and no call (the simulator counts none).
        @Test(.timeLimit(.minutes(2)))
        func checkConnectAsksKafkaAndKometWithoutACall() async throws {
            let system = try await E2ESystem(name: "check-connect", token: Self.token)
            defer { system.shutdown() }
            let configuration = try system.writeWorkerConfiguration(maxInFlight: 4)
            let binary = try E2EEnvironment.binary("komet-contact-sync")
            let result = try await CommandRunner.run(
                binary, ["run", "--config", configuration.path, "--check", "--connect"],
                environment: ["KOMET_TOKEN": Self.token], in: system.directory)
            let output = String(decoding: result.stdout, as: UTF8.self)
            #expect(result.status == 0, "\(output)\(result.stderr)")
            let connects = output.split(separator: "\n").filter { $0.hasPrefix("connect: ") }
            #expect(
                connects == [
                    "connect: ok kafka.bootstrap.servers: \(system.bootstrapServers) answered metadata",
                    "connect: ok topics.input: \(E2ESystem.inputTopic) has 4 partitions",
                    "connect: ok topics.success: \(E2ESystem.successTopic) has 4 partitions",
                    "connect: ok topics.deadLetter: \(E2ESystem.deadLetterTopic) has 4 partitions",
                    "connect: ok komet.baseURL: \(system.simulatorURL.host ?? ""):\(system.simulatorURL.port ?? 0) "
                        + "accepted a TCP connection (plain http, no TLS); no call made",
                ], "\(output)")
            let counters = try await system.simulator.counters()
            #expect(
                counters["addCalls"] == 0 && counters["listCalls"] == 0 && counters["quotaUsed"] == 0, "\(counters)")
        }

        /// Nothing answers: exit 69 (EX_UNAVAILABLE), naming what did not answer; an `https` URL whose host speaks
        /// plain TCP fails the TLS handshake.
        @Test(.timeLimit(.minutes(2)))
        func checkConnectNamesWhatDoesNotAnswer() async throws {
            let (socket, port) = try Self.listeningSocket()
            defer { close(socket) }
            let result = try await Self.worker(
                ["run", "--check", "--connect"],
                configuration: Self.merged([
                    "komet": ["baseURL": "https://127.0.0.1:\(port)/api", "connectTimeout": "2s"]
                ]),
                environment: ["KOMET_SYNC_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"])
            let output = String(decoding: result.stdout, as: UTF8.self)
            #expect(result.status == 69, "\(output)\(result.stderr)")
            let connects = output.split(separator: "\n").filter { $0.hasPrefix("connect: ") }
            #expect(connects.count == 2, "\(output)")
            #expect(
                connects.first?.hasPrefix("connect: FAILED kafka.bootstrap.servers: no broker of 127.0.0.1:1 answered")
                    ?? false, "\(output)")
            #expect(
                connects.last?.hasPrefix("connect: FAILED komet.baseURL: 127.0.0.1:\(port): no TLS connection: ")
                    ?? false, "\(output)")
            #expect(result.stderr.contains("error: --connect: FAILED kafka.bootstrap.servers"))
        }

        /// A TCP socket listening on a free loopback port, that accepts connections (into its backlog) and never
        /// answers: a taken port for the HTTP server, and a host that never completes a TLS handshake.
        static func listeningSocket() throws -> (Int32, Int) {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw E2EError("socket() failed") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0, listen(descriptor, 16) == 0 else {
                close(descriptor)
                throw E2EError("bind/listen failed")
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
        }
    }
}
