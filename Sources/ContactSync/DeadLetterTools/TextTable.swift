/// Plain-text tables for the `dlq` commands: columns padded to their widest cell, two spaces apart.
enum TextTable {
    static func render(headings: [String], rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        let all = [headings] + rows
        var widths = [Int](repeating: 0, count: headings.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                let isLast = index == row.count - 1
                if index > 0 { line += "  " }
                if rightAligned.contains(index) {
                    line += pad + cell
                } else {
                    line += isLast ? cell : cell + pad
                }
            }
            return line
        }
    }
}
