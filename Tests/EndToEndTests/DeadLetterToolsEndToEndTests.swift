import Foundation
import Testing

/// Issue 10, item 4: `dlq summary` and `dlq replay` against kafka-mock, the worker and komet-sim, checked with kcat.
/// Events of a contact type that Komet does not know yet are dead-lettered `komet_rejected`; a dry run lists exactly
/// the filtered records, a replay republishes them (key and value identical, replay-count incremented), the loop
/// guard refuses them past the maximum, and once the type is registered in the simulator the replayed events are
/// created exactly once.
extension PipelineEndToEndTests {
    /// Nested in the serialized end-to-end suite, so it never runs beside another end-to-end test on 2 cores.
    @Suite("Dead-letter tools")
    struct DeadLetterToolsEndToEndTests {
        static let token = "tok-SECRET-dlq-tools-91c4"
        static let fixCount = 12
        static let okCount = 6
        static let badPhoneCount = 5
        static let badJSONCount = 3

        /// The events: contacts titled "Accounts" (mapped to the type Accounts, which the simulator does not know
        /// until the test registers it), valid contacts, and two kinds of bad events. Every record carries the
        /// header `origin=dlq-e2e`.
        static func events() -> [(key: String, value: String)] {
            var events: [(key: String, value: String)] = []
            for index in 0..<fixCount {
                events.append(
                    (
                        "dlq-fix-\(index)",
                        #"{"Contact":{"FirstName":"Fix","LastName":"Number\#(index)","Title":"Accounts","#
                            + #""Email":"fix\#(index)@example.com"},"CustomerID":\#(100 + index),"IsPrimary":false}"#
                    ))
                if index < okCount {
                    events.append(
                        (
                            "dlq-ok-\(index)",
                            #"{"Contact":{"FirstName":"Ok","LastName":"Number\#(index)"},"CustomerID":\#(200 + index)}"#
                        ))
                }
                if index < badPhoneCount {
                    events.append(
                        (
                            "dlq-phone-\(index)",
                            #"{"Contact":{"FirstName":"Bad","LastName":"Phone\#(index)","PhoneNumbers":"#
                                + #"[{"Number":"555-0100","Type":9}]},"CustomerID":\#(300 + index)}"#
                        ))
                }
                if index < badJSONCount {
                    events.append(("dlq-json-\(index)", "not json \(index)"))
                }
            }
            return events
        }

        struct Listed: Hashable {
            var action: String
            var partition: Int32
            var offset: Int64
            var reason: String
            var replayCount: String
            var target: String
            var key: String
        }

        /// The listing lines of a `dlq replay` run (columns two or more spaces apart, the key last).
        static func listing(_ output: String) -> [Listed] {
            output.split(separator: "\n").compactMap { line -> Listed? in
                let cells = line.split(separator: try! Regex("  +")).map(String.init)
                guard cells.count == 7, ["replay", "replayed", "refused", "failed"].contains(cells[0]),
                    let partition = Int32(cells[1]), let offset = Int64(cells[2])
                else { return nil }
                return Listed(
                    action: cells[0], partition: partition, offset: offset, reason: cells[3], replayCount: cells[4],
                    target: cells[5], key: cells[6])
            }
        }

        /// The `total` column of a `dlq summary` table row, by reason.
        static func summaryTotals(_ output: String) -> [String: Int] {
            var totals: [String: Int] = [:]
            var inTable = false
            for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("reason ") {
                    inTable = true
                    continue
                }
                if inTable && line.isEmpty { break }
                guard inTable else { continue }
                let cells = line.split(separator: " ")
                if cells.count >= 2, let total = Int(cells[1]) { totals[String(cells[0])] = total }
            }
            return totals
        }

        struct Tool {
            let binary: URL
            let configuration: URL
            let directory: URL

            func run(_ arguments: [String]) async throws -> CommandRunner.Result {
                try await CommandRunner.run(
                    binary, ["dlq"] + arguments + ["--config", configuration.path], timeout: .seconds(120),
                    in: directory)
            }

            /// Runs and requires exit 0.
            func checked(_ arguments: [String]) async throws -> String {
                let result = try await run(arguments)
                guard result.status == 0 else {
                    throw E2EError("dlq \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
                }
                return String(decoding: result.stdout, as: UTF8.self)
            }
        }

        static func position(_ record: KafkaRecord) -> RecordPosition { record.position }

        @Test(.timeLimit(.minutes(6)))
        func dryRunReplayGuardAndFixThroughKcat() async throws {
            let system = try await E2ESystem(name: "dlq-tools", token: Self.token)
            defer { system.shutdown() }
            let events = Self.events()
            try await system.kcat.produce(topic: E2ESystem.inputTopic, records: events, headers: ["origin=dlq-e2e"])

            let configuration = try system.writeWorkerConfiguration(
                maxInFlight: 16,
                extra: [
                    "mapping": [
                        "registeredContactTypes": "None,Buyer,A/P,Accounts", "contactTypeByTitle": "Accounts=Accounts",
                    ]
                ])
            let worker = try system.startWorker(configuration: configuration)
            let tool = Tool(
                binary: try E2EEnvironment.binary("komet-contact-sync"), configuration: configuration,
                directory: system.directory)
            var expectedOutcomes = Int64(events.count)
            try await system.waitUntil("\(expectedOutcomes) outcomes", timeout: .seconds(120), worker: worker) {
                try await system.outcomeCount() >= expectedOutcomes
            }

            // The summary counts what kcat reads from the DLQ.
            let firstDLQ = try await system.kcat.readAll(topic: E2ESystem.deadLetterTopic)
            let rejected = firstDLQ.filter { $0.header("komet-sync.reason") == "komet_rejected" }
            #expect(rejected.count == Self.fixCount)
            #expect(Set(rejected.compactMap(\.key)) == Set((0..<Self.fixCount).map { "dlq-fix-\($0)" }))
            let summary = try await tool.checked(["summary"])
            print("e2e dlq-tools: dlq summary after the first run:\n\(summary)")
            #expect(
                Self.summaryTotals(summary) == [
                    "komet_rejected": Self.fixCount, "invalid_phone_type": Self.badPhoneCount,
                    "invalid_json": Self.badJSONCount, "total": firstDLQ.count,
                ])
            #expect(firstDLQ.count == Self.fixCount + Self.badPhoneCount + Self.badJSONCount)
            #expect(summary.contains("komet_rejected      "))
            let json = try await tool.checked(["summary", "--format", "json"])
            let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            #expect((document?["total"] as? [String: Any])?["count"] as? Int == firstDLQ.count)
            #expect(
                ((document?["total"] as? [String: Any])?["ages"] as? [String: Int])?["lastHour"] == firstDLQ.count)

            // Dry runs list exactly the filtered records and publish nothing.
            let dryRun = Self.listing(try await tool.checked(["replay", "--reason", "komet_rejected", "--dry-run"]))
            #expect(
                Set(dryRun.map { RecordPosition(partition: $0.partition, offset: $0.offset) })
                    == Set(rejected.map(\.position)))
            #expect(dryRun.count == rejected.count)
            for line in dryRun {
                let record = rejected.first {
                    $0.position == RecordPosition(partition: line.partition, offset: line.offset)
                }
                #expect(line.action == "replay" && line.reason == "komet_rejected" && line.replayCount == "0 -> 1")
                #expect(line.key == record?.key)
                #expect(line.target == "contacts.created/\(record?.header("kafka_dlt-original-partition") ?? "?")")
            }
            let twoKeys = Self.listing(
                try await tool.checked(["replay", "--key", "dlq-fix-3", "--key", "dlq-phone-1", "--dry-run"]))
            #expect(Set(twoKeys.map(\.key)) == ["dlq-fix-3", "dlq-phone-1"] && twoKeys.count == 2)
            let partitionOne = firstDLQ.filter { $0.partition == 1 }.sorted { $0.offset < $1.offset }
            // An offset range of DLQ partition 1 that leaves out its first and last record: both bounds inclusive.
            try #require(partitionOne.count >= 3, "DLQ partition 1 holds \(partitionOne.count) records")
            let inner = partitionOne.dropFirst().dropLast()
            let range = Self.listing(
                try await tool.checked([
                    "replay", "--partition", "1", "--from-offset", "\(inner.first!.offset)", "--to-offset",
                    "\(inner.last!.offset)", "--dry-run",
                ]))
            #expect(range.map(\.offset) == inner.map(\.offset))
            #expect(range.allSatisfy { $0.partition == 1 })
            #expect(try await system.kcat.readAll(topic: E2ESystem.inputTopic).count == events.count)

            // Replay before the fix: republished with replay-count 1, and dead-lettered again with it.
            try await Task.sleep(for: .milliseconds(1_100))
            let beforeFirstReplay = Date()
            let firstReplayOutput = try await tool.checked(["replay", "--reason", "komet_rejected"])
            print("e2e dlq-tools: first replay:\n\(firstReplayOutput)")
            #expect(Self.listing(firstReplayOutput).filter { $0.action == "replayed" }.count == Self.fixCount)
            #expect(firstReplayOutput.contains("replayed \(Self.fixCount) of \(firstDLQ.count) dead letter(s) read"))
            let input = try await system.kcat.readAll(topic: E2ESystem.inputTopic)
            let replayed = input.filter { $0.header("komet-sync.replay-count") != nil }
            #expect(replayed.count == Self.fixCount)
            for record in replayed {
                let original = rejected.first { $0.key == record.key }
                #expect(record.payload == original?.payload, "value of \(record.key ?? "-") differs")
                #expect(record.header("komet-sync.replay-count") == "1")
                #expect(record.header("origin") == "dlq-e2e")
                #expect("\(record.partition)" == original?.header("kafka_dlt-original-partition"))
                #expect(
                    record.headerPairs.allSatisfy {
                        !$0.name.hasPrefix("kafka_dlt-") && !$0.name.hasPrefix("komet-sync.reason")
                    },
                    "dead-letter headers on \(record.key ?? "-"): \(record.headerPairs.map(\.name))")
            }
            expectedOutcomes += Int64(Self.fixCount)
            try await system.waitUntil("\(expectedOutcomes) outcomes", timeout: .seconds(120), worker: worker) {
                try await system.outcomeCount() >= expectedOutcomes
            }
            let secondDLQ = try await system.kcat.readAll(topic: E2ESystem.deadLetterTopic)
            let again = secondDLQ.filter { $0.header("komet-sync.replay-count") == "1" }
            #expect(
                again.count == Self.fixCount && again.allSatisfy { $0.header("komet-sync.reason") == "komet_rejected" })

            // The loop guard refuses them at --max-replays 1 and publishes nothing.
            let since = ISO8601DateFormatter().string(from: beforeFirstReplay)
            let guardResult = try await tool.run([
                "replay", "--reason", "komet_rejected", "--since", since, "--max-replays", "1",
            ])
            let guardOutput = String(decoding: guardResult.stdout, as: UTF8.self)
            print("e2e dlq-tools: guard run:\n\(guardOutput)")
            #expect(guardResult.status == 0)
            let refused = Self.listing(guardOutput)
            #expect(
                Set(refused.map { RecordPosition(partition: $0.partition, offset: $0.offset) })
                    == Set(again.map(\.position)))
            #expect(refused.count == Self.fixCount && refused.allSatisfy { $0.action == "refused" })
            #expect(refused.allSatisfy { $0.target == "replay-count 1 reached --max-replays 1" })
            #expect(guardOutput.contains("refused: \(Self.fixCount) replay-count reached --max-replays 1 (loop guard)"))
            #expect(try await system.kcat.readAll(topic: E2ESystem.inputTopic).count == events.count + Self.fixCount)

            // The fix: Komet learns the type. A replay of the latest dead letters creates each contact once.
            try await system.simulator.registerContactType("Accounts")
            let fixedOutput = try await tool.checked(["replay", "--reason", "komet_rejected", "--since", since])
            print("e2e dlq-tools: replay after the fix:\n\(fixedOutput)")
            #expect(
                Self.listing(fixedOutput).filter { $0.action == "replayed" && $0.replayCount == "1 -> 2" }.count
                    == Self.fixCount)
            expectedOutcomes += Int64(Self.fixCount)
            try await system.waitUntil("\(expectedOutcomes) outcomes", timeout: .seconds(120), worker: worker) {
                try await system.outcomeCount() >= expectedOutcomes
            }
            var accounts = try await system.simulator.contacts().filter { $0.type == "Accounts" }
            #expect(accounts.count == Self.fixCount)
            #expect(Set(accounts.compactMap(\.email)) == Set((0..<Self.fixCount).map { "fix\($0)@example.com" }))

            // Replaying every komet_rejected dead letter once more (both generations) creates nothing new.
            let allOutput = try await tool.checked(["replay", "--reason", "komet_rejected"])
            #expect(Self.listing(allOutput).filter { $0.action == "replayed" }.count == 2 * Self.fixCount)
            expectedOutcomes += Int64(2 * Self.fixCount)
            try await system.waitUntil("\(expectedOutcomes) outcomes", timeout: .seconds(120), worker: worker) {
                try await system.outcomeCount() >= expectedOutcomes
            }
            accounts = try await system.simulator.contacts().filter { $0.type == "Accounts" }
            #expect(accounts.count == Self.fixCount, "a replay created a second contact")
            let success = try await system.kcat.readAll(topic: E2ESystem.successTopic)
            var statuses: [String: Int] = [:]
            for record in success where record.key?.hasPrefix("dlq-fix-") == true {
                let value = try JSONSerialization.jsonObject(with: Data((record.payload ?? "").utf8)) as? [String: Any]
                statuses[value?["status"] as? String ?? "?", default: 0] += 1
            }
            #expect(statuses == ["created": Self.fixCount, "duplicate": 2 * Self.fixCount])
            let finalDLQ = try await system.kcat.readAll(topic: E2ESystem.deadLetterTopic)
            #expect(finalDLQ.count == secondDLQ.count, "replays after the fix were dead-lettered")

            let finalSummary = try await tool.checked(["summary"])
            print("e2e dlq-tools: dlq summary at the end:\n\(finalSummary)")
            #expect(
                Self.summaryTotals(finalSummary) == [
                    "komet_rejected": 2 * Self.fixCount, "invalid_phone_type": Self.badPhoneCount,
                    "invalid_json": Self.badJSONCount, "total": finalDLQ.count,
                ])
            let exit = try #require(try await worker.terminate(timeout: .seconds(30)))
            #expect(exit.reason == .exit && exit.status == 0)
        }

        /// Bad arguments exit 64 with one exact error line, before any configuration or broker is needed.
        @Test(arguments: [
            (
                ["replay", "--reason", "no_such_reason"],
                "Error: --reason: 'no_such_reason' is not a reason code; known codes: empty_payload, "
                    + "payload_too_large, invalid_utf8, invalid_json, not_an_object, invalid_cloudevent, "
                    + "unsupported_content_type, missing_contact, missing_customer_id, invalid_customer_id, "
                    + "invalid_field_type, unknown_customer, empty_name, name_too_long, type_too_long, "
                    + "unregistered_contact_type, invalid_phone_type, too_many_phone_numbers, phone_too_long, "
                    + "ext_too_long, mobile_too_long, fax_too_long, invalid_email, email_too_long, request_too_large, "
                    + "missing_key, komet_rejected, retries_exhausted, ambiguous_outcome, internal_error"
            ),
            (
                ["replay", "--since", "yesterday"],
                "Error: --since: 'yesterday' is neither an RFC 3339 time (e.g. 2026-12-04T01:00:00Z) nor a duration "
                    + "ago (e.g. 30m, 2h, 7d)"
            ),
            (
                ["replay", "--from-offset", "3"],
                "Error: --from-offset and --to-offset need --partition (they are offsets of one dead-letter partition)"
            ),
            (["replay", "--max-replays", "0"], "Error: --max-replays must be at least 1"),
            (["replay", "--partition", "x"], "Error: The value 'x' is invalid for '--partition <partition>'"),
            (
                ["summary", "--format", "xml"],
                "Error: The value 'xml' is invalid for '--format <format>'. Please provide one of 'text' and 'json'."
            ),
        ])
        func badArgumentsExit64(arguments: [String], error: String) async throws {
            let directory = try E2EEnvironment.makeTemporaryDirectory("dlq-args")
            defer { E2EEnvironment.removeTemporaryDirectory(directory) }
            let result = try await CommandRunner.run(
                try E2EEnvironment.binary("komet-contact-sync"), ["dlq"] + arguments, in: directory)
            #expect(result.status == 64, "stderr: \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").first.map(String.init) == error)
            #expect(result.stdout.isEmpty)
        }
    }
}
