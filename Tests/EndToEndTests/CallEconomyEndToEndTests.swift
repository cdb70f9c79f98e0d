import Foundation
import Testing

extension PipelineEndToEndTests {
    /// Call economy with several replicas on one PostgreSQL store and no faults: every Komet call is one of the daily
    /// quota (1,000 per licensed user), so a replica set without faults makes exactly one call per distinct valid
    /// contact, re-sends and rebalances included, and a customer Komet does not know costs one call in all, however
    /// many events name it and whichever replica gets them. Calls are counted by the simulator (`/admin/stats`: adds
    /// and lists). Nested in the serialized pipeline suite, like the fault runs.
    @Suite("Call economy")
    struct CallEconomyEndToEndTests {
        static let token = PipelineEndToEndTests.token
        /// A customer id outside komet-sim's `--customers` range: the simulator answers its adds and lists with
        /// status 0, "Customer not found".
        static let unknownCustomer = E2ESystem.customers.upperBound + 3_241

        /// 3 replicas joining one after another while 1,200 events (900 distinct keys, 300 re-sends) are processed:
        /// calls / distinct valid contacts = 1.00 exactly.
        @Test(.timeLimit(.minutes(3)))
        func oneCallPerContactWithoutFaults() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            // 100 ms per call and 4 events in flight per replica: the run outlasts the joins.
            let system = try await E2ESystem(
                name: "call-economy", token: Self.token, simulatorLatencyMs: 100, partitions: 12)
            defer { system.shutdown() }
            let plan = EventPlan(
                runID: "ce", unique: 900, badPerKind: 0, duplicates: 300, customers: E2ESystem.customers, seed: 71)
            try await system.produce(plan)
            let expected = Int64(plan.events.count)
            let replicas = try await ReplicaSet(
                system: system, maxInFlight: 4,
                extra: WorkerSettings.merged(["komet": ["requestTimeout": "2s"]], WorkerSettings.fencedClaims))

            // The second and third replicas join while the first is processing: partitions move with events in flight.
            try replicas.start()
            try await replicas.waitForOutcomes(expected / 10)
            try replicas.start()
            try await replicas.waitForOutcomes(expected * 3 / 10)
            try replicas.start()
            try await replicas.waitUntilFinished(expected: expected, timeout: .seconds(120))
            let exits = try await replicas.terminateAll()
            let failedExits = exits.filter { !$0.exitedZero }.map { "\($0.name): \($0.status)" }
            #expect(failedExits.isEmpty, "replicas that did not exit 0 after SIGTERM: \(failedExits)")

            let audit = try await ReplicaRunAudit.collect(system: system, plan: plan)
            #expect(
                audit.calls == audit.distinctValidContacts,
                Comment(
                    rawValue: "\(audit.calls) Komet calls (\(audit.stats["addCalls", default: 0]) adds, "
                        + "\(audit.stats["listCalls", default: 0]) lists) for \(audit.distinctValidContacts) "
                        + "distinct valid contacts: \(audit.callsPerContactText) per contact, expected 1.00"))
            #expect(
                audit.duplicateContacts == 0,
                PipelineEndToEndTests.comment("duplicate contacts", audit.duplicateExamples))
            #expect(audit.inputsWithoutOneOutcome == 0, "\(audit.inputsWithoutOneOutcome) inputs without one outcome")
            #expect(audit.uncommitted.isEmpty, "committed != end offsets: \(audit.uncommittedText)")
            #expect(
                audit.outcomes.issues.isEmpty,
                PipelineEndToEndTests.comment("call-economy run problems", audit.outcomes.issues))
            // The run was a replica set's: more than one replica published outcomes.
            let publishing = replicas.replicas.count { replica in
                WorkerLogLine.parse(replica.process.stderr()).contains { $0.message == "contact synced" }
            }
            #expect(publishing >= 2, "only \(publishing) replica published outcomes: \(replicas.logSummary())")

            let seconds = PipelineEndToEndTests.seconds(clock.now - start)
            print("e2e call economy: replicas: \(replicas.logSummary())")
            print("e2e call economy: \(plan.events.count) events, \(audit.summary); \(seconds) s")
            print(
                FaultTable.line(
                    name: "call economy (3 replicas, no faults)", events: plan.events.count,
                    faults: "none; replicas 2 and 3 join mid-run; \(plan.duplicateCount) re-sends", audit: audit,
                    seconds: seconds))
        }

        /// 3 replicas with their partitions assigned; one event for a customer Komet does not know, then (once it is
        /// dead-lettered) 24 more with other keys, spread over the partitions: one call in all.
        @Test(.timeLimit(.minutes(2)))
        func unknownCustomerCostsOneCallInAll() async throws {
            let clock = ContinuousClock()
            let start = clock.now
            let system = try await E2ESystem(
                name: "unknown-customer", token: Self.token, simulatorLatencyMs: 5, partitions: 12)
            defer { system.shutdown() }
            var plan = EventPlan(
                runID: "uc", unique: 0, badPerKind: 0, duplicates: 0, customers: E2ESystem.customers, seed: 72)
            let events = plan.appendUnknownCustomerEvents(
                customerId: Self.unknownCustomer, count: 25, runID: "uc", seed: 73)
            let replicas = try await ReplicaSet(
                system: system, maxInFlight: 4,
                extra: WorkerSettings.merged(["komet": ["requestTimeout": "2s"]], WorkerSettings.fencedClaims))
            try replicas.start(count: 3)
            try await replicas.waitUntil("every replica has partitions", timeout: .seconds(60)) {
                replicas.replicas.allSatisfy { replica in
                    WorkerLogLine.parse(replica.process.stderr()).contains {
                        $0.message == "Kafka partitions assigned" && $0.level == "info"
                    }
                }
            }

            // The first event alone: Komet's answer to it is what the others may reuse.
            try await system.produce(Array(events.prefix(1)))
            try await replicas.waitForOutcomes(1, timeout: .seconds(60))
            let afterFirst = try await system.simulator.counters()
            try await system.produce(Array(events.dropFirst()))
            try await replicas.waitUntilFinished(expected: Int64(events.count), timeout: .seconds(60))
            let exits = try await replicas.terminateAll()
            let failedExits = exits.filter { !$0.exitedZero }.map { "\($0.name): \($0.status)" }
            #expect(failedExits.isEmpty, "replicas that did not exit 0 after SIGTERM: \(failedExits)")

            let audit = try await ReplicaRunAudit.collect(system: system, plan: plan)
            let adds = audit.stats["addCalls", default: 0]
            let lists = audit.stats["listCalls", default: 0]
            #expect(afterFirst["addCalls", default: 0] == 1, "the first event took \(afterFirst) calls")
            #expect(
                audit.calls == 1,
                Comment(
                    rawValue: "\(audit.calls) Komet calls (\(adds) adds, \(lists) lists) for \(events.count) events "
                        + "of one unknown customer, expected 1 in all"))
            #expect(audit.inputsWithoutOneOutcome == 0, "\(audit.inputsWithoutOneOutcome) inputs without one outcome")
            #expect(audit.uncommitted.isEmpty, "committed != end offsets: \(audit.uncommittedText)")
            #expect(
                audit.outcomes.issues.isEmpty,
                PipelineEndToEndTests.comment("unknown-customer run problems", audit.outcomes.issues))
            #expect(audit.outcomes.deadLetters == events.count)
            // The events reached more than one replica (the memory must hold for all of them).
            let deadLettering = replicas.replicas.map { replica in
                WorkerLogLine.parse(replica.process.stderr()).count { $0.message == "event dead-lettered" }
            }
            #expect(deadLettering.count { $0 > 0 } >= 2, "dead letters by replica: \(deadLettering)")

            let contents = try await system.readTopics()
            let partitions = Set(contents.input.map(\.partition)).count
            let seconds = PipelineEndToEndTests.seconds(clock.now - start)
            print(
                "e2e unknown customer: \(events.count) events for customer \(Self.unknownCustomer) over \(partitions) "
                    + "partitions, dead letters by replica \(deadLettering); \(audit.calls) calls (\(adds) adds, "
                    + "\(lists) lists), \(afterFirst["addCalls", default: 0]) for the first event; \(seconds) s")
            print(
                FaultTable.line(
                    name: "unknown customer (3 replicas)", events: events.count,
                    faults: "none; \(events.count) events of customer \(Self.unknownCustomer), which Komet does not "
                        + "know: \(audit.calls) calls in all", audit: audit, seconds: seconds))
        }
    }
}
