import AsyncHTTPClient
import Foundation
import KometClient
import KometSimulator
import Logging
import SyncTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("KometTokenSource: the token file rotates without a restart")
struct KometTokenSourceTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("token-source-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func write(_ text: String, to file: URL) throws {
        try Data(text.utf8).write(to: file)
    }

    @Test("a rewritten file is noticed by its stamp, used from then on, and both tokens stay redacted")
    func rotation() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("token")
        try write("old-SECRET-1\n", to: file)
        let log = CapturedLog()
        let source = KometTokenSource(
            loaded: try KometToken.load(environment: [:], file: file.path), environment: [:],
            variable: "KOMET_TOKEN", file: file.path)
        #expect(source.origin == .file(path: file.path) && source.origin.canRotate)
        #expect(source.refresh(force: false, logger: log.logger) == .unchanged)
        try write("new-SECRET-22\n", to: file)
        #expect(source.refresh(force: false, logger: log.logger) == .rotated)
        #expect(source.current == KometToken("new-SECRET-22"))
        #expect(source.redact("a old-SECRET-1 b new-SECRET-22 c") == "a <redacted> b <redacted> c")
        #expect(source.refresh(force: true, logger: log.logger) == .unchanged)
        #expect(log.lines.count == 1 && log.lines[0].level == .notice, "\(log.lines)")
        #expect(log.lines.allSatisfy { !$0.text.contains("SECRET") && $0.text.contains(file.path) })
    }

    @Test("an unchanged stamp is not read; a probe's forced refresh reads the file whatever its stamp")
    func unchangedStampIsNotRead() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("token")
        try write("aaaa-SECRET", to: file)
        let source = KometTokenSource(KometToken("aaaa-SECRET"), origin: .file(path: file.path))
        var before = stat()
        #expect(stat(file.path, &before) == 0)
        // Same size, same inode, and the modification time put back: the stamp does not change.
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data("bbbb-SECRET".utf8))
        try handle.close()
        #if canImport(Darwin)
            var times = [before.st_atimespec, before.st_mtimespec]
        #else
            var times = [before.st_atim, before.st_mtim]
        #endif
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)
        let logger = CapturedLog().logger
        #expect(source.refresh(force: false, logger: logger) == .unchanged)
        #expect(source.current == KometToken("aaaa-SECRET"), "the file was read although its stamp did not change")
        #expect(source.refresh(force: true, logger: logger) == .rotated)
        #expect(source.current == KometToken("bbbb-SECRET"))
    }

    @Test("an empty, then missing file keeps the current token and logs each failure once, without a token")
    func unreadableFileKeepsTheToken() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("token")
        try write("kept-SECRET\n", to: file)
        let log = CapturedLog()
        let source = KometTokenSource(KometToken("kept-SECRET"), origin: .file(path: file.path))
        try write("  \n", to: file)
        #expect(source.refresh(force: false, logger: log.logger) == .failed(.tokenEmpty))
        #expect(source.refresh(force: true, logger: log.logger) == .failed(.tokenEmpty))
        #expect(source.current == KometToken("kept-SECRET"))
        try FileManager.default.removeItem(at: file)
        #expect(source.refresh(force: true, logger: log.logger) == .failed(.tokenFileUnreadable))
        #expect(source.current == KometToken("kept-SECRET"))
        try write("kept-SECRET", to: file)
        #expect(source.refresh(force: false, logger: log.logger) == .unchanged)
        try write("next-SECRET-2", to: file)
        #expect(source.refresh(force: false, logger: log.logger) == .rotated)
        let levels = log.lines.map(\.level)
        #expect(levels == [.error, .error, .notice, .notice], "\(log.lines)")
        #expect(log.lines[0].text.contains("token_empty") && log.lines[1].text.contains("token_file_unreadable"))
        #expect(log.lines.allSatisfy { !$0.text.contains("SECRET") })
    }

    @Test(
        "the client sends the source's current token: after the file is rewritten and refreshed, calls carry the new one"
    )
    func clientUsesTheRotatedToken() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("token")
        try write(testToken, to: file)
        let source = KometTokenSource(KometToken(testToken), origin: .file(path: file.path))
        let simulator = KometSimulator(
            configuration: KometSimulatorConfiguration(token: testToken, customers: [17]), logger: testLogger)
        let rotated = "rotated-SECRET-c0ffee"
        try await withRunningServer({ try await simulator.run(host: "127.0.0.1", port: 0, onListening: $0) }) { port in
            var configuration = KometClientConfiguration()
            configuration.baseURL = "http://127.0.0.1:\(port)/api"
            let clientConfiguration = configuration
            try await HTTPClient.withHTTPClient(
                configuration: clientConfiguration.recommendedHTTPClientConfiguration
            ) { httpClient in
                let client = KometClient(configuration: clientConfiguration, tokens: source, httpClient: httpClient)
                _ = try await client.addContact(sampleRequest, logger: testLogger)
                simulator.rotateToken(to: rotated)
                do throws(KometError) {
                    _ = try await client.addContact(sampleRequest, logger: testLogger)
                    Issue.record("the revoked token was accepted")
                } catch {
                    #expect(error.failureClass == .systemic)
                    #expect(!"\(error)".contains(testToken))
                }
                try write(rotated + "\n", to: file)
                #expect(source.refresh(force: true, logger: testLogger) == .rotated)
                _ = try await client.addContact(sampleRequest, logger: testLogger)
                _ = try await client.listContacts(customerId: 17, logger: testLogger)
            }
        }
        #expect(simulator.stats.created == 2)
        #expect(simulator.stats.authFailures == 1)
    }

    @Test("a token from the environment (or given in code) cannot rotate")
    func environmentCannotRotate() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("token")
        try write("file-SECRET", to: file)
        let environment = ["KOMET_TOKEN": "env-SECRET"]
        let token = try KometToken.load(environment: environment, file: file.path)
        let source = KometTokenSource(loaded: token, environment: environment, variable: "KOMET_TOKEN", file: file.path)
        #expect(source.origin == .environment(variable: "KOMET_TOKEN") && !source.origin.canRotate)
        try write("other-SECRET", to: file)
        #expect(source.refresh(force: true, logger: CapturedLog().logger) == .notRotatable)
        #expect(source.current == KometToken("env-SECRET"))
        let blank = KometTokenSource(
            loaded: KometToken("file-SECRET"), environment: ["KOMET_TOKEN": " "], variable: "KOMET_TOKEN",
            file: file.path)
        #expect(blank.origin == .file(path: file.path))
        #expect(
            KometTokenSource(loaded: KometToken("x"), environment: [:], variable: "KOMET_TOKEN", file: nil).origin
                == .fixed)
    }
}
