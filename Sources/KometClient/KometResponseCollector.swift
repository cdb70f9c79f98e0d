import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Collects one Komet answer (body bounded by `maxBytes`) and records how far the request got, so that a failure
/// can be told apart as "before the request was fully written" (nothing reached Komet) or "after".
final class KometResponseCollector: HTTPClientResponseDelegate {
    typealias Response = KometHTTPResponse

    /// How far one request got. Read after the request finished or failed.
    struct Progress: Sendable {
        /// The request head was written: a connection existed.
        var headSent = false
        /// The whole request was written: Komet may have acted on it.
        var requestSent = false
        /// The status of the answer's head, once received.
        var responseStatus: Int?
        /// The answer's `Retry-After` header, if any.
        var retryAfter: String?
        var body = ByteBuffer()
    }

    /// The body passed `maxBytes`; the request was aborted.
    struct ResponseTooLarge: Error {}
    /// No connection (request head not written) within the connect timeout; the request was aborted.
    struct ConnectTimeoutElapsed: Error {}

    private let maxBytes: Int
    private let state = Mutex(Progress())

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    var progress: Progress {
        state.withLock { $0 }
    }

    func didSendRequestHead(task: HTTPClient.Task<Response>, _ head: HTTPRequestHead) {
        state.withLock { $0.headSent = true }
    }

    func didSendRequest(task: HTTPClient.Task<Response>) {
        state.withLock { $0.requestSent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock {
            $0.responseStatus = Int(head.status.code)
            $0.retryAfter = head.headers.first(name: "Retry-After")
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = state.withLock { progress -> Bool in
            guard progress.body.readableBytes + buffer.readableBytes <= maxBytes else { return false }
            var buffer = buffer
            progress.body.writeBuffer(&buffer)
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture() : task.eventLoop.makeFailedFuture(ResponseTooLarge())
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> KometHTTPResponse {
        try state.withLock { progress in
            guard let status = progress.responseStatus else { throw HTTPClientError.remoteConnectionClosed }
            return KometHTTPResponse(status: status, retryAfter: progress.retryAfter, body: progress.body)
        }
    }

    /// Called when the connect timeout elapses: aborts the request if its head has not been written yet.
    func connectTimeoutElapsed(task: HTTPClient.Task<Response>) {
        let connected = state.withLock { $0.headSent }
        if !connected {
            task.fail(reason: ConnectTimeoutElapsed())
        }
    }
}
