import Crypto
import Foundation
import KometClient

/// Picks the dedupe key of an event: the first configured source that yields a non-empty key.
///
/// - ``DedupeKeySource/messageKey``: the record key as UTF-8 text; a key that is not valid UTF-8 becomes
///   `"b64:" + base64(bytes)`.
/// - ``DedupeKeySource/cloudEventID``: the CloudEvents id, unchanged.
/// - ``DedupeKeySource/requestHash``: `"sha256:" + hex(SHA-256(canonical request))`, see ``canonicalForm(of:)``.
///
/// Keys are used as they are (no prefix for the first two), so a key means the same across restarts and replicas.
public struct DedupeKeyStrategy: Sendable {
    /// The sources to try, in order.
    public var order: [DedupeKeySource]

    public init(order: [DedupeKeySource] = [.messageKey, .cloudEventID, .requestHash]) {
        self.order = order
    }

    /// The key of one event, or ``DeadLetterReason/missingKey`` when no configured source yields one.
    public func key(messageKey: [UInt8]?, cloudEventID: String?, request: KometContactRequest) throws(BadEvent)
        -> String
    {
        for source in order {
            switch source {
            case .messageKey:
                guard let messageKey, !messageKey.isEmpty else { continue }
                return Self.text(ofMessageKey: messageKey)
            case .cloudEventID:
                guard let cloudEventID, !cloudEventID.isEmpty else { continue }
                return cloudEventID
            case .requestHash:
                return Self.requestHash(request)
            }
        }
        let tried = order.map(\.rawValue).joined(separator: ", ")
        throw BadEvent(.missingKey, "dedupe key: none of the configured sources [\(tried)] yielded a key")
    }

    /// The key a bad event would have had, for its log line, when it does not depend on the request: the first
    /// source in ``order`` that yields one is the record key or the CloudEvents id. `nil` when the request hash
    /// comes first, or when the CloudEvents id would decide but the event could not be decoded (`eventDecoded` false).
    public func keyWithoutRequest(messageKey: [UInt8]?, cloudEventID: String?, eventDecoded: Bool) -> String? {
        for source in order {
            switch source {
            case .messageKey:
                guard let messageKey, !messageKey.isEmpty else { continue }
                return Self.text(ofMessageKey: messageKey)
            case .cloudEventID:
                guard eventDecoded else { return nil }
                guard let cloudEventID, !cloudEventID.isEmpty else { continue }
                return cloudEventID
            case .requestHash:
                return nil
            }
        }
        return nil
    }

    /// A record key as a dedupe key: its UTF-8 text, or `"b64:"` + base64 when it is not valid UTF-8.
    private static func text(ofMessageKey messageKey: [UInt8]) -> String {
        if let text = String(validating: messageKey, as: UTF8.self) { return text }
        return "b64:" + Data(messageKey).base64EncodedString()
    }

    /// `"sha256:"` + the lower-case hex SHA-256 of ``canonicalForm(of:)``.
    public static func requestHash(_ request: KometContactRequest) -> String {
        let digest = SHA256.hash(data: Array(canonicalForm(of: request).utf8))
        return "sha256:"
            + digest.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }

    /// A stable text form of a request: one `field=value` line per field in a fixed order, each value trimmed
    /// (name: inner whitespace collapsed; email: lower-cased) and written as `<utf8 length>:<text>` so that no
    /// value can imitate a separator; an absent field is `-`. Two requests for the same contact give the same form.
    public static func canonicalForm(of request: KometContactRequest) -> String {
        func text(_ value: String?) -> String {
            guard let value else { return "-" }
            return "\(value.utf8.count):\(value)"
        }
        func trimmed(_ value: String?) -> String? { value.map(TextNormalization.trim) }
        let fields: [(String, String)] = [
            ("v", "1"),
            ("customerId", String(request.customerId)),
            ("name", text(TextNormalization.collapseWhitespace(request.name))),
            ("type", text(trimmed(request.type))),
            ("phone", text(trimmed(request.phone))),
            ("ext", text(trimmed(request.ext))),
            ("mobile", text(trimmed(request.mobile))),
            ("fax", text(trimmed(request.fax))),
            ("email", text(trimmed(request.email)?.lowercased())),
            ("description", text(trimmed(request.description))),
            ("instantMessaging", text(trimmed(request.instantMessaging))),
            ("emailPOD", request.emailPOD.map { $0 ? "true" : "false" } ?? "-"),
        ]
        return fields.map { "\($0.0)=\($0.1)\n" }.joined()
    }
}
