import Foundation
import KometClient
import KometSimulator
import Testing

@Suite("KometSimulator: registering a contact type through the admin API")
struct SimulatorContactTypeTests {
    @Test("POST /admin/types registers a type: an add refused for it is accepted afterwards; reset forgets it")
    func registerContactType() async throws {
        let simulator = KometSimulator(
            configuration: KometSimulatorConfiguration(token: testToken, customers: [17]), logger: testLogger)
        try await withRunningServer({ try await simulator.run(host: "127.0.0.1", port: 0, onListening: $0) }) { port in
            let base = "http://127.0.0.1:\(port)"
            var request = sampleRequest
            request.type = "Accounts"
            try await withClient(baseURL: base + "/api") { client in
                let refused = try #require(
                    await kometError { () async throws(KometError) in
                        try await client.addContact(request, logger: testLogger)
                    })
                #expect(refused.failureClass == .rejected)
                #expect(refused.message == "The contact type is not registered")
            }

            let (status, answer) = try await httpCall("POST", base + "/admin/types", body: #"{"type": "Accounts"}"#)
            #expect(status == 200)
            #expect(answer == #"{"contactTypes":["A\/P","Accounts","Buyer","None"]}"#)
            let (_, listed) = try await httpCall("GET", base + "/admin/types")
            #expect(listed == answer)
            #expect(simulator.contactTypes == ["None", "Buyer", "A/P", "Accounts"])

            try await withClient(baseURL: base + "/api") { client in
                let result = try await client.addContact(request, logger: testLogger)
                #expect(result.contactId > 0)
            }
            #expect(simulator.contacts()[17]?.map(\.type) == ["Accounts"])

            let (badStatus, _) = try await httpCall("POST", base + "/admin/types", body: #"{"type": " "}"#)
            #expect(badStatus == 400)
            let (notJSON, _) = try await httpCall("POST", base + "/admin/types", body: "Accounts")
            #expect(notJSON == 400)

            _ = try await httpCall("POST", base + "/admin/reset")
            #expect(simulator.contactTypes == ["None", "Buyer", "A/P"])
        }
    }
}
