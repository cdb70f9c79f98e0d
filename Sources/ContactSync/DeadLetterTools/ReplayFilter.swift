/// Which dead letters `dlq replay` considers. Every set criterion must hold; an empty filter takes every record.
///
/// Times are the dead-letter record's timestamp (when the worker dead-lettered the event, the time `dlq summary` ages
/// by), so a filter can pick the dead letters of one incident, or those of the latest replay. `partition` and the
/// offsets are the dead-letter topic's (what the dry run lists), so a listed range can be replayed exactly.
public struct ReplayFilter: Sendable, Equatable {
    /// Reason codes; empty: any reason (and records without a known one).
    public var reasons: Set<DeadLetterReason> = []
    /// Dead-lettered at or after, in milliseconds since 1970.
    public var since: Int64?
    /// Dead-lettered before, in milliseconds since 1970.
    public var until: Int64?
    /// Record keys (UTF-8 bytes); empty: any key.
    public var keys: Set<[UInt8]> = []
    /// The dead-letter topic's partition.
    public var partition: Int32?
    /// The first dead-letter offset, inclusive.
    public var fromOffset: Int64?
    /// The last dead-letter offset, inclusive.
    public var toOffset: Int64?

    public init(
        reasons: Set<DeadLetterReason> = [], since: Int64? = nil, until: Int64? = nil, keys: Set<[UInt8]> = [],
        partition: Int32? = nil, fromOffset: Int64? = nil, toOffset: Int64? = nil
    ) {
        self.reasons = reasons
        self.since = since
        self.until = until
        self.keys = keys
        self.partition = partition
        self.fromOffset = fromOffset
        self.toOffset = toOffset
    }

    /// Checks the combination: offsets need one partition, ranges must not be empty.
    public func validate() throws(DeadLetterToolError) {
        if (fromOffset != nil || toOffset != nil) && partition == nil {
            throw DeadLetterToolError(
                "--from-offset and --to-offset need --partition (they are offsets of one dead-letter partition)")
        }
        if let partition, partition < 0 { throw DeadLetterToolError("--partition: \(partition) is negative") }
        if let fromOffset, fromOffset < 0 { throw DeadLetterToolError("--from-offset: \(fromOffset) is negative") }
        if let toOffset, toOffset < 0 { throw DeadLetterToolError("--to-offset: \(toOffset) is negative") }
        if let fromOffset, let toOffset, fromOffset > toOffset {
            throw DeadLetterToolError("--from-offset \(fromOffset) is after --to-offset \(toOffset)")
        }
        if let since, let until, since >= until {
            throw DeadLetterToolError(
                "--since \(ReplayTime.format(milliseconds: since)) is not before --until "
                    + ReplayTime.format(milliseconds: until))
        }
    }

    /// The offset to start reading `partition` of the dead-letter topic at.
    public func startOffset(partition: Int32) -> Int64 {
        self.partition == partition ? fromOffset ?? 0 : 0
    }

    /// The offset to stop reading `partition` before, when `--to-offset` bounds it.
    public func endOffset(partition: Int32) -> Int64? {
        self.partition == partition ? toOffset.map { $0 + 1 } : nil
    }

    /// Whether `partition` of the dead-letter topic can hold a match.
    public func reads(partition: Int32) -> Bool {
        self.partition == nil || self.partition == partition
    }

    public func matches(_ entry: DeadLetterEntry) -> Bool {
        let message = entry.message
        if let partition, message.partition != partition { return false }
        if let fromOffset, message.offset < fromOffset { return false }
        if let toOffset, message.offset > toOffset { return false }
        if !reasons.isEmpty {
            guard let reason = entry.reason, reasons.contains(reason) else { return false }
        }
        if !keys.isEmpty {
            guard let key = message.key, keys.contains(key) else { return false }
        }
        if since != nil || until != nil {
            guard let at = entry.deadLetteredAt else { return false }
            if let since, at < since { return false }
            if let until, at >= until { return false }
        }
        return true
    }
}
