/// Why `KometToken.load` found no token. The message names the variable or file, never a value.
public struct KometTokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code (see ``Code``); its text (`token_missing`, …) is what the error's description shows.
    public var code: Code
    /// What is missing, naming the variable or file.
    public var message: String

    public var description: String { "KometTokenError(\(code)): \(message)" }
}
