import NIOCore

/// A complete HTTP answer from Komet, its body collected with a size bound.
struct KometHTTPResponse: Sendable {
    var status: Int
    /// The `Retry-After` header, if any.
    var retryAfter: String?
    var body: ByteBuffer
}
