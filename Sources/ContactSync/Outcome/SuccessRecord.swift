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
    public var komet: Komet
    /// The request that was sent (for `duplicate`: the one that would have been sent).
    public var request: KometContactRequest
    public var source: SourceRef
    /// Komet calls spent on this event (0 for a duplicate).
    public var attempts: Int
    /// Time from receipt to outcome, in milliseconds.
    public var durationMs: Int64
    public var processedAt: Date

    /// The JSON bytes published as the record value.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(OutcomeTimestamp.format(date))
        }
        return Array(try encoder.encode(self))
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

/// ISO 8601 timestamps with milliseconds in UTC, e.g. `2025-01-02T03:04:05.678Z`.
enum OutcomeTimestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func format(_ date: Date) -> String {
        date.formatted(style)
    }

    static func parse(_ text: String) -> Date? {
        try? style.parse(text)
    }
}
