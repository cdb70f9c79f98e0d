import Foundation

/// Notices when the SQLite file a store opened is no longer the file at its path (deleted, moved, or replaced by
/// another file). SQLite itself goes on writing to an unlinked file without an error, so the worker would forget
/// every key on its next start; comparing the path's device and inode with the opened file's makes the loss loud.
public struct SQLiteFileWatcher: Sendable {
    /// A file's identity: device and inode.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    public let path: String
    private let opened: Identity?

    /// Remembers the identity of the file now at `path` (call it right after opening the database).
    public init(path: String) {
        self.path = path
        opened = Self.identity(of: path)
    }

    /// Why the file at the path is no longer the opened one, or `nil` while it is.
    public func check() -> String? {
        guard let opened else { return "the file could not be examined when it was opened" }
        guard let now = Self.identity(of: path) else { return "the file no longer exists at its path" }
        return now == opened ? nil : "another file has replaced it at its path"
    }

    /// Checks every `interval` until the file is lost (throws ``StoreLostError``) or the task is cancelled (returns).
    public func watch(interval: Duration = .seconds(1)) async throws {
        while (try? await Task.sleep(for: interval)) != nil {
            if let reason = check() { throw StoreLostError(path: path, reason: reason) }
        }
    }

    private static func identity(of path: String) -> Identity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}
