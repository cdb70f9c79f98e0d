/// JSON written straight into bytes, for the documents written once per event (Komet's request body, the success
/// record): no `Encodable` boxing, no intermediate value tree, no key sorting at run time.
///
/// The caller writes an object's members in the order they should appear (the success record's keys sorted, as
/// DESIGN.md asks); keys are static ASCII and written as they are. Strings are escaped as `JSONEncoder` escapes them
/// with `.withoutEscapingSlashes`: quote, backslash, `\b \t \n \f \r`, the other control characters as lowercase
/// `\u00xx`, everything else as raw UTF-8. A `nil` value leaves its member out, as `Codable`'s synthesised
/// `encodeIfPresent` does. The tests compare its output with `JSONEncoder`'s.
public struct JSONBytesWriter: Sendable {
    /// What has been written so far.
    public private(set) var bytes: [UInt8]
    /// The next member of the open object needs a comma before it.
    private var needsComma = false

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Opens an object: the document itself, or, with a key, a member of the open object.
    public mutating func beginObject(_ key: StaticString? = nil) {
        if let key { writeKey(key) }
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Closes the innermost open object.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func member(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        writeKey(key)
        writeString(value)
    }

    public mutating func member(_ key: StaticString, _ value: Int64?) {
        guard let value else { return }
        writeKey(key)
        writeInteger(value)
    }

    public mutating func member(_ key: StaticString, _ value: Bool?) {
        guard let value else { return }
        writeKey(key)
        append(value ? "true" : "false")
    }

    private mutating func writeKey(_ key: StaticString) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        bytes.append(UInt8(ascii: "\""))
        append(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func writeInteger(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // Digits are written last to first, then put in order; the magnitude is unsigned, so Int64.min has one too.
        let first = bytes.count
        var rest = value.magnitude
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes[first...].reverse()
    }

    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Most strings need no escape: copy the runs between escapes whole.
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                default:
                    append("u00")
                    bytes.append(Self.hexDigit(byte >> 4))
                    bytes.append(Self.hexDigit(byte & 0x0F))
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
