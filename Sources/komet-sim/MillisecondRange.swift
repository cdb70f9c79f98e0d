import ArgumentParser

/// Parses a range of milliseconds given as `MIN-MAX` (`3500-4500`) or as one value (`4000`).
enum MillisecondRange {
    static func parse(_ text: String, option: String) throws -> ClosedRange<Int> {
        let bounds = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard let low = bounds.first ?? nil, let high = bounds.last ?? nil, low >= 0, low <= high else {
            throw ValidationError("\(option): '\(text)' is not a range of milliseconds like 3500-4500")
        }
        return low...high
    }
}
