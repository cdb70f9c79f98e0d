import Foundation

/// The outcome ledger: per input record `publishing(placement)` → `published`, so a record consumed again (after a
/// crash, a lost commit or a rebalance) never gets a second outcome.
///
/// The hot path makes few trips: ``recordStates(_:)`` reads records' marks and their keys' rows together,
/// ``markPublishing(_:now:)`` records a created contact's key `done` in the same transaction as the mark, and both it
/// and ``markPublished(_:now:)`` take the marks of many records at once.
///
/// Times are whole milliseconds (see ``StoreTime``), so every backend returns the same `Date`s.
public protocol OutcomeLedger: Sendable {
    /// The mark of an input record, or `nil` when its outcome never got as far as publishing.
    func outcomeMark(for position: RecordPosition) async throws -> OutcomeMark?
    /// Each record's mark and, when its key is given, its dedupe key's row, read in one trip (one snapshot where the
    /// backend has them); one state per request, in order.
    func recordStates(_ requests: [RecordStateRequest]) async throws -> [RecordState]
    /// Records, in one transaction, that each record's outcome is about to be produced to its placement (replacing
    /// an earlier mark) and that each created contact's key is `done` (as ``DedupeStore/markDone(key:contact:now:)``
    /// would): all are written or none.
    func markPublishing(_ marks: [PublishingMark], now: Date) async throws
    /// Records that the input records' outcomes are durable in Kafka, in one transaction.
    func markPublished(_ positions: [RecordPosition], now: Date) async throws
    /// Deletes marks last touched before `cutoff`; returns how many.
    func pruneMarks(before cutoff: Date) async throws -> Int
}

extension OutcomeLedger {
    /// The record's mark and, when `key` is given, its dedupe key's row, read in one trip.
    public func recordState(for position: RecordPosition, key: String?) async throws -> RecordState {
        try await recordStates([RecordStateRequest(position: position, key: key)])[0]
    }

    /// Records that the input record's outcome is about to be produced to `placement`, and that `keyDone`'s key is
    /// `done`, in one transaction.
    public func markPublishing(
        _ position: RecordPosition, placement: OutcomePlacement, keyDone: KeyDone? = nil, now: Date
    ) async throws {
        try await markPublishing([PublishingMark(position: position, placement: placement, keyDone: keyDone)], now: now)
    }

    /// Records that the input record's outcome is durable in Kafka.
    public func markPublished(_ position: RecordPosition, now: Date) async throws {
        try await markPublished([position], now: now)
    }
}

/// A record whose state is asked for, with its dedupe key (`nil`: the key's row is not wanted).
public struct RecordStateRequest: Sendable, Equatable {
    public var position: RecordPosition
    public var key: String?

    public init(position: RecordPosition, key: String?) {
        self.position = position
        self.key = key
    }
}

/// What the stores know of an input record before it is processed.
public struct RecordState: Sendable, Equatable {
    /// The record's outcome mark.
    public var mark: OutcomeMark?
    /// Its dedupe key's row; `nil` when the key has none, or none was asked for.
    public var entry: DedupeEntry?

    public init(mark: OutcomeMark?, entry: DedupeEntry?) {
        self.mark = mark
        self.entry = entry
    }
}

/// A key whose contact Komet created: recorded `done` together with the outcome's `publishing` mark.
public struct KeyDone: Sendable, Equatable {
    public var key: String
    public var contact: CreatedContact

    public init(key: String, contact: CreatedContact) {
        self.key = key
        self.contact = contact
    }
}

/// One record's `publishing` mark, with the created contact to record on its key.
public struct PublishingMark: Sendable, Equatable {
    public var position: RecordPosition
    public var placement: OutcomePlacement
    public var keyDone: KeyDone?

    public init(position: RecordPosition, placement: OutcomePlacement, keyDone: KeyDone?) {
        self.position = position
        self.placement = placement
        self.keyDone = keyDone
    }
}
