import Foundation

/// One Kafka record as kcat prints it with `-J`.
struct KafkaRecord: Decodable, Hashable {
    var topic: String
    var partition: Int32
    var offset: Int64
    var ts: Int64?
    var key: String?
    var payload: String?
    /// kcat's flat list: name, value, name, value, ...
    var headers: [String?]?

    /// The position of the record.
    var position: RecordPosition { RecordPosition(partition: partition, offset: offset) }

    /// The headers as (name, value) pairs, in order.
    var headerPairs: [(name: String, value: String?)] {
        guard let headers else { return [] }
        return stride(from: 0, to: headers.count - 1, by: 2).map { (headers[$0] ?? "", headers[$0 + 1]) }
    }

    /// The value of the last header named `name`.
    func header(_ name: String) -> String? {
        headerPairs.last { $0.name == name }?.value
    }
}

/// A partition and offset of the input topic.
struct RecordPosition: Hashable, Comparable, CustomStringConvertible {
    var partition: Int32
    var offset: Int64

    static func < (lhs: RecordPosition, rhs: RecordPosition) -> Bool {
        (lhs.partition, lhs.offset) < (rhs.partition, rhs.offset)
    }

    var description: String { "\(partition)@\(offset)" }
}
