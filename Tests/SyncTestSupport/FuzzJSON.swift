import Foundation

/// A JSON document as building blocks, so that a mutation can produce any text, valid or not.
public indirect enum FuzzJSON: Sendable {
    /// Literal text written as it is: numbers, `true`, `null`, or something broken.
    case raw(String)
    /// A string, escaped when written.
    case string(String)
    case array([FuzzJSON])
    case object([(String, FuzzJSON)])

    public var text: String {
        switch self {
        case .raw(let text): return text
        case .string(let value): return Self.quoted(value)
        case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { Self.quoted($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    public static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// The number of nodes, this one included.
    public var count: Int {
        switch self {
        case .raw, .string: return 1
        case .array(let items): return 1 + items.reduce(0) { $0 + $1.count }
        case .object(let members): return 1 + members.reduce(0) { $0 + $1.1.count }
        }
    }

    /// Replaces the node at pre-order `index` with `transform(node)`.
    public func replacing(at index: Int, _ transform: (FuzzJSON) -> FuzzJSON) -> FuzzJSON {
        var remaining = index
        return replacing(&remaining, transform)
    }

    private func replacing(_ remaining: inout Int, _ transform: (FuzzJSON) -> FuzzJSON) -> FuzzJSON {
        if remaining == 0 {
            remaining = -1
            return transform(self)
        }
        remaining -= 1
        switch self {
        case .raw, .string: return self
        case .array(let items):
            var result: [FuzzJSON] = []
            for item in items { result.append(remaining >= 0 ? item.replacing(&remaining, transform) : item) }
            return .array(result)
        case .object(let members):
            var result: [(String, FuzzJSON)] = []
            for member in members {
                result.append((member.0, remaining >= 0 ? member.1.replacing(&remaining, transform) : member.1))
            }
            return .object(result)
        }
    }
}
