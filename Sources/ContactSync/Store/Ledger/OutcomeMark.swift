import Foundation

/// Where an outcome record is being published: its topic, the partition chosen for it, and an offset at or below the
/// one it will get. After a crash, that partition is read from `fromOffset` to find out whether the record arrived.
public struct OutcomePlacement: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var fromOffset: Int64
}

/// The outcome ledger's state for one input record.
public enum OutcomeMark: Sendable, Equatable {
    /// The outcome record was handed to the producer; whether it arrived is unknown until the delivery report.
    case publishing(OutcomePlacement, since: Date)
    /// The outcome record is durable in Kafka: the input record must not get another one.
    case published(at: Date)
}

extension OutcomeMark {
    /// When the mark was last written; marks are pruned by it.
    var touchedAt: Date {
        switch self {
        case .publishing(_, let since): since
        case .published(let at): at
        }
    }
}
