import AsyncHTTPClient
import Foundation
import KometClient
import KometSimulator
import NIOCore
import Testing

@Suite("KometSimulator admin endpoints and bookkeeping")
struct SimulatorAdminTests {
    @Test("admin: contacts, stats, partial fault updates, quota reset and reset")
    func adminEndpoints() async throws {
        let simulator = KometSimulator(
            configuration: KometSimulatorConfiguration(token: testToken, customers: [17], dailyQuota: 1),
            logger: testLogger
        )
        try await withRunningServer({ try await simulator.run(host: "127.0.0.1", port: 0, onListening: $0) }) { port in
            let base = "http://127.0.0.1:\(port)"
            try await withClient(baseURL: base + "/api") { client in
                _ = try await client.addContact(sampleRequest, logger: testLogger)
            }
            let (_, contactsJSON) = try await httpCall("GET", base + "/admin/contacts")
            let contacts = try #require(
                (try JSONSerialization.jsonObject(with: Data(contactsJSON.utf8)) as? [String: Any])?["contacts"]
                    as? [[String: Any]]
            )
            #expect(contacts.count == 1)
            #expect(contacts.first?["customerId"] as? Int == 17)
            #expect(contacts.first?["name"] as? String == "Joe Smith")
            #expect(contacts.first?["id"] as? Int != nil)

            let (_, statsJSON) = try await httpCall("GET", base + "/admin/stats")
            let stats = try JSONDecoder().decode(KometSimulatorStats.self, from: Data(statsJSON.utf8))
            #expect(stats.created == 1 && stats.quotaUsed == 1 && stats.dailyQuota == 1)

            let (status, _) = try await httpCall("PUT", base + "/admin/faults", body: #"{"throttleRate": 0.5}"#)
            #expect(status == 200)
            _ = try await httpCall("PUT", base + "/admin/faults", body: #"{"latencyMs": 5, "serverErrorRate": 2}"#)
            #expect(simulator.faults == KometFaults(latencyMs: 5, serverErrorRate: 1, throttleRate: 0.5))
            let (badStatus, _) = try await httpCall("PUT", base + "/admin/faults", body: "not json")
            #expect(badStatus == 400)

            _ = try await httpCall("POST", base + "/admin/quota/reset")
            #expect(simulator.stats.quotaUsed == 0)
            _ = try await httpCall("POST", base + "/admin/reset")
            #expect(simulator.contacts().isEmpty)
            #expect(simulator.faults == .none)
            #expect(simulator.stats.addCalls == 0)
        }
    }

    @Test("PUT /admin/token rotates the account's token: the old one is refused from then on, the answer shows neither")
    func tokenRotation() async throws {
        let simulator = KometSimulator(
            configuration: KometSimulatorConfiguration(token: testToken, customers: [17]), logger: testLogger)
        let rotated = "rotated-SECRET-b41d"
        try await withRunningServer({ try await simulator.run(host: "127.0.0.1", port: 0, onListening: $0) }) { port in
            let base = "http://127.0.0.1:\(port)"
            try await withClient(baseURL: base + "/api") { client in
                _ = try await client.addContact(sampleRequest, logger: testLogger)
            }
            let (status, answer) = try await httpCall("PUT", base + "/admin/token", body: #"{"token":"\#(rotated)"}"#)
            #expect(status == 200)
            #expect(!answer.contains(rotated) && !answer.contains(testToken), "\(answer)")
            let refused = try await withClient(baseURL: base + "/api") { client -> KometError? in
                do throws(KometError) {
                    _ = try await client.addContact(sampleRequest, logger: testLogger)
                    return nil
                } catch {
                    return error
                }
            }
            #expect(refused?.failureClass == .systemic, "the old token must be refused: \(String(describing: refused))")
            try await withClient(baseURL: base + "/api", token: rotated) { client in
                _ = try await client.addContact(sampleRequest, logger: testLogger)
                _ = try await client.listContacts(customerId: 17, logger: testLogger)
            }
            #expect(simulator.stats.created == 2)
            #expect(simulator.stats.authFailures == 1)
            for bad in ["not json", #"{"token":""}"#, #"{"other":"x"}"#] {
                let (badStatus, _) = try await httpCall("PUT", base + "/admin/token", body: bad)
                #expect(badStatus == 400, "\(bad)")
            }
            // A reset keeps the rotated token, as a real account keeps its token.
            _ = try await httpCall("POST", base + "/admin/reset")
            try await withClient(baseURL: base + "/api", token: rotated) { client in
                _ = try await client.addContact(sampleRequest, logger: testLogger)
            }
        }
    }

    @Test("the list answer is shaped like Komet's: status \"1\", ids as strings, absent fields left out")
    func listAnswerShape() async throws {
        let simulator = KometSimulator(
            configuration: KometSimulatorConfiguration(token: testToken, customers: [17]),
            logger: testLogger
        )
        try await withRunningServer({ try await simulator.run(host: "127.0.0.1", port: 0, onListening: $0) }) { port in
            let base = "http://127.0.0.1:\(port)"
            try await withClient(baseURL: base + "/api") { client in
                _ = try await client.addContact(sampleRequest, logger: testLogger)
            }
            let token = testToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? testToken
            let (status, answer) = try await httpCall(
                "GET", base + "/api/customer.contact.list?authenticationToken=\(token)&customerId=17")
            #expect(status == 200)
            #expect(
                answer
                    == #"{"contacts":[{"description":"nothing special","email":"joe@example.com","emailPOD":false,"#
                    + #""ext":"345","id":"1001","name":"Joe Smith","phone":"594-123-0982","type":"Buyer"}],"#
                    + #""message":"Contacts retrieved","status":"1"}"#)
        }
    }

    @Test("API refusals the client never provokes: missing name, invalid JSON, body over 64 KB, missing customerId")
    func apiRefusals() async throws {
        let simulator = KometSimulator(
            configuration: KometSimulatorConfiguration(token: testToken, customers: [17]),
            logger: testLogger
        )
        try await withRunningServer({ try await simulator.run(host: "127.0.0.1", port: 0, onListening: $0) }) { port in
            let url = "http://127.0.0.1:\(port)/api/customer.contact.add"
            let token = #""authenticationToken": "tok-SECRET-7f3a9c/+&= é""#
            let cases: [(String, String)] = [
                ("{\(token), \"customerId\": 17, \"type\": \"Buyer\"}", "Field 'name' is required"),
                ("{\(token), \"customerId\": 17, \"name\": \"  \", \"type\": \"Buyer\"}", "Field 'name' is required"),
                ("{\(token), \"customerId\": 17, \"name\": \"A\"}", "Field 'type' is required"),
                ("{\(token), \"name\": \"A\", \"type\": \"Buyer\"}", "Field 'customerId' is required"),
                ("not json", "Invalid request: the body is not a valid JSON object"),
                (
                    "{\(token), \"customerId\": 17, \"name\": \"A\", \"type\": \"Buyer\", \"description\": \""
                        + String(repeating: "x", count: 70_000) + "\"}",
                    "Request exceeds the 64 KB size limit"
                ),
            ]
            for (body, message) in cases {
                let (status, answer) = try await httpCall("POST", url, body: body)
                #expect(status == 200)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
                #expect(object["status"] as? Int == 0)
                #expect(object["message"] as? String == message)
            }
            #expect(simulator.contacts().isEmpty)
            #expect(simulator.stats.rejected == cases.count)
        }
    }

    @Test("the same seed gives the same fault sequence")
    func seededFaults() async throws {
        func outcomes(seed: UInt64) async throws -> [String] {
            let configuration = KometSimulatorConfiguration(
                token: testToken, customers: 1...100, dailyQuota: 100, seed: seed)
            return try await withSimulator(configuration: configuration, faults: KometFaults(serverErrorRate: 0.5)) {
                _, client in
                var codes: [String] = []
                for _ in 0..<12 {
                    do {
                        _ = try await client.listContacts(customerId: 1, logger: testLogger)
                        codes.append("ok")
                    } catch let error as KometError {
                        codes.append(error.code.text)
                    }
                }
                return codes
            }
        }
        let first = try await outcomes(seed: 7)
        #expect(first == (try await outcomes(seed: 7)))
        #expect(first.contains("ok") && first.contains("http_503"))
    }

    @Test("faults decode from partial JSON with defaults")
    func faultsDecoding() throws {
        let faults = try JSONDecoder().decode(KometFaults.self, from: Data(#"{"ambiguousRate": 0.25}"#.utf8))
        #expect(faults == KometFaults(ambiguousRate: 0.25))
        #expect(faults.timeoutSleepMs == 30_000)
    }
}
