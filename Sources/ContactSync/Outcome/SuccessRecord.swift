import Foundation
import Kafka
import KometClient

/// The value of a record on the success topic (DESIGN.md "Topics and records"):
///
/// ```json
/// {"attempts":1,"dedupeKey":"k-1","durationMs":42,
///  "komet":{"contactId":4535434,"customerId":6326,"message":"Contact was successfully saved"},
///  "processedAt":"2025-01-02T03:04:05.678Z",
///  "request":{"customerId":6326,"name":"Joe Smith","type":"Buyer", ...},
///  "source":{"offset":17,"partition":0,"timestamp":1735787045000,"topic":"contacts.created"},
///  "status":"created"}
/// ```
///
/// Keys are sorted, `nil` fields are left out, `processedAt` is ISO 8601 UTC with milliseconds. The request is a
/// ``KometContactRequest``, which has no token field, so the record cannot leak it.
///
/// A `duplicate` names the key's first contact in `komet` (its contactId and its customer, not the duplicate event's)
/// and in `duplicateOf` (``DuplicateOf``: also when it was recorded and whether this event's request differs).
public struct SuccessRecord: Codable, Sendable, Equatable {
    /// Komet's side of the outcome.
    public struct Komet: Codable, Sendable, Equatable {
        public var customerId: Int64
        public var contactId: Int64
        /// Komet's message, or our note for `duplicate`/`reconciled`.
        public var message: String?
    }

    public var status: SuccessStatus
    public var dedupeKey: String
    /// For a `duplicate`: the key's first contact (absent for the other statuses).
    public var duplicateOf: DuplicateOf?
    /// For a `duplicate`, `customerId` is the first contact's customer (the event's own only when the key's row
    /// predates the stores keeping it; `duplicateOf.customerId` is then absent).
    public var komet: Komet
    /// The request that was sent (for `duplicate`: the one that would have been sent).
    public var request: KometContactRequest
    public var source: SourceRef
    /// Komet calls spent on this event (0 for a duplicate).
    public var attempts: Int
    /// Time from receipt to outcome, in milliseconds.
    public var durationMs: Int64
    public var processedAt: Date

    /// The JSON bytes published as the record value: written by hand, keys in sorted order (the tests hold it to
    /// `JSONEncoder`'s output with `.sortedKeys`).
    public func encoded() -> [UInt8] {
        var writer = JSONBytesWriter(capacity: 512)
        writer.beginObject()
        writer.member("attempts", Int64(attempts))
        writer.member("dedupeKey", dedupeKey)
        if let duplicateOf {
            writer.beginObject("duplicateOf")
            writer.member("contactId", duplicateOf.contactId)
            writer.member("createdAt", OutcomeTimestamp.format(duplicateOf.createdAt))
            writer.member("customerId", duplicateOf.customerId)
            writer.member("requestDiffers", duplicateOf.requestDiffers)
            writer.endObject()
        }
        writer.member("durationMs", durationMs)
        writer.beginObject("komet")
        writer.member("contactId", komet.contactId)
        writer.member("customerId", komet.customerId)
        writer.member("message", komet.message)
        writer.endObject()
        writer.member("processedAt", OutcomeTimestamp.format(processedAt))
        writer.beginObject("request")
        request.writeMembers(to: &writer)
        writer.endObject()
        writer.beginObject("source")
        writer.member("offset", source.offset)
        writer.member("partition", Int64(source.partition))
        writer.member("timestamp", source.timestamp)
        writer.member("topic", source.topic)
        writer.endObject()
        writer.member("status", status.rawValue)
        writer.endObject()
        return writer.bytes
    }

    /// Decodes a record produced by ``encoded()``.
    public static func decoded(from bytes: [UInt8]) throws -> SuccessRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = OutcomeTimestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "not an ISO 8601 timestamp with milliseconds: \(text)")
            }
            return date
        }
        return try decoder.decode(SuccessRecord.self, from: Data(bytes))
    }
}

/// ISO 8601 timestamps with milliseconds in UTC, e.g. `2025-01-02T03:04:05.678Z`. Written by hand (``LogTimestamp``),
/// the fraction truncated to the millisecond as `Date.ISO8601FormatStyle` does; read with the format style.
enum OutcomeTimestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func format(_ date: Date) -> String {
        // A microsecond's nudge, so that a whole millisecond stored as a binary fraction (…0.123 as …0.12299999)
        // is not written a millisecond early.
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000 + 0.001).rounded(.down))
        var text = ""
        text.reserveCapacity(24)
        LogTimestamp(milliseconds: milliseconds).append(to: &text)
        return text
    }

    static func parse(_ text: String) -> Date? {
        try? style.parse(text)
    }
}
