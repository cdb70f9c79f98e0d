import Foundation

/// A parsed JSON value that keeps integers apart from fractions and booleans apart from numbers, which
/// `JSONSerialization` does not do reliably on Linux.
///
/// Parsing goes through Foundation's `JSONDecoder`, whose scanner refuses nesting deeper than 512 levels, so deep
/// input fails with an error instead of exhausting the stack. Each level decides its kind before decoding its
/// children, so a bad leaf costs constant work per level (no backtracking).
enum EventJSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number that is an integer in `Int64` range (`1`, `1.0` and `1e2` all count as integers).
    case integer(Int64)
    /// Any other number: a fraction or an integer outside `Int64`'s range.
    case number(Double)
    case string(String)
    case array([EventJSONValue])
    case object([String: EventJSONValue])

    /// Parses `bytes` (assumed valid UTF-8) as one JSON document.
    static func parse(_ bytes: [UInt8]) throws -> EventJSONValue {
        try JSONDecoder().decode(EventJSONValue.self, from: Data(bytes))
    }

    /// A short name of the kind, for error details ("found a string").
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension EventJSONValue: Decodable {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var result: [String: EventJSONValue] = [:]
            for key in object.allKeys {
                result[key.stringValue] = try object.decode(EventJSONValue.self, forKey: key)
            }
            self = .object(result)
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var result: [EventJSONValue] = []
            while !array.isAtEnd {
                result.append(try array.decode(EventJSONValue.self))
            }
            self = .array(result)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? single.decode(Double.self) {
            self = .number(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }
}

extension [String: EventJSONValue] {
    /// The value of `name`: an exact match first, else the first key (in sorted order) equal to it ignoring case.
    func member(_ name: String) -> EventJSONValue? {
        if let exact = self[name] { return exact }
        let lowered = name.lowercased()
        return keys.filter { $0.lowercased() == lowered }.min().flatMap { self[$0] }
    }
}
