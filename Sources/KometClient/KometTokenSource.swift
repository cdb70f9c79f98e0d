import Foundation
import Logging
import Synchronization

/// The Komet token the process uses now, and where it came from: a token given by file can rotate without a restart.
///
/// The client reads ``current`` for every call (a lock, no I/O). The file is read again only by ``refresh(force:logger:)``:
/// forced before every probe of a paused call gate (a refused token pauses calls; the probe then carries whatever
/// the file holds now), and otherwise only when the file's identity, size or modification time changed (one `stat`,
/// from a slow background loop), never once per call. A file that cannot be read or is empty during a rotation keeps
/// the current token and logs an error naming the file and the code, never a token.
///
/// A token given by environment variable cannot rotate: the process only reads its environment at start-up.
public final class KometTokenSource: Sendable {
    /// Where the token came from.
    public enum Origin: Sendable, Equatable {
        /// The environment variable: fixed until a restart.
        case environment(variable: String)
        /// A file, read again when it changes (`komet.tokenFile`).
        case file(path: String)
        /// Given in code (the demo, tests): fixed.
        case fixed

        /// Whether a rotation of the token can take effect without a restart.
        public var canRotate: Bool {
            if case .file = self { true } else { false }
        }
    }

    /// What a ``refresh(force:logger:)`` did.
    public enum Refresh: Sendable, Equatable {
        /// The token is the same (or the file was not read: it did not change).
        case unchanged
        /// The file holds another token, used from now on.
        case rotated
        /// The file could not be read or was empty: the current token stays.
        case failed(KometTokenError.Code)
        /// The token does not come from a file.
        case notRotatable
    }

    /// A file's identity and change marks, as `stat` gives them (symbolic links followed, so a Kubernetes secret's
    /// swapped `..data` link counts as a change).
    struct FileStamp: Sendable, Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64
    }

    private struct State {
        var current: KometToken
        /// Every token held since start, newest last (a few: rotations are rare), so that a late answer echoing the
        /// previous token is redacted too.
        var held: [KometToken]
        var stamp: FileStamp?
        /// The failure last logged, so a file that stays unreadable logs once, not at every check.
        var failure: KometTokenError.Code?
    }

    /// Tokens kept for redaction at most.
    private static let heldLimit = 8

    public let origin: Origin
    private let state: Mutex<State>

    /// A source holding `token`, which came from `origin` (for a file, the file as it is now is its stamp).
    public init(_ token: KometToken, origin: Origin) {
        self.origin = origin
        var stamp: FileStamp?
        if case .file(let path) = origin { stamp = Self.stamp(of: path) }
        state = Mutex(State(current: token, held: [token], stamp: stamp, failure: nil))
    }

    /// A source for `token` as ``KometToken/load(environment:variable:file:)`` chose it: from the environment variable
    /// when that is set and not empty, otherwise from `file`.
    public convenience init(loaded token: KometToken, environment: [String: String], variable: String, file: String?) {
        let fromVariable =
            environment[variable].map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? false
        if !fromVariable, let file {
            self.init(token, origin: .file(path: file))
        } else if fromVariable {
            self.init(token, origin: .environment(variable: variable))
        } else {
            self.init(token, origin: .fixed)
        }
    }

    /// The token to send now.
    public var current: KometToken {
        state.withLock { $0.current }
    }

    /// `text` with every token this source has held replaced by `<redacted>` (see ``KometToken/redact(_:)``).
    public func redact(_ text: String) -> String {
        let held = state.withLock { $0.held }
        return held.reversed().reduce(text) { text, token in token.redact(text) }
    }

    /// Reads the token file again: always when `force` (before a probe), otherwise only when its stamp changed since
    /// the last read. A new token is used from the next call on; a file that cannot be read or is empty keeps the
    /// current token. Logs a rotation and each new failure (naming the file, never a token).
    @discardableResult
    public func refresh(force: Bool, logger: Logger) -> Refresh {
        guard case .file(let path) = origin else { return .notRotatable }
        let stamp = Self.stamp(of: path)
        let known = state.withLock { state in state.stamp != nil && state.stamp == stamp && state.failure == nil }
        if known && !force { return .unchanged }
        let loaded: Result<KometToken, KometTokenError>
        do {
            loaded = .success(try KometToken.load(environment: [:], file: path))
        } catch let error as KometTokenError {
            loaded = .failure(error)
        } catch {
            loaded = .failure(
                KometTokenError(code: .tokenFileUnreadable, message: "the token file \(path) cannot be read"))
        }
        let (refresh, logFailure, recovered): (Refresh, KometTokenError?, Bool) = state.withLock { state in
            switch loaded {
            case .failure(let error):
                let isNew = state.failure != error.code
                state.failure = error.code
                return (.failed(error.code), isNew ? error : nil, false)
            case .success(let token):
                let recovered = state.failure != nil
                state.failure = nil
                state.stamp = stamp
                guard token != state.current else { return (.unchanged, nil, recovered) }
                state.current = token
                state.held.removeAll { $0 == token }
                state.held.append(token)
                if state.held.count > Self.heldLimit { state.held.removeFirst(state.held.count - Self.heldLimit) }
                return (.rotated, nil, recovered)
            }
        }
        let metadata: Logger.Metadata = [KometLogKey.tokenFile: .string(path)]
        if let logFailure {
            logger.error(
                "cannot read the Komet token file again: keeping the current token",
                metadata: metadata.merging([KometLogKey.code: .string(logFailure.code.text)]) { _, new in new })
        } else if refresh == .rotated {
            logger.notice("the Komet token file holds a new token: calls use it from now on", metadata: metadata)
        } else if recovered {
            logger.notice("the Komet token file is readable again; its token is unchanged", metadata: metadata)
        }
        return refresh
    }

    static func stamp(of path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
            let modified = info.st_mtimespec
        #else
            let modified = info.st_mtim
        #endif
        return FileStamp(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: Int64(modified.tv_sec), modifiedNanoseconds: Int64(modified.tv_nsec))
    }
}
