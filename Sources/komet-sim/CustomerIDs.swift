import ArgumentParser

/// Parses customer ids given as `1-1000,5000,7000-7010`.
enum CustomerIDs {
    /// The most ids a list may name, to keep the set in memory small.
    static let maximumCount = 10_000_000

    static func parse(_ text: String) throws -> Set<Int64> {
        var ids = Set<Int64>()
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int64($0.trimmingCharacters(in: .whitespaces)) }
            switch bounds.count {
            case 1:
                guard let id = bounds[0] else { throw invalid(part) }
                ids.insert(id)
            default:
                guard let low = bounds[0], let high = bounds[1], low <= high else { throw invalid(part) }
                guard high - low < Int64(maximumCount) - Int64(ids.count) else {
                    throw ValidationError("--customers names more than \(maximumCount) ids")
                }
                ids.formUnion(low...high)
            }
        }
        guard !ids.isEmpty else { throw ValidationError("--customers names no customer") }
        return ids
    }

    private static func invalid(_ part: String) -> ValidationError {
        ValidationError("--customers: '\(part)' is neither an id nor a range like 1-1000")
    }
}
