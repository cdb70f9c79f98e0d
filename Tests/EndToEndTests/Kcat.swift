import Foundation

/// Produces and reads records with kcat, a third-party client, so the tests see real Kafka records.
struct Kcat {
    let executable: URL
    let bootstrapServers: String
    let directory: URL

    init(bootstrapServers: String, directory: URL) throws {
        executable = try E2EEnvironment.tool("kcat")
        self.bootstrapServers = bootstrapServers
        self.directory = directory
    }

    /// Produces one record per (key, value), in order, uncompressed, each with `headers` (`name=value`). Neither key
    /// nor value may contain a tab or a newline.
    func produce(topic: String, records: [(key: String, value: String)], headers: [String] = []) async throws {
        var text = ""
        for record in records {
            precondition(!record.key.contains("\t") && !record.key.contains("\n") && !record.value.contains("\n"))
            text += "\(record.key)\t\(record.value)\n"
        }
        let file = directory.appendingPathComponent("produce-\(topic)-\(UUID().uuidString.prefix(8)).txt")
        try Data(text.utf8).write(to: file)
        _ = try await CommandRunner.checked(
            executable,
            ["-P", "-b", bootstrapServers, "-t", topic, "-K", "\t", "-z", "none", "-X", "linger.ms=20"]
                + headers.flatMap { ["-H", $0] },
            stdinFile: file,
            timeout: .seconds(120),
            in: directory
        )
    }

    /// Every record of `topic`, from the beginning to the current end.
    func readAll(topic: String) async throws -> [KafkaRecord] {
        let output = try await CommandRunner.checked(
            executable,
            ["-C", "-b", bootstrapServers, "-t", topic, "-J", "-e", "-o", "beginning", "-u", "-q"],
            timeout: .seconds(120),
            in: directory
        )
        let decoder = JSONDecoder()
        var records: [KafkaRecord] = []
        for line in output.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            do {
                records.append(try decoder.decode(KafkaRecord.self, from: Data(line)))
            } catch {
                throw E2EError("kcat printed a line that is not a record: \(String(decoding: line, as: UTF8.self))")
            }
        }
        return records
    }

    /// Every record of `topic`, as the raw text kcat printed (for "does X appear anywhere" checks).
    func rawDump(topic: String) async throws -> String {
        let output = try await CommandRunner.checked(
            executable,
            ["-C", "-b", bootstrapServers, "-t", topic, "-J", "-e", "-o", "beginning", "-u", "-q"],
            timeout: .seconds(120),
            in: directory
        )
        return String(decoding: output, as: UTF8.self)
    }
}
