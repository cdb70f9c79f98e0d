import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A worker's HTTP endpoints: `/health`, `/ready` and `/metrics`.
struct WorkerHTTP {
    let port: Int

    /// The worker's HTTP server, at the port of its `HTTP server listening` log line (JSON logs). Waits up to `bound`
    /// for the line.
    static func of(_ worker: ChildProcess, within bound: Duration = .seconds(30)) async throws -> WorkerHTTP {
        let deadline = ContinuousClock.now + bound
        while true {
            for line in worker.stderr().split(separator: "\n") where line.contains("HTTP server listening") {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let address = object["http.address"] as? String,
                    let port = address.split(separator: ":").last.flatMap({ Int($0) })
                else { continue }
                return WorkerHTTP(port: port)
            }
            if ContinuousClock.now > deadline || !worker.isRunning {
                throw E2EError("no `HTTP server listening` line in the worker's log:\n\(worker.stderrTail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `GET path`: status and body.
    func get(_ path: String) async throws -> (status: Int, body: String) {
        guard let url = URL(string: "http://127.0.0.1:\(port)/\(path)") else { throw E2EError("bad path \(path)") }
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// `GET /ready`: status and body.
    func ready() async throws -> (status: Int, body: String) { try await get("ready") }

    /// `GET /health`: status and body.
    func health() async throws -> (status: Int, body: String) { try await get("health") }

    /// `GET /metrics`, parsed; throws unless it answers 200.
    func metrics() async throws -> MetricsScrape {
        let (status, body) = try await get("metrics")
        guard status == 200 else { throw E2EError("/metrics answered \(status): \(body.prefix(300))") }
        return MetricsScrape(text: body)
    }
}

/// One `/metrics` exposition: its text and its samples.
struct MetricsScrape {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let text: String
    let samples: [Sample]

    init(text: String) {
        self.text = text
        samples = text.split(separator: "\n").compactMap(Self.parse)
    }

    /// The samples named `name` whose labels include `matching`.
    func values(_ name: String, _ matching: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The sum of the samples named `name` whose labels include `matching`.
    func sum(_ name: String, _ matching: [String: String] = [:]) -> Double {
        values(name, matching).map(\.value).reduce(0, +)
    }

    /// Metric names (families) declared by `# TYPE` lines.
    var families: Set<String> {
        Set(
            text.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ")
                return parts.count >= 3 && parts[0] == "#" && parts[1] == "TYPE" ? String(parts[2]) : nil
            })
    }

    /// `name{a="x",b="y"} value` (label values here never hold a comma or a quote).
    private static func parse(_ line: Substring) -> Sample? {
        guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
            let value = Double(line[line.index(after: space)...])
        else { return nil }
        let series = line[..<space]
        let name = String(series.prefix { $0 != "{" })
        var labels: [String: String] = [:]
        if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
            for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",")
            {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
        }
        return Sample(name: name, labels: labels, value: value)
    }
}
