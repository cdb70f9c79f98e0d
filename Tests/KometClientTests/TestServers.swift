import AsyncHTTPClient
import Hummingbird
import KometClient
import KometSimulator
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The token of every test: distinctive, with characters that need percent-encoding in a URL.
let testToken = "tok-SECRET-7f3a9c/+&= é"

/// Quiet: cancelling a Hummingbird server (as every test does at its end) logs an error line.
let testLogger: Logger = {
    var logger = Logger(label: "komet-client-tests")
    logger.logLevel = .critical
    return logger
}()

struct ServerDidNotStart: Error {}

/// Runs a server (`run` receives the callback to call with the bound port) for the duration of `body`, then
/// cancels it and waits for it to stop.
func withRunningServer<Result>(
    _ run: @escaping @Sendable (_ onListening: @escaping @Sendable (Int) -> Void) async throws -> Void,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        group.addTask {
            defer { continuation.finish() }
            try await run { port in
                continuation.yield(port)
                continuation.finish()
            }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ServerDidNotStart() }
        let result = try await body(port)
        group.cancelAll()
        return result
    }
}

/// Starts a simulator on an ephemeral loopback port and gives `body` the simulator and a client talking to it.
func withSimulator<Result>(
    configuration: KometSimulatorConfiguration = KometSimulatorConfiguration(token: testToken, customers: 1...100),
    faults: KometFaults = .none,
    clientConfiguration: KometClientConfiguration = KometClientConfiguration(),
    token: String = testToken,
    _ body: (KometSimulator, KometClient) async throws -> Result
) async throws -> Result {
    try await withSimulatorServer(
        configuration: configuration,
        faults: faults,
        clientConfiguration: clientConfiguration,
        token: token
    ) { simulator, client, _ in
        try await body(simulator, client)
    }
}

/// Like `withSimulator`, and `body` also gets the simulator's port (for its admin endpoints).
func withSimulatorServer<Result>(
    configuration: KometSimulatorConfiguration = KometSimulatorConfiguration(token: testToken, customers: 1...100),
    faults: KometFaults = .none,
    clientConfiguration: KometClientConfiguration = KometClientConfiguration(),
    token: String = testToken,
    _ body: (KometSimulator, KometClient, Int) async throws -> Result
) async throws -> Result {
    let simulator = KometSimulator(configuration: configuration, logger: testLogger)
    simulator.faults = faults
    return try await withRunningServer({ onListening in
        try await simulator.run(host: "127.0.0.1", port: 0, onListening: onListening)
    }) { port in
        try await withClient(baseURL: "http://127.0.0.1:\(port)/api", configuration: clientConfiguration, token: token)
        {
            try await body(simulator, $0, port)
        }
    }
}

/// One plain HTTP call (the simulator's admin endpoints, hand-made API calls); returns the status and the body.
func httpCall(_ method: String, _ url: String, body: String? = nil) async throws -> (Int, String) {
    var request = HTTPClientRequest(url: url)
    request.method = .init(rawValue: method)
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    return (Int(response.status.code), String(buffer: bytes))
}

/// Checks `condition` every 50 ms until it holds or `bound` has passed; returns whether it held.
func eventually(within bound: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + bound
    while true {
        if try await condition() { return true }
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// A client for `baseURL`, on its own `HTTPClient` built with the recommended configuration (or `httpConfiguration`).
func withClient<Result>(
    baseURL: String,
    configuration: KometClientConfiguration = KometClientConfiguration(),
    token: String = testToken,
    httpConfiguration: HTTPClient.Configuration? = nil,
    _ body: (KometClient) async throws -> Result
) async throws -> Result {
    var configuration = configuration
    configuration.baseURL = baseURL
    let clientConfiguration = configuration
    return try await HTTPClient.withHTTPClient(
        configuration: httpConfiguration ?? clientConfiguration.recommendedHTTPClientConfiguration
    ) { httpClient in
        try await body(
            KometClient(configuration: clientConfiguration, token: KometToken(token), httpClient: httpClient))
    }
}

/// Runs `body` with a port on 127.0.0.1 where nothing listens. The port stays bound (without `listen`) until `body`
/// returns, so connections to it are refused and no other server in the test process (the test PostgreSQL, a
/// simulator) can be handed it meanwhile.
func withClosedLoopbackPort<T>(_ body: (Int) async throws -> T) async throws -> T {
    let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw ClosedPortUnavailable() }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
            bind(socket, address, length) == 0 && getsockname(socket, address, &length) == 0
        }
    }
    guard bound else { throw ClosedPortUnavailable() }
    return try await body(Int(UInt16(bigEndian: address.sin_port)))
}

struct ClosedPortUnavailable: Error {}

/// A stand-in Komet that answers every API call with what `respond` returns, and remembers what it received.
final class StubKomet: Sendable {
    struct Received: Sendable {
        var method: String
        var uri: String
        var body: String
    }

    private let respond: @Sendable (Request) -> Response
    private let hold: @Sendable () async -> Void
    private let received = Mutex<[Received]>([])

    /// - Parameter hold: awaited before each answer, so a test can keep calls in flight.
    init(hold: @escaping @Sendable () async -> Void = {}, respond: @escaping @Sendable (Request) -> Response) {
        self.hold = hold
        self.respond = respond
    }

    var requests: [Received] {
        received.withLock { $0 }
    }

    func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            self.received.withLock {
                $0.append(
                    Received(
                        method: request.method.rawValue,
                        uri: request.uri.description,
                        body: String(buffer: body)
                    )
                )
            }
            await self.hold()
            return self.respond(request)
        }
        router.post("/api/customer.contact.add", use: handler)
        router.get("/api/customer.contact.list", use: handler)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { onListening($0.localAddress?.port ?? 0) },
            logger: testLogger
        )
        try await app.run()
    }

    /// Runs the stub for the duration of `body`, with a client pointed at it.
    func with<Result>(
        configuration: KometClientConfiguration = KometClientConfiguration(),
        httpConfiguration: HTTPClient.Configuration? = nil,
        _ body: (KometClient) async throws -> Result
    ) async throws -> Result {
        try await withRunningServer({ try await self.run(onListening: $0) }) { port in
            try await withClient(
                baseURL: "http://127.0.0.1:\(port)/api", configuration: configuration,
                httpConfiguration: httpConfiguration, body)
        }
    }

    /// A response with a body.
    static func answer(
        _ status: HTTPResponse.Status = .ok,
        _ body: String,
        headers: HTTPFields = [.contentType: "application/json"]
    ) -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Runs `operation`, which must throw a `KometError`, and returns that error.
func kometError<Value>(_ operation: () async throws(KometError) -> Value) async -> KometError? {
    do {
        _ = try await operation()
        return nil
    } catch {
        return error
    }
}

/// True when the token shows nowhere in the error (raw or percent-encoded).
func tokenAbsent(from error: KometError) -> Bool {
    let texts = [String(describing: error), String(reflecting: error), error.message]
    let encodedToken = "tok-SECRET-7f3a9c%2F%2B%26%3D%20%C3%A9"
    return texts.allSatisfy { !$0.contains(testToken) && !$0.contains("SECRET") && !$0.contains(encodedToken) }
}

let sampleRequest = KometContactRequest(
    customerId: 17,
    name: "Joe Smith",
    type: "Buyer",
    phone: "594-123-0982",
    ext: "345",
    email: "joe@example.com",
    description: "nothing special"
)
