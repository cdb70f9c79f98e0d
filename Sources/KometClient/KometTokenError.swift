/// Why `KometToken.load` found no token. The message names the variable or file, never a value.
public struct KometTokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code: `token_missing`, `token_file_unreadable` or `token_empty`.
    public var code: String
    public var message: String

    /// An error with a stable code and a message naming the variable or file.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "KometTokenError(\(code)): \(message)" }
}
