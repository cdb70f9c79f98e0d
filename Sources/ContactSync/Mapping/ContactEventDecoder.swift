import Foundation
import Kafka

/// Turns a Kafka record's value and headers into a ``CustomerContactAdd``, or a ``BadEvent`` naming what is wrong.
///
/// Accepted shapes:
/// - a bare `CustomerContactAdd` JSON object: `{"Contact": {...}, "CustomerID": 6326, "IsPrimary": true}`;
/// - CloudEvents 1.0 **structured** mode: the header `content-type: application/cloudevents+json`, or (without that
///   header) a JSON object having `specversion` and `data` or `data_base64`. `data` is the payload object;
///   `data_base64` holds its bytes. `id` becomes ``DecodedEvent/cloudEventID``;
/// - CloudEvents 1.0 **binary** mode: a `ce_specversion` header; the value is the payload, `ce_id` becomes
///   ``DecodedEvent/cloudEventID`` and `content-type` (if present) must be JSON.
///
/// In both CloudEvents modes `specversion` must be `1.0` and `id` must be non-empty; other attributes are not
/// checked. A `content-type` header (or structured `datacontenttype`) that is not JSON
/// (`application/json`, `text/json`, `*/*+json`) is refused with ``DeadLetterReason/unsupportedContentType``.
///
/// Leniency, decided here:
/// - Unknown fields are ignored. Member names match exactly first, then ignoring case (`customerId` works).
/// - `null` is the same as an absent field.
/// - `CustomerID` may be a JSON integer or a JSON string of ASCII digits (`"6326"`), since ids travel as strings
///   in parts of both APIs; it must be in `1...Int64.max`. `1.0`/`1e2` are integral JSON numbers and accepted.
/// - A phone `Type` may be an integer, a string of digits, or RPM's enum name (`"Business"`, any case).
/// - Text fields must be JSON strings (a number in `FirstName` is refused, not converted).
///
/// The value's size is checked against `maxPayloadBytes` before anything is parsed (for `data_base64`, the decoded
/// size is checked again). Nesting deeper than 512 levels is refused as invalid JSON, never a crash.
public struct ContactEventDecoder: Sendable {
    /// The largest value accepted, in bytes.
    public var maxPayloadBytes: Int

    public init(maxPayloadBytes: Int = 1 << 20) {
        self.maxPayloadBytes = maxPayloadBytes
    }

    /// Decodes one record. `value` is the record value (`nil` for a tombstone), `headers` its Kafka headers.
    public func decode(value: [UInt8]?, headers: [KafkaHeader]) throws(BadEvent) -> DecodedEvent {
        guard let value, !value.isEmpty else {
            throw BadEvent(.emptyPayload, "value: the record has no value")
        }
        try checkSize(value.count, what: "value")
        let contentType = Self.header("content-type", in: headers).map(Self.mediaType)

        if let specVersion = Self.header("ce_specversion", in: headers) {
            // Binary mode: attributes in headers, the value is the payload.
            try Self.checkSpecVersion(specVersion, field: "ce_specversion")
            guard let id = Self.header("ce_id", in: headers), !id.isEmpty else {
                throw BadEvent(.invalidCloudEvent, "ce_id: missing or empty")
            }
            if let contentType { try Self.checkJSON(contentType, field: "content-type") }
            let root = try Self.parseObject(value, field: "value")
            return DecodedEvent(payload: try PayloadReader.payload(root), cloudEventID: id)
        }

        var structured = false
        if let contentType {
            if contentType == "application/cloudevents+json" {
                structured = true
            } else {
                try Self.checkJSON(contentType, field: "content-type")
            }
        }
        let root = try Self.parseObject(value, field: "value")
        if structured || (root["specversion"] != nil && (root["data"] != nil || root["data_base64"] != nil)) {
            return try structuredEvent(root)
        }
        return DecodedEvent(payload: try PayloadReader.payload(root), cloudEventID: nil)
    }

    private func structuredEvent(_ envelope: [String: EventJSONValue]) throws(BadEvent) -> DecodedEvent {
        guard case .string(let specVersion) = envelope["specversion"] else {
            throw BadEvent(.invalidCloudEvent, "specversion: missing or not a string")
        }
        try Self.checkSpecVersion(specVersion, field: "specversion")
        guard case .string(let id) = envelope["id"], !id.isEmpty else {
            throw BadEvent(.invalidCloudEvent, "id: missing, empty or not a string")
        }
        switch envelope["datacontenttype"] {
        case nil, .null: break
        case .string(let type): try Self.checkJSON(Self.mediaType(type), field: "datacontenttype")
        case let other?:
            throw BadEvent(.invalidCloudEvent, "datacontenttype: expected a string, found \(other.kindName)")
        }

        let payloadObject: [String: EventJSONValue]
        switch (envelope["data"], envelope["data_base64"]) {
        case (.object(let object)?, _):
            payloadObject = object
        case (let data?, _) where data != .null:
            throw BadEvent(.notAnObject, "data: expected a JSON object, found \(data.kindName)")
        case (_, .string(let base64)?):
            guard let bytes = Data(base64Encoded: base64) else {
                throw BadEvent(.invalidCloudEvent, "data_base64: not valid base64")
            }
            guard !bytes.isEmpty else { throw BadEvent(.emptyPayload, "data_base64: empty") }
            try checkSize(bytes.count, what: "data_base64")
            payloadObject = try Self.parseObject(Array(bytes), field: "data_base64")
        case (_, let other?) where other != .null:
            throw BadEvent(.invalidCloudEvent, "data_base64: expected a string, found \(other.kindName)")
        default:
            throw BadEvent(.invalidCloudEvent, "data: the CloudEvent has neither data nor data_base64")
        }
        return DecodedEvent(payload: try PayloadReader.payload(payloadObject), cloudEventID: id)
    }

    private func checkSize(_ count: Int, what: String) throws(BadEvent) {
        guard count <= maxPayloadBytes else {
            throw BadEvent(.payloadTooLarge, "\(what): \(count) bytes, limit \(maxPayloadBytes)")
        }
    }

    /// UTF-8 check, JSON parse, and "must be an object", in that order.
    private static func parseObject(_ bytes: [UInt8], field: String) throws(BadEvent) -> [String: EventJSONValue] {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw BadEvent(.invalidUTF8, "\(field): not valid UTF-8")
        }
        let root: EventJSONValue
        do {
            root = try EventJSONValue.parse(bytes)
        } catch {
            throw BadEvent(.invalidJSON, "\(field): not valid JSON \(error)")
        }
        guard case .object(let object) = root else {
            throw BadEvent(.notAnObject, "\(field): expected a JSON object, found \(root.kindName)")
        }
        return object
    }

    private static func checkSpecVersion(_ version: String, field: String) throws(BadEvent) {
        guard version == "1.0" else {
            let shown = TextNormalization.truncate(version, toCharacters: 20)
            throw BadEvent(
                .invalidCloudEvent, "\(field): unsupported CloudEvents version \"\(shown)\", expected \"1.0\"")
        }
    }

    private static func checkJSON(_ mediaType: String, field: String) throws(BadEvent) {
        let isJSON =
            mediaType == "application/json" || mediaType == "text/json"
            || (mediaType.hasSuffix("+json") && mediaType != "application/cloudevents-batch+json")
        guard isJSON else {
            let shown = TextNormalization.truncate(mediaType, toCharacters: 100)
            throw BadEvent(.unsupportedContentType, "\(field): \"\(shown)\" is not a JSON content type")
        }
    }

    /// `application/json; charset=utf-8` → `application/json`.
    private static func mediaType(_ contentType: String) -> String {
        let base = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return TextNormalization.trim(String(base)).lowercased()
    }

    /// The first header named `name` (ignoring case), as a string; `nil` when absent or not UTF-8.
    private static func header(_ name: String, in headers: [KafkaHeader]) -> String? {
        headers.first { $0.key.lowercased() == name }?.stringValue
    }
}
