/// A mistake in the arguments of a `dlq` command (the command line exits 64 with the message).
public struct DeadLetterToolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
