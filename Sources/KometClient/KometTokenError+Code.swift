extension KometTokenError {
    /// The stable code of a failed token load.
    ///
    /// ``text`` (and ``description``) is the code as the error's description shows it, e.g. `token_missing`; it
    /// never changes for a case.
    public enum Code: Sendable, Hashable, CustomStringConvertible {
        /// `token_missing`: the environment variable is unset or empty and no token file is configured.
        case tokenMissing
        /// `token_file_unreadable`: the environment variable is unset or empty and the token file cannot be read.
        case tokenFileUnreadable
        /// `token_empty`: the environment variable is unset or empty and the token file holds only whitespace.
        case tokenEmpty

        /// The code as the error's description shows it, e.g. `token_missing`.
        public var text: String {
            switch self {
            case .tokenMissing: "token_missing"
            case .tokenFileUnreadable: "token_file_unreadable"
            case .tokenEmpty: "token_empty"
            }
        }

        /// The same as ``text``.
        public var description: String { text }
    }
}
