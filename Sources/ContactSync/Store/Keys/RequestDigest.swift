import Crypto
import KometClient

/// A stable digest of a `customer.contact.add` request: the lower-case hex SHA-256 of its canonical JSON, the
/// `request` object exactly as the success record and Komet's body write it (``KometContactRequest/writeMembers(to:)``:
/// keys sorted, absent fields left out, `JSONEncoder`'s escapes), without the token, which the request type does not
/// hold. Two requests have the same digest exactly when they would send the same fields.
///
/// Unlike the dedupe key's request hash (``DedupeKeyStrategy/requestHash(_:)``, which normalises case and spaces to
/// recognise one contact), this compares what would be sent byte for byte: it tells whether an event that reused a key
/// asked for something else than the event that created its contact. SHA-256 (swift-crypto, already a dependency)
/// rather than a shorter non-cryptographic hash: the digest is kept per key for the retention, and a collision would
/// hide a reused key.
public struct RequestDigest: Sendable, Hashable, CustomStringConvertible {
    /// 64 lower-case hex digits.
    public let hex: String

    /// A digest as stored (64 lower-case hex digits); `nil` for any other text.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ Self.hexDigits.contains($0) }) else { return nil }
        self.hex = hex
    }

    /// The digest of `request`'s canonical JSON.
    public init(of request: KometContactRequest) {
        let digest = SHA256.hash(data: Self.canonicalJSON(of: request))
        var text = ""
        text.reserveCapacity(64)
        for byte in digest {
            text.append(Character(Unicode.Scalar(Self.hexDigits[Int(byte >> 4)])))
            text.append(Character(Unicode.Scalar(Self.hexDigits[Int(byte & 0x0F)])))
        }
        hex = text
    }

    /// `{` + the request's members in sorted key order + `}`: the bytes the digest is taken of.
    public static func canonicalJSON(of request: KometContactRequest) -> [UInt8] {
        var writer = JSONBytesWriter(capacity: 256)
        writer.beginObject()
        request.writeMembers(to: &writer)
        writer.endObject()
        return writer.bytes
    }

    public var description: String { hex }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
