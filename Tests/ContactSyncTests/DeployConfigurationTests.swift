import Foundation
import Testing

@testable import ContactSync

/// The configurations shipped in `deploy/` are valid, and the claim settings are checked against the request timeout.
@Suite struct DeployConfigurationTests {
    static let deploy = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy")

    @Test(arguments: ["komet-contact-sync.example.json", "komet-contact-sync.postgres.example.json"])
    func exampleConfigurationIsValid(_ name: String) throws {
        let path = Self.deploy.appendingPathComponent(name).path
        let configuration = try SyncConfiguration(source: try ConfigurationSource(file: path, environment: [:]))
        #expect(configuration.claims.lease > configuration.komet.requestTimeout)
        if name.contains("postgres") {
            #expect(configuration.dedupeBackend == .postgres)
            #expect(configuration.postgres.passwordFile != nil)
        }
    }

    @Test func claimSettingsHaveTheirDefaults() throws {
        let configuration = try SyncConfiguration(source: ConfigurationSource())
        #expect(configuration.claims.lease == .seconds(60))
        #expect(configuration.claims.lateArrivalWindow == .seconds(30))
    }

    @Test func aLeaseNoLongerThanOneCallIsRefused() {
        let source = ConfigurationSource(fileValues: ["komet.requestTimeout": "15s", "dedupe.claimLease": "16s"])
        #expect {
            try SyncConfiguration(source: source)
        } throws: { error in
            (error as? ConfigurationError)?.setting == "dedupe.claimLease"
        }
        let longer = ConfigurationSource(fileValues: ["komet.requestTimeout": "15s", "dedupe.claimLease": "17s"])
        #expect(throws: Never.self) { try SyncConfiguration(source: longer) }
    }
}
