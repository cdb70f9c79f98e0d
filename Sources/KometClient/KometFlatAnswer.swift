import NIOCore

/// The members of a Komet answer that is one flat JSON object of plain members, read straight from its bytes: the
/// fast path for the usual `{"status": 1, "message": "...", "contactId": 4535434}`, without a `JSONDecoder` per call.
///
/// It reads only the simplest form and gives up (`nil`) on anything else, for the `Decodable` path to decide: a
/// nested value, an escape in a string, a number that is not a plain integer, a repeated key, anything after the
/// object. So it never accepts an answer the decoders would refuse, and never reads one differently.
struct KometFlatAnswer {
    enum Value: Equatable {
        case integer(Int64)
        case string(String)
        case bool(Bool)
        case null
    }

    private(set) var members: [(key: String, value: Value)] = []

    subscript(key: String) -> Value? {
        members.first { $0.key == key }?.value
    }

    /// `status` 1, `"1"` or `true`.
    var isSuccess: Bool {
        switch self["status"] {
        case .integer(1), .string("1"), .bool(true): true
        default: false
        }
    }

    /// `contactId` as a plain integer or a string of ASCII digits.
    var contactId: Int64? {
        switch self["contactId"] {
        case .integer(let value): return value
        case .string(let text):
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                return nil
            }
            return Int64(text)
        default: return nil
        }
    }

    /// `message` if it is a string.
    var message: String? {
        if case .string(let text) = self["message"] { return text }
        return nil
    }

    /// The answer in `body`, or nil when it is not a flat object of plain members.
    init?(_ body: ByteBuffer) {
        let parsed: [(key: String, value: Value)]? = body.withUnsafeReadableBytes { bytes in
            var reader = Reader(bytes: bytes)
            return reader.object()
        }
        guard let parsed else { return nil }
        members = parsed
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        mutating func object() -> [(key: String, value: Value)]? {
            skipWhitespace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var members: [(key: String, value: Value)] = []
            skipWhitespace()
            if !take(UInt8(ascii: "}")) {
                while true {
                    skipWhitespace()
                    guard let key = string() else { return nil }
                    if members.contains(where: { $0.key == key }) { return nil }
                    skipWhitespace()
                    guard take(UInt8(ascii: ":")) else { return nil }
                    skipWhitespace()
                    guard let value = value() else { return nil }
                    members.append((key, value))
                    skipWhitespace()
                    if take(UInt8(ascii: ",")) { continue }
                    guard take(UInt8(ascii: "}")) else { return nil }
                    break
                }
            }
            skipWhitespace()
            return index == bytes.count ? members : nil
        }

        private mutating func value() -> Value? {
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            default: return integer().map(Value.integer)
            }
        }

        /// A string without escapes or control characters, as valid UTF-8.
        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        /// `-?(0|[1-9][0-9]*)` that fits an `Int64` and is not followed by a fraction or an exponent.
        private mutating func integer() -> Int64? {
            let start = index
            _ = take(UInt8(ascii: "-"))
            let digitsStart = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                index += 1
            }
            let digits = index - digitsStart
            guard digits > 0, digits == 1 || bytes[digitsStart] != UInt8(ascii: "0") else { return nil }
            if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
                return nil
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return Int64(text)
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let matches = word.withUTF8Buffer { expected in
                bytes.count - index >= expected.count
                    && expected.indices.allSatisfy { bytes[index + $0] == expected[$0] }
            }
            if matches { index += word.utf8CodeUnitCount }
            return matches
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
                default: return
                }
            }
        }
    }
}
