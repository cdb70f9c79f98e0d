import Foundation

/// Which consumer groups a store has served: the marker that tells "a new deployment" from "a store that lost its
/// rows" at start-up (DESIGN.md, "Lost state is never silent").
///
/// A store that has no row for a group whose committed offsets exist in Kafka was emptied or replaced: starting on it
/// would call Komet again for every key it forgot. The worker records its group once its start-up check passed, and
/// `rebuild-store` records it after rebuilding the keys. Retention pruning never deletes these rows.
public protocol ServedGroups: Sendable {
    /// Whether `groupID` was recorded as served by this store.
    func servesGroup(_ groupID: String) async throws -> Bool
    /// Records `groupID` as served (idempotent: the first time is kept).
    func recordServedGroup(_ groupID: String, now: Date) async throws
    /// Names the store for operators' messages (SQLite path, PostgreSQL host and database; never a password).
    var storeName: String { get }
}
