/// The store the worker opened is gone: its SQLite file was deleted, moved or replaced by another file.
public struct StoreLostError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store's file.
    public var path: String
    /// What happened to it, e.g. `the file no longer exists`.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        "store lost: the SQLite file \(path) that this worker opened is gone (\(reason)); consumption is stopped. "
            + "Stop this worker; if the file cannot be put back, run `komet-contact-sync rebuild-store --config FILE` "
            + "to rebuild the keys from the success topic before starting again"
    }
}
