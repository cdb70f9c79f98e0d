import Foundation

/// A parsed JSON value that keeps integers apart from fractions and booleans apart from numbers, which
/// `JSONSerialization` does not do reliably on Linux. ``StrictJSONParser`` makes them.
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

    /// Parses `bytes` (assumed valid UTF-8) as one JSON document, strictly (RFC 8259).
    static func parse(_ bytes: [UInt8]) throws(StrictJSONParser.Failure) -> EventJSONValue {
        try StrictJSONParser.parse(bytes)
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

extension [String: EventJSONValue] {
    /// The value of `name`: an exact match first, else the first key (in sorted order) equal to it ignoring case.
    func member(_ name: String) -> EventJSONValue? {
        if let exact = self[name] { return exact }
        let lowered = name.lowercased()
        return keys.filter { $0.lowercased() == lowered }.min().flatMap { self[$0] }
    }
}
