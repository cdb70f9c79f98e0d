import Foundation
import KometClient
import KometSimulator
import Testing

@Suite("KometSimulator late answers and latency spikes, through the client")
struct SimulatorLateFaultTests {
    @Test("late fault: the client times out (ambiguous), the contact lands after the delay: list, admin and stats")
    func lateAdd() async throws {
        // The client gives up after 3 s, the add lands 15 s after the simulator read it: margins for a loaded machine,
        // where the look-ups after the timeout (or stopping the server) were seen to take more than 5 s (and the
        // simulator must read the request before the client gives up, or there is nothing to hold).
        let clientConfiguration = KometClientConfiguration(requestTimeout: .seconds(3))
        let faults = KometFaults(lateRate: 1, lateDelayMs: 15_000)
        try await withSimulatorServer(faults: faults, clientConfiguration: clientConfiguration) {
            simulator, client, port in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .ambiguous)
            #expect(error.code == .timeoutAfterSend)
            #expect(tokenAbsent(from: error))
            // Look-ups go through a client that waits long enough on a loaded machine: only the add is meant to time
            // out.
            try await withClient(baseURL: "http://127.0.0.1:\(port)/api", configuration: Self.patient) { client in
                // Right after: not there yet, wherever one looks.
                #expect(try await client.listContacts(customerId: 17, logger: testLogger).isEmpty)
                #expect(simulator.contacts().isEmpty)
                #expect(try await adminContactCount(port: port) == 0)
                let held = simulator.stats
                #expect(held.late == 1 && held.heldAdds == 1 && held.contacts == 0)

                // Once the delay has passed: there, once.
                let landed = try await eventually(within: .seconds(30)) {
                    try await !client.listContacts(customerId: 17, logger: testLogger).isEmpty
                }
                #expect(landed)
                let listed = try await client.listContacts(customerId: 17, logger: testLogger)
                #expect(listed.map(\.name) == ["Joe Smith"])
                #expect(simulator.contacts()[17]?.count == 1)
                #expect(try await adminContactCount(port: port) == 1)
                let (_, statsJSON) = try await httpCall("GET", "http://127.0.0.1:\(port)/admin/stats")
                let stats = try JSONDecoder().decode(KometSimulatorStats.self, from: Data(statsJSON.utf8))
                #expect(stats.late == 1)
                #expect(stats.heldAdds == 0)
                #expect(stats.contacts == 1)
                #expect(stats.addCalls == 1)
                #expect(stats.spikes == 0)
            }
        }
    }

    /// A client for the checks around a late answer.
    static let patient = KometClientConfiguration(requestTimeout: .seconds(15))

    @Test("late fault: a client that waits longer than the delay gets the contact id")
    func lateAddAnswered() async throws {
        let clientConfiguration = KometClientConfiguration(requestTimeout: .seconds(10))
        let faults = KometFaults(lateRate: 1, lateDelayMs: 500)
        try await withSimulator(faults: faults, clientConfiguration: clientConfiguration) { simulator, client in
            let start = ContinuousClock.now
            let result = try await client.addContact(sampleRequest, logger: testLogger)
            #expect(ContinuousClock.now - start >= .milliseconds(500))
            #expect(simulator.contacts()[17]?.map(\.id) == [result.contactId])
            let stats = simulator.stats
            #expect(stats.late == 1 && stats.created == 1 && stats.heldAdds == 0)
        }
    }

    @Test("late fault: the contact still lands when the server stops (its handler cancelled) before the delay")
    func lateAddOutlivesItsHandler() async throws {
        let clientConfiguration = KometClientConfiguration(requestTimeout: .seconds(3))
        let faults = KometFaults(lateRate: 1, lateDelayMs: 15_000)
        let simulator = try await withSimulator(faults: faults, clientConfiguration: clientConfiguration) {
            simulator, client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.code == .timeoutAfterSend)
            #expect(simulator.contacts().isEmpty)
            return simulator
        }
        // The server has stopped and its handlers were cancelled; the held add lands in the simulator's own time.
        #expect(simulator.stats.heldAdds == 1)
        let landed = try await eventually(within: .seconds(30)) { simulator.contacts()[17]?.count == 1 }
        #expect(landed)
        let stats = simulator.stats
        #expect(stats.contacts == 1 && stats.heldAdds == 0 && stats.created == 0)
    }

    @Test("late fault: the same seed picks the same calls")
    func lateSeeded() async throws {
        func lateCalls(seed: UInt64) async throws -> [Bool] {
            let configuration = KometSimulatorConfiguration(
                token: testToken, customers: 1...100, dailyQuota: 100, seed: seed)
            let faults = KometFaults(lateRate: 0.5, lateDelayMs: 150)
            return try await withSimulator(configuration: configuration, faults: faults) { simulator, client in
                var late: [Bool] = []
                for _ in 0..<12 {
                    let before = simulator.stats.late
                    _ = try await client.addContact(sampleRequest, logger: testLogger)
                    late.append(simulator.stats.late > before)
                }
                #expect(simulator.contacts()[17]?.count == 12)
                return late
            }
        }
        let first = try await lateCalls(seed: 7)
        #expect(first == (try await lateCalls(seed: 7)))
        #expect(first.contains(true) && first.contains(false))
    }

    @Test("a spike makes add and list take at least the spike's minimum, and is otherwise normal")
    func spike() async throws {
        let faults = KometFaults(spikeRate: 1, spikeMinMs: 400, spikeMaxMs: 600)
        try await withSimulator(faults: faults) { simulator, client in
            var start = ContinuousClock.now
            let result = try await client.addContact(sampleRequest, logger: testLogger)
            #expect(ContinuousClock.now - start >= .milliseconds(400))
            start = ContinuousClock.now
            let listed = try await client.listContacts(customerId: 17, logger: testLogger)
            #expect(ContinuousClock.now - start >= .milliseconds(400))
            #expect(listed.map(\.id) == [result.contactId])
            let stats = simulator.stats
            #expect(stats.spikes == 2)
            #expect(stats.late == 0)
            #expect(stats.created == 1 && stats.listed == 1 && stats.quotaUsed == 2)
        }
    }

    @Test("a spike longer than the client's timeout is a late answer: ambiguous to the client, the contact lands")
    func spikeAsLateAnswer() async throws {
        let clientConfiguration = KometClientConfiguration(requestTimeout: .seconds(3))
        let faults = KometFaults(spikeRate: 1, spikeMinMs: 15_000, spikeMaxMs: 15_200)
        try await withSimulatorServer(faults: faults, clientConfiguration: clientConfiguration) {
            simulator, client, port in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .ambiguous)
            #expect(error.code == .timeoutAfterSend)
            simulator.faults.spikeRate = 0
            try await withClient(baseURL: "http://127.0.0.1:\(port)/api", configuration: Self.patient) { client in
                #expect(try await client.listContacts(customerId: 17, logger: testLogger).isEmpty)
                let landed = try await eventually(within: .seconds(30)) {
                    try await client.listContacts(customerId: 17, logger: testLogger).count == 1
                }
                #expect(landed)
                #expect(simulator.stats.spikes == 1)
            }
        }
    }

    @Test("rates 0: long late and spike delays change nothing")
    func ratesZero() async throws {
        let faults = KometFaults(lateDelayMs: 60_000, spikeMinMs: 60_000, spikeMaxMs: 70_000)
        let clientConfiguration = KometClientConfiguration(requestTimeout: .seconds(10))
        try await withSimulator(faults: faults, clientConfiguration: clientConfiguration) { simulator, client in
            let start = ContinuousClock.now
            for _ in 0..<5 {
                _ = try await client.addContact(sampleRequest, logger: testLogger)
                _ = try await client.listContacts(customerId: 17, logger: testLogger)
            }
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(simulator.contacts()[17]?.count == 5)
            let stats = simulator.stats
            #expect(stats.late == 0 && stats.spikes == 0 && stats.heldAdds == 0)
            #expect(stats.created == 5 && stats.listed == 5)
        }
    }

    @Test("the new faults through the admin endpoint: partial PUT, GET, clamped values, reset")
    func adminFaults() async throws {
        try await withSimulatorServer { simulator, _, port in
            let base = "http://127.0.0.1:\(port)"
            let patch =
                #"{"lateRate": 2, "lateDelayMs": 4000, "#
                + #""spikeRate": 0.25, "spikeMinMs": 800, "spikeMaxMs": 100}"#
            let (status, answer) = try await httpCall("PUT", base + "/admin/faults", body: patch)
            #expect(status == 200)
            let expected = KometFaults(
                lateRate: 1, lateDelayMs: 4_000, spikeRate: 0.25, spikeMinMs: 800, spikeMaxMs: 800)
            #expect(try JSONDecoder().decode(KometFaults.self, from: Data(answer.utf8)) == expected)
            #expect(simulator.faults == expected)
            let (_, current) = try await httpCall("GET", base + "/admin/faults")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(current.utf8)) as? [String: Any])
            #expect((object["lateRate"] as? NSNumber)?.doubleValue == 1)
            #expect(object["lateDelayMs"] as? Int == 4_000)
            #expect(object["spikeMinMs"] as? Int == 800)
            _ = try await httpCall("POST", base + "/admin/reset")
            #expect(simulator.faults == .none)
        }
    }

    @Test("faults decode the new fields from partial JSON, with defaults that inject nothing")
    func faultsDecoding() throws {
        let defaults = try JSONDecoder().decode(KometFaults.self, from: Data("{}".utf8))
        #expect(defaults == .none)
        #expect(defaults.lateRate == 0 && defaults.spikeRate == 0)
        #expect(defaults.lateDelayMs == 20_000)
        #expect(defaults.spikeMinMs == 3_500 && defaults.spikeMaxMs == 4_500)
        let faults = try JSONDecoder().decode(
            KometFaults.self, from: Data(#"{"spikeRate": 0.1, "spikeMinMs": -3}"#.utf8))
        #expect(faults == KometFaults(spikeRate: 0.1, spikeMinMs: 0))
    }

    /// The number of contacts `GET /admin/contacts` lists.
    private func adminContactCount(port: Int) async throws -> Int {
        let (_, json) = try await httpCall("GET", "http://127.0.0.1:\(port)/admin/contacts")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(document["contacts"] as? [[String: Any]]).count
    }
}
