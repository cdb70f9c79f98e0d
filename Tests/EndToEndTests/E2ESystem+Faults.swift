import Foundation

extension E2ESystem {
    /// Waits until the group has committed every input record and at least `expected` outcome records exist (the
    /// worker commits an input only once its outcome is durable, so this is "the run is finished").
    func waitUntilFinished(expected: Int64, timeout: Duration, worker: ChildProcess) async throws {
        do {
            try await waitUntil("every input committed", timeout: timeout, worker: worker) {
                let snapshot = try await self.snapshot()
                return snapshot.uncommitted(Self.inputTopic).isEmpty
                    && snapshot.recordCount(Self.successTopic) + snapshot.recordCount(Self.deadLetterTopic) >= expected
            }
        } catch let error as E2EError {
            guard let snapshot = try? await snapshot() else { throw error }
            let outcomes = snapshot.recordCount(Self.successTopic) + snapshot.recordCount(Self.deadLetterTopic)
            let uncommitted = snapshot.uncommitted(Self.inputTopic).sorted { $0.key < $1.key }
                .map { "partition \($0.key): committed \($0.value.committed), end \($0.value.end)" }
            // What moves offsets: the worker's rebalances, commit failures and refused stores.
            let offsetLines = worker.stderr().split(separator: "\n").filter { line in
                [
                    "partitions assigned", "partitions revoked", "partitions lost", "being revoked",
                    "offset not stored",
                    "COMMITFAIL", "SESSTMOUT", "MAXPOLL",
                ].contains { line.contains($0) }
            }
            throw E2EError(
                "\(error.description)\n-- at the timeout: \(outcomes) of \(expected) outcome records; uncommitted: "
                    + "\(uncommitted.isEmpty ? "none" : uncommitted.joined(separator: "; "))\n-- worker offset lines:\n"
                    + offsetLines.suffix(40).joined(separator: "\n"))
        }
    }

    /// Sends one fault command (`broker-down 1`, `broker-up 1`, ...) to kafka-mock and waits for its `ok`.
    func mockCommand(_ command: String, timeout: Duration = .seconds(10)) async throws {
        let linesBefore = kafkaMock.stdout().split(separator: "\n").count
        try kafkaMock.send(line: command)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let lines = kafkaMock.stdout().split(separator: "\n")
            if lines.count > linesBefore, kafkaMock.stdout().hasSuffix("\n") {
                let answer = lines[linesBefore].trimmingCharacters(in: .whitespaces)
                guard answer == "ok" else { throw E2EError("kafka-mock answered `\(command)` with `\(answer)`") }
                return
            }
            if clock.now > deadline {
                throw E2EError(
                    "kafka-mock did not answer `\(command)` within \(timeout); stderr:\n"
                        + kafkaMock.stderrTail())
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The DLQ records appended between two snapshots (by the DLQ topic's end offsets).
    static func deadLetters(
        in records: [KafkaRecord], from start: OffsetProbe.Snapshot, to end: OffsetProbe.Snapshot
    ) -> [KafkaRecord] {
        records.filter { record in
            let partition = String(record.partition)
            let low = start.end[deadLetterTopic]?[partition] ?? 0
            let high = end.end[deadLetterTopic]?[partition] ?? Int64.max
            return record.offset >= low && record.offset < high
        }
    }
}
