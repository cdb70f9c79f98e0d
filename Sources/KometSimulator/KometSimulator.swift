import Foundation
import Hummingbird
import KometClient
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// An in-process Komet Sales simulator (Hummingbird 2) for tests and the demo.
///
/// API (as documented by Komet): `POST /api/customer.contact.add` (JSON) and
/// `GET /api/customer.contact.list?authenticationToken=&customerId=`. Refusals are HTTP 200 with
/// `{"status": 0, "message": ...}`:
/// - wrong, missing or revoked token: "Invalid authentication token" (not charged to the quota);
/// - quota spent: "Daily API request limit exceeded" until the UTC day changes or `POST /admin/quota/reset`
///   (Komet's real answer is undocumented; this is a guess);
/// - unknown customer: "Customer not found"; missing name/type or a field over `KometContactRequest.Limit`:
///   a message naming the field; unregistered type: "The contact type is not registered";
/// - body over 64 KB: "Request exceeds the 64 KB size limit" (not charged).
/// Every other call with a valid token, list included, spends one unit of the daily quota.
///
/// Admin (no token): `GET /admin/contacts`, `GET /admin/stats`, `GET /admin/faults`, `PUT /admin/faults`
/// (partial JSON keeps other fields), `GET /admin/types`, `POST /admin/types` (`{"type": "…"}` registers a contact
/// type, as an administrator does in Komet), `PUT /admin/token` (`{"token": "..."}`: the account's token is rotated,
/// the old one refused from now on, as Komet revokes it; the answer never shows either), `POST /admin/quota/reset`,
/// `POST /admin/reset` (which keeps the token).
///
/// Faults: see `KometFaults`. The ambiguous fault really closes the connection after processing the call, so
/// the client sees the connection drop after its request was written. A late or spiked add is held in the
/// simulator's state and processed at its due time whatever becomes of its request: cancelling the handler or
/// closing the connection does not stop it (`reset()` drops it). The token is never logged.
public final class KometSimulator: Sendable {
    private let configuration: KometSimulatorConfiguration
    private let logger: Logger
    private let state: Mutex<SimulatorState>

    /// A simulator with no contacts and no faults; `logger` is used by the HTTP server and never sees the token.
    public init(configuration: KometSimulatorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(SimulatorState(configuration: configuration, day: Self.currentDay()))
    }

    /// Runs the HTTP server on `host:port` (port 0 picks a free one) until the task is cancelled; calls
    /// `onListening` with the bound port once the server listens. (On cancellation Hummingbird logs
    /// "Waiting on child channel: CancellationError()" at error level; inside a `ServiceGroup` prefer `service`.)
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        try await makeApplication(host: host, port: port, onListening: onListening).run()
    }

    /// The HTTP server as a ServiceLifecycle `Service`, to run in the caller's `ServiceGroup`: it stops on
    /// graceful shutdown. `onListening` gets the bound port once the server listens.
    public func service(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) -> some Service {
        makeApplication(host: host, port: port, onListening: onListening)
    }

    /// Like `run`, but also shuts down gracefully on SIGTERM and SIGINT (for the `komet-sim` executable).
    public func runUntilSignalled(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void)
        async throws
    {
        try await makeApplication(host: host, port: port, onListening: onListening).runService()
    }

    /// The faults injected from now on (also settable with `PUT /admin/faults`).
    public var faults: KometFaults {
        get { withState { $0.faults } }
        set { withState { $0.faults = newValue.normalized } }
    }

    /// The token calls must carry from now on (also settable with `PUT /admin/token`); the previous one is refused.
    public func rotateToken(to token: String) {
        withState { $0.token = token }
    }

    /// The stored contacts, by customer id, in creation order.
    public func contacts() -> [Int64: [KometContact]] {
        withState { $0.contacts }
    }

    /// The counters, including quota used today.
    public var stats: KometSimulatorStats {
        withState { $0.stats }
    }

    /// Runs `body` on the state after processing the held adds that are due: every read and transition sees a
    /// held add as landed from its due time on.
    private func withState<Result: Sendable>(_ body: (inout SimulatorState) -> Result) -> Result {
        let now = ContinuousClock.now
        let day = Self.currentDay()
        return state.withLock { state in
            state.settle(now: now, day: day)
            return body(&state)
        }
    }

    /// The registered contact types.
    public var contactTypes: Set<String> {
        withState { $0.contactTypes }
    }

    /// Registers a contact type (also `POST /admin/types`); `reset()` forgets it.
    public func registerContactType(_ type: String) {
        withState { _ = $0.contactTypes.insert(type) }
    }

    /// Gives back the whole daily quota.
    public func resetQuota() {
        withState { $0.stats.quotaUsed = 0 }
    }

    /// Forgets contacts, held adds, counters, quota use and faults.
    public func reset() {
        withState { $0.reset() }
    }

    // MARK: Server

    private func makeApplication(
        host: String,
        port: Int,
        onListening: @escaping @Sendable (Int) -> Void
    ) -> some ApplicationProtocol {
        let router = Router(context: SimulatorRequestContext.self)
        router.post("/api/customer.contact.add") { request, context in
            try await self.handleAdd(request: request, context: context)
        }
        router.get("/api/customer.contact.list") { request, context in
            try await self.handleList(request: request, context: context)
        }
        router.get("/admin/contacts") { _, _ in
            self.adminContacts()
        }
        router.get("/admin/stats") { _, _ in
            SimulatorAnswers.json(self.stats)
        }
        router.get("/admin/faults") { _, _ in
            SimulatorAnswers.json(self.faults)
        }
        router.put("/admin/faults") { request, context in
            try await self.handlePutFaults(request: request, context: context)
        }
        router.get("/admin/types") { _, _ in
            SimulatorAnswers.json(SimulatorAnswers.ContactTypes(contactTypes: self.contactTypes.sorted()))
        }
        router.post("/admin/types") { request, context in
            try await self.handlePostType(request: request, context: context)
        }
        router.put("/admin/token") { request, context in
            try await self.handlePutToken(request: request, context: context)
        }
        router.post("/admin/quota/reset") { _, _ in
            self.resetQuota()
            return SimulatorAnswers.json(self.stats)
        }
        router.post("/admin/reset") { _, _ in
            self.reset()
            return SimulatorAnswers.json(self.stats)
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                onListening(channel.localAddress?.port ?? port)
            },
            logger: logger
        )
    }

    // MARK: API handlers

    private func handleAdd(request: Request, context: SimulatorRequestContext) async throws -> Response {
        let fault = try await beginCall(.add)
        if let early = try await answer(for: fault) { return early }
        var request = request
        let bytes: ByteBuffer
        do {
            bytes = try await request.collectBody(upTo: KometContactRequest.Limit.requestBytes)
        } catch {
            withState { $0.reject() }
            return SimulatorAnswers.failed("Request exceeds the 64 KB size limit")
        }
        guard let body = try? JSONDecoder().decode(AddContactBody.self, from: Data(bytes.readableBytesView)) else {
            withState { $0.reject() }
            return SimulatorAnswers.failed("Invalid request: the body is not a valid JSON object")
        }
        if let holdMs = fault.holdMs {
            return try await answerHeld(body, holdMs: holdMs)
        }
        let answered = fault != .ambiguous
        let day = Self.currentDay()
        let outcome = withState { state -> SimulatorState.AddOutcome in
            if let refusal = state.authorize(token: body.authenticationToken, day: day) {
                return .failed(message: refusal)
            }
            return state.addContact(body, answered: answered)
        }
        if !answered {
            logger.debug("Dropping the connection after processing an add (ambiguous fault)")
            await Self.drop(context.channel)
        }
        return Self.addAnswer(outcome)
    }

    /// Holds an add for `holdMs`: the state processes it at its due time, and the answer goes out then if the
    /// handler still runs. A cancelled handler leaves the add to land on its own.
    private func answerHeld(_ body: AddContactBody, holdMs: Int) async throws -> Response {
        let due = ContinuousClock.now + .milliseconds(holdMs)
        let ticket = withState { $0.hold(body, until: due) }
        logger.debug("Holding an add until its due time (late fault or spike)")
        do {
            try await Task.sleep(until: due, clock: .continuous)
        } catch {
            withState { $0.abandon(ticket: ticket) }
            throw error
        }
        guard let outcome = withState({ $0.takeHeldOutcome(ticket: ticket) }) else {
            // Dropped by a reset while held.
            return Self.serviceUnavailable()
        }
        return Self.addAnswer(outcome)
    }

    private static func addAnswer(_ outcome: SimulatorState.AddOutcome) -> Response {
        switch outcome {
        case .created(let contactId):
            SimulatorAnswers.json(SimulatorAnswers.Added(contactId: contactId))
        case .failed(let message):
            SimulatorAnswers.failed(message)
        }
    }

    private func handleList(request: Request, context: SimulatorRequestContext) async throws -> Response {
        let fault = try await beginCall(.list)
        if let early = try await answer(for: fault) { return early }
        if case .spike(let delayMs) = fault {
            try await Task.sleep(for: .milliseconds(delayMs))
        }
        let token = request.uri.queryParameters["authenticationToken"].map(String.init)
        let customerId = request.uri.queryParameters["customerId"].flatMap { Int64(String($0)) }
        let answered = fault != .ambiguous
        let day = Self.currentDay()
        let outcome = withState { state -> SimulatorState.ListOutcome in
            if let refusal = state.authorize(token: token, day: day) {
                return .failed(message: refusal)
            }
            return state.listContacts(customerId: customerId, answered: answered)
        }
        if !answered {
            logger.debug("Dropping the connection after processing a list (ambiguous fault)")
            await Self.drop(context.channel)
        }
        switch outcome {
        case .listed(let contacts):
            return SimulatorAnswers.json(
                SimulatorAnswers.Listed(contacts: contacts.map(SimulatorAnswers.listed)))
        case .failed(let message):
            return SimulatorAnswers.failed(message)
        }
    }

    /// Drops a connection without an answer: an abortive close (`SO_LINGER` 0, so the client gets a reset at once
    /// rather than an orderly end it could notice late), as a crashed Komet or a proxy that gave up would.
    private static func drop(_ channel: any Channel) async {
        if let socket = channel as? any SocketOptionProvider {
            try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }

    /// Applies the latency, counts the call and draws its fault.
    private func beginCall(_ endpoint: SimulatedEndpoint) async throws -> SimulatedFault {
        let latencyMs = withState { $0.faults.latencyMs }
        if latencyMs > 0 {
            try await Task.sleep(for: .milliseconds(latencyMs))
        }
        return withState { $0.beginCall(endpoint) }
    }

    /// The answer of a fault that keeps the call from being processed, or nil.
    private func answer(for fault: SimulatedFault) async throws -> Response? {
        switch fault {
        case .none, .ambiguous, .late, .spike:
            return nil
        case .serverError:
            return Self.serviceUnavailable()
        case .throttle(let retryAfterSeconds):
            var response = SimulatorAnswers.json(
                SimulatorAnswers.Failed(message: "Too many requests"),
                status: .tooManyRequests
            )
            response.headers[.retryAfter] = String(retryAfterSeconds)
            return response
        case .timeout(let sleepMs):
            try await Task.sleep(for: .milliseconds(sleepMs))
            return Self.serviceUnavailable()
        }
    }

    private static func serviceUnavailable() -> Response {
        Response(
            status: .serviceUnavailable,
            headers: [.contentType: "text/plain"],
            body: .init(byteBuffer: ByteBuffer(string: "Service Unavailable"))
        )
    }

    // MARK: Admin handlers

    private func adminContacts() -> Response {
        let byCustomer = contacts()
        let all = byCustomer.flatMap { customerId, contacts in
            contacts.map { SimulatorAnswers.admin($0, customerId: customerId) }
        }
        return SimulatorAnswers.json(
            SimulatorAnswers.AdminContacts(contacts: all.sorted { $0.base.id < $1.base.id }))
    }

    private func handlePostType(request: Request, context: SimulatorRequestContext) async throws -> Response {
        struct Body: Decodable { var type: String }
        var request = request
        let bytes = try await request.collectBody(upTo: 64 * 1024)
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(bytes.readableBytesView)),
            !body.type.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            return SimulatorAnswers.json(
                ["error": "the body is not {\"type\": \"a non-empty name\"}"], status: .badRequest)
        }
        registerContactType(body.type)
        return SimulatorAnswers.json(SimulatorAnswers.ContactTypes(contactTypes: contactTypes.sorted()))
    }

    private func handlePutFaults(request: Request, context: SimulatorRequestContext) async throws -> Response {
        var request = request
        let bytes = try await request.collectBody(upTo: 64 * 1024)
        let patch: KometFaultsPatch
        do {
            patch = try JSONDecoder().decode(KometFaultsPatch.self, from: Data(bytes.readableBytesView))
        } catch {
            return SimulatorAnswers.json(
                ["error": "the body is not a JSON object of KometFaults fields"],
                status: .badRequest
            )
        }
        let faults = withState { state -> KometFaults in
            state.faults = patch.applied(to: state.faults)
            return state.faults
        }
        return SimulatorAnswers.json(faults)
    }

    /// `PUT /admin/token` with `{"token": "..."}`: a non-empty token replaces the account's. The answer says only
    /// that it did (`{"rotated": true}`), never a token.
    private func handlePutToken(request: Request, context: SimulatorRequestContext) async throws -> Response {
        struct Body: Decodable { var token: String }
        var request = request
        let bytes = try await request.collectBody(upTo: 64 * 1024)
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(bytes.readableBytesView)),
            !body.token.isEmpty
        else {
            return SimulatorAnswers.json(
                ["error": "the body is not a JSON object with a non-empty \"token\""], status: .badRequest)
        }
        rotateToken(to: body.token)
        return SimulatorAnswers.json(["rotated": true])
    }

    private static func currentDay() -> Int64 {
        Int64((Date().timeIntervalSince1970 / 86_400).rounded(.down))
    }
}
