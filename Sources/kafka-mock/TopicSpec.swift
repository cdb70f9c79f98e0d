import ArgumentParser

/// A `--topic` value: `name` or `name:partitions`.
struct TopicSpec {
    var name: String
    var partitions: Int32

    init(_ spec: String, defaultPartitions: Int32) throws {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let first = parts.first, !first.isEmpty else {
            throw ValidationError("Invalid topic \"\(spec)\": expected name or name:partitions")
        }
        name = String(first)
        if parts.count == 2 {
            guard let count = Int32(parts[1]), count >= 1 else {
                throw ValidationError("Invalid partition count in topic \"\(spec)\"")
            }
            partitions = count
        } else {
            partitions = defaultPartitions
        }
    }
}
