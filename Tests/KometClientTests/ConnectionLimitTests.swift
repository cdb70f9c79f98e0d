import AsyncHTTPClient
import KometClient
import Synchronization
import Testing

/// `maxConnections` is what bounds the calls in flight: AsyncHTTPClient's own default of 8 connections per host would
/// otherwise cap them at 8, whatever the caller's concurrency.
@Suite("Connections to Komet")
struct ConnectionLimitTests {
    /// Holds each call until `target` calls are in flight at once, or `patience` has passed, and records the most calls
    /// seen in flight together.
    final class ConcurrencyProbe: Sendable {
        private let state = Mutex<(current: Int, most: Int)>((0, 0))
        let target: Int
        let patience: Duration

        init(target: Int, patience: Duration) {
            self.target = target
            self.patience = patience
        }

        var most: Int { state.withLock { $0.most } }

        func hold() async {
            state.withLock { state in
                state.current += 1
                state.most = max(state.most, state.current)
            }
            let deadline = ContinuousClock.now + patience
            while state.withLock({ $0.current }) < target, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(5))
            }
            state.withLock { $0.current -= 1 }
        }
    }

    /// Makes `calls` concurrent adds through a client built with `httpConfiguration` (the recommended one by default)
    /// and returns the most calls the stub saw in flight at once. Each call is held up to `patience` for the others.
    /// Calls queued behind a full pool wait that long for a connection, within the client's connect timeout.
    static func mostInFlight(
        calls: Int, configuration: KometClientConfiguration, httpConfiguration: HTTPClient.Configuration? = nil,
        patience: Duration = .seconds(1)
    ) async throws -> Int {
        let probe = ConcurrencyProbe(target: calls, patience: patience)
        let stub = StubKomet(hold: { await probe.hold() }) { _ in
            StubKomet.answer(.ok, #"{"status": 1, "contactId": 7, "message": "Contact was successfully saved"}"#)
        }
        try await stub.with(configuration: configuration, httpConfiguration: httpConfiguration) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<calls {
                    group.addTask { _ = try await client.addContact(sampleRequest, logger: testLogger) }
                }
                try await group.waitForAll()
            }
        }
        return probe.most
    }

    @Test("up to maxConnections calls are in flight at once", arguments: [(4, 8), (32, 32)])
    func maxConnectionsBoundsCallsInFlight(maxConnections: Int, calls: Int) async throws {
        var configuration = KometClientConfiguration()
        configuration.maxConnections = maxConnections
        #expect(
            configuration.recommendedHTTPClientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit
                == maxConnections)
        // When every call can have its connection, they may wait longer for each other: 32 connections can take more
        // than a second to open on a loaded machine. Otherwise the queued calls must not wait past the connect timeout.
        let patience: Duration = calls <= maxConnections ? .seconds(3) : .seconds(1)
        #expect(
            try await Self.mostInFlight(calls: calls, configuration: configuration, patience: patience)
                == min(maxConnections, calls))
    }

    @Test("AsyncHTTPClient's own default holds calls at 8 (so the test above can fail)")
    func httpClientDefaultIsEight() async throws {
        var http = HTTPClient.Configuration()
        http.connectionPool.retryConnectionEstablishment = false
        #expect(
            try await Self.mostInFlight(calls: 16, configuration: KometClientConfiguration(), httpConfiguration: http)
                == 8)
    }
}
