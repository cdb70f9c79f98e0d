/// An `Int64` that Komet may send as a JSON number or as a string of digits (ids in `customer.list` examples).
struct LenientInt64: Sendable, Hashable, Decodable {
    var value: Int64

    init(_ value: Int64) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self),
            let number = Int64(text.trimmingCharacters(in: .whitespaces))
        {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not an integer or a string of digits")
        }
    }
}

/// A `Bool` that may come as `true`/`false`, `1`/`0` or `"true"`/`"false"`/`"1"`/`"0"`.
struct LenientBool: Sendable, Hashable, Decodable {
    var value: Bool

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            value = flag
        } else if let number = try? container.decode(Int.self), number == 0 || number == 1 {
            value = number == 1
        } else if let text = try? container.decode(String.self) {
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "1": value = true
            case "false", "0": value = false
            default:
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a boolean")
            }
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a boolean")
        }
    }
}
