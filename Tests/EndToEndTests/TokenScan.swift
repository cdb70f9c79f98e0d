import Foundation

/// Looks for the token (and distinctive fragments of it) in every log line of every worker process of a run, killed
/// ones too, and in every record (key, value, headers) of the three topics.
struct TokenScan {
    /// Where a needle was found: "<place>: <needle>".
    private(set) var hits: [String] = []
    private(set) var places = 0
    private(set) var bytes = 0

    static func run(_ system: E2ESystem, fragments: [String]) async throws -> TokenScan {
        var scan = TokenScan()
        let needles = [system.token] + fragments
        for worker in system.workers {
            scan.search(worker.stderr(), in: "\(worker.name) stderr", for: needles)
            scan.search(worker.stdout(), in: "\(worker.name) stdout", for: needles)
        }
        for topic in E2ESystem.allTopics {
            // kcat -J prints key, payload and headers of each record.
            scan.search(try await system.kcat.rawDump(topic: topic), in: "topic \(topic)", for: needles)
        }
        return scan
    }

    private mutating func search(_ text: String, in place: String, for needles: [String]) {
        places += 1
        bytes += text.utf8.count
        for needle in needles where text.contains(needle) {
            hits.append("\(place): \(needle)")
        }
    }
}
