/// A dedupe-store operation that cannot be done in the row's current state.
public struct DedupeStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes.
    public enum Code: String, Sendable {
        /// A claim kept meeting a row that vanished before it could be read (other events inserting and removing
        /// the key all the while); the caller retries later.
        case contended
    }

    public var code: Code
    public var key: String

    public var description: String { "dedupe store: \(code.rawValue) (key \(key))" }
}
