import Foundation
import Kafka
import KometClient
import Logging
import Synchronization
import Testing

@testable import ContactSync

/// A consumer stand-in: remembers stored offsets and pauses.
final class FakeConsumer: ConsumerControl {
    private struct State {
        var offsets: [TopicPartition: [Int64]] = [:]
        var paused = 0
        var resumed = 0
        var pausedNow: Set<TopicPartition> = []
        var refuseStores = false
    }

    private let state = Mutex(State())

    func storeOffset(_ partition: TopicPartition, nextOffset: Int64) throws {
        try state.withLock { state throws(KafkaError) in
            // Like librdkafka for a partition that is between assignments.
            if state.refuseStores { throw KafkaError(code: -172, message: "not assigned (test)") }
            state.offsets[partition, default: []].append(nextOffset)
        }
    }

    /// Makes `storeOffset` fail (or work again).
    func refuseStores(_ refuse: Bool) { state.withLock { $0.refuseStores = refuse } }
    func pause(_ partitions: [TopicPartition]) throws {
        state.withLock { state in
            state.paused += 1
            state.pausedNow.formUnion(partitions)
        }
    }
    func resume(_ partitions: [TopicPartition]) throws {
        state.withLock { state in
            if !state.pausedNow.isDisjoint(with: partitions) { state.resumed += 1 }
            state.pausedNow.subtract(partitions)
        }
    }

    func storedOffsets(_ partition: TopicPartition) -> [Int64] { state.withLock { $0.offsets[partition] ?? [] } }
    var pauseCount: Int { state.withLock { $0.paused } }
    /// Resumes of a paused partition (resuming one that is not paused counts for nothing, as in librdkafka).
    var resumeCount: Int { state.withLock { $0.resumed } }
    /// The partitions paused and not resumed since.
    var pausedPartitions: Set<TopicPartition> { state.withLock { $0.pausedNow } }
}

/// A producer stand-in: keeps what was published (one partition per topic, offsets in publish order); can fail the
/// first publishes like a broker outage. It is also the outcome lookup, reading its own records back.
final class FakeSink: OutcomeSink, OutcomeLookup {
    struct Published: Sendable {
        var topic: String
        var partition: Int32 = 0
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [KafkaHeader]

        func header(_ name: String) -> String? {
            headers.first { $0.key == name }?.stringValue
        }
    }

    private let state: Mutex<(records: [Published], failuresLeft: Int, timeoutsLeft: Int)>
    private let maxValueBytes: Int
    private let onAttempt: @Sendable () -> Void

    /// - Parameters:
    ///   - failFirst: how many publishes fail like a broker outage.
    ///   - timeOutFirst: how many publishes land in the partition but report a message timeout anyway.
    ///   - maxValueBytes: larger values are refused like a topic's `max.message.bytes` refuses them.
    ///   - onAttempt: runs before every publish attempt, failed ones included.
    init(
        failFirst: Int = 0, timeOutFirst: Int = 0, maxValueBytes: Int = .max,
        onAttempt: @escaping @Sendable () -> Void = {}
    ) {
        state = Mutex(([], failFirst, timeOutFirst))
        self.maxValueBytes = maxValueBytes
        self.onAttempt = onAttempt
    }

    func placement(topic: String, key: [UInt8]?) async throws -> OutcomePlacement {
        state.withLock { state in
            OutcomePlacement(topic: topic, partition: 0, fromOffset: Int64(state.records.count { $0.topic == topic }))
        }
    }

    func publish(topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) async throws {
        onAttempt()
        if let value, value.count > maxValueBytes {
            throw KafkaError(code: KafkaError.messageTooLargeCode, message: "too large (test)")
        }
        try state.withLock { state in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw KafkaError(code: -185, message: "broker down (test)")
            }
            state.records.append(
                Published(topic: topic, partition: partition, key: key, value: value, headers: headers))
            if state.timeoutsLeft > 0 {
                state.timeoutsLeft -= 1
                throw KafkaError(code: -192, message: "message timed out (test)")
            }
        }
    }

    /// Appends a record as if an earlier process had published it.
    func append(_ record: Published) {
        state.withLock { $0.records.append(record) }
    }

    func contains(outcomeOf position: RecordPosition, in placement: OutcomePlacement) async throws -> Bool {
        let candidates = records.filter { $0.topic == placement.topic }.dropFirst(Int(placement.fromOffset))
        return candidates.contains { record in
            let message = KafkaMessage(
                topic: record.topic, partition: record.partition, offset: 0, key: record.key, value: record.value,
                headers: record.headers, timestampMilliseconds: nil)
            return KafkaOutcomeLookup.source(of: message, deadLetterTopic: "contacts.komet.dlq") == position
        }
    }

    var records: [Published] { state.withLock { $0.records } }
}

/// Komet stand-in: answers each add with a script, lists what it created, and measures concurrency per key.
final class FakeKomet: KometAPI {
    typealias Script = @Sendable (_ request: KometContactRequest, _ call: Int) -> Swift.Result<Void, KometError>

    private struct State {
        var addCalls = 0
        var listCalls = 0
        var created: [KometContact] = []
        var runningByName: [String: Int] = [:]
        var running = 0
        var maxRunning = 0
        var overlappedKey = false
        var order: [String] = []
        /// When the first call (add or list) came.
        var firstCall: Date?
    }

    private let state = Mutex(State())
    private let script: Script
    private let delay: Duration
    private let hold: @Sendable (KometContactRequest) async -> Void
    private let listRefusal: @Sendable (_ customerId: Int64) -> KometError?

    /// - Parameters:
    ///   - delay: how long every call takes.
    ///   - script: the answer to each call.
    ///   - hold: awaited before a call answers, so a test can keep one call in flight as long as it likes.
    ///   - listRefusal: the error a list call of a customer fails with, if any.
    init(
        delay: Duration = .zero,
        script: @escaping Script = { _, _ in .success(()) },
        hold: @escaping @Sendable (KometContactRequest) async -> Void = { _ in },
        listRefusal: @escaping @Sendable (_ customerId: Int64) -> KometError? = { _ in nil }
    ) {
        self.listRefusal = listRefusal
        self.delay = delay
        self.hold = hold
        self.script = script
    }

    func addContact(_ request: KometContactRequest, logger: Logger) async throws(KometError) -> KometAddResult {
        let call: Int = state.withLock { state in
            state.addCalls += 1
            if state.firstCall == nil { state.firstCall = Date() }
            state.running += 1
            state.maxRunning = max(state.maxRunning, state.running)
            state.runningByName[request.name, default: 0] += 1
            if state.runningByName[request.name]! > 1 { state.overlappedKey = true }
            state.order.append(request.name + "|" + (request.description ?? ""))
            return state.addCalls
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        await hold(request)
        let answer = script(request, call)
        return try state.withLock { state throws(KometError) in
            state.running -= 1
            state.runningByName[request.name]! -= 1
            switch answer {
            case .success:
                let id = Int64(1_000 + state.created.count)
                state.created.append(
                    KometContact(
                        id: id, name: request.name, type: request.type, phone: request.phone, email: request.email))
                return KometAddResult(contactId: id, message: "Contact was successfully saved")
            case .failure(let error):
                if error.failureClass == .ambiguous {
                    // The request went through; only the answer was lost.
                    let id = Int64(1_000 + state.created.count)
                    state.created.append(
                        KometContact(
                            id: id, name: request.name, type: request.type, phone: request.phone, email: request.email))
                }
                throw error
            }
        }
    }

    func listContacts(customerId: Int64, logger: Logger) async throws(KometError) -> [KometContact] {
        let created = state.withLock { state in
            state.listCalls += 1
            if state.firstCall == nil { state.firstCall = Date() }
            return state.created
        }
        if let refusal = listRefusal(customerId) { throw refusal }
        return created
    }

    var addCalls: Int { state.withLock { $0.addCalls } }
    var listCalls: Int { state.withLock { $0.listCalls } }
    var created: [KometContact] { state.withLock { $0.created } }
    var maxRunning: Int { state.withLock { $0.maxRunning } }
    var overlappedKey: Bool { state.withLock { $0.overlappedKey } }
    /// "name|description" of every add call, in call order.
    var callOrder: [String] { state.withLock { $0.order } }
    /// When the first call (add or list) came, if any did.
    var firstCallAt: Date? { state.withLock { $0.firstCall } }
}

extension Pipeline {
    /// `revoking(_:lost:)` called as librdkafka's poll thread calls it: on a thread of its own. It blocks its thread
    /// while the revoked partitions drain; called on Swift's cooperative pool (two threads on a 2-core machine), two
    /// tests revoking at once would starve every other test in the process, and the events they wait for, until
    /// their drain timeouts.
    func revokingOnOwnThread(_ partitions: [TopicPartition], lost: Bool = false) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                self.revoking(partitions, lost: lost)
                continuation.resume()
            }
            thread.name = "test-poll-thread"
            thread.start()
        }
    }
}

/// Builds a pipeline over fakes and drives it like the consumer's poll thread would.
struct PipelineHarness {
    static let topic = "contacts.created"
    let consumer = FakeConsumer()
    let sink: FakeSink
    let komet: FakeKomet
    let store: any DedupeStore & OutcomeLedger
    let pipeline: Pipeline
    let health = HealthState()

    init(
        komet: FakeKomet = FakeKomet(),
        sink: FakeSink = FakeSink(),
        store: any DedupeStore & OutcomeLedger = InMemoryStore(),
        maxInFlight: Int = 8,
        maxBuffered: Int = 1_000,
        ambiguousPolicy: AmbiguousPolicy = .reconcile,
        claims: ClaimSettings = PipelineHarness.claims,
        drainTimeout: Duration = .seconds(5),
        storeRefreshInterval: Duration = .seconds(5),
        retry: RetryPolicy = RetryPolicy(
            maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxElapsed: .seconds(10),
            throttleDelay: .milliseconds(20), systemicProbeInterval: .milliseconds(20),
            quotaProbeInterval: .milliseconds(20)),
        limiter: CallLimiter? = nil
    ) {
        self.komet = komet
        self.sink = sink
        self.store = store
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        pipeline = Pipeline(
            configuration: PipelineConfiguration(
                maxInFlight: maxInFlight, maxBuffered: maxBuffered, drainTimeout: drainTimeout,
                storeRefreshInterval: storeRefreshInterval, ambiguousPolicy: ambiguousPolicy),
            stages: EventStages(
                preparer: EventPreparer(
                    decoder: ContactEventDecoder(), mapper: ContactMapper(configuration: MappingConfiguration()),
                    keyStrategy: DedupeKeyStrategy()),
                processor: EventProcessor(
                    keys: store, komet: komet, retry: retry, ambiguousPolicy: ambiguousPolicy,
                    maxInFlight: maxInFlight, claims: claims,
                    limiter: limiter,
                    owner: "test-owner", logger: logger),
                publisher: OutcomePublisher(
                    recorder: OutcomeRecorder(
                        successTopic: "contacts.komet.succeeded", deadLetterTopic: "contacts.komet.dlq",
                        tokens: KometTokenSource(KometToken("secret-token-for-tests"), origin: .fixed),
                        logPersonalData: false,
                        health: health),
                    ledger: store, keys: store, sink: sink, lookup: sink, logger: logger)),
            consumer: consumer,
            health: health,
            logger: logger
        )
    }

    /// Leases of a minute, and a late-arrival window short enough that a test's ambiguous answers are reconciled at
    /// once.
    static let claims = ClaimSettings(
        lease: .seconds(60), lateArrivalWindow: .milliseconds(20), holdPollInterval: .milliseconds(10))

    /// A claim a crashed process took two minutes ago: its lease and late-arrival window are over.
    static func crashedClaim(
        _ key: String, in store: some DedupeStore, owner: String = "crashed-replica", origin: String? = nil
    ) async throws -> ClaimResult {
        let then = Date().addingTimeInterval(-120)
        return try await store.claim(
            key: key, owner: owner, origin: origin, now: then, leaseUntil: then.addingTimeInterval(60))
    }

    static func partition(_ number: Int32) -> TopicPartition { TopicPartition(topic: topic, partition: number) }

    static func event(name: String, customer: Int64 = 7, extra: String = "") -> String {
        #"{"Contact":{"FirstName":"\#(name)","LastName":"Test","Title":"\#(extra)"},"CustomerID":\#(customer)}"#
    }

    static func message(partition: Int32 = 0, offset: Int64, key: String?, value: String) -> KafkaMessage {
        KafkaMessage(
            topic: topic, partition: partition, offset: offset, key: key.map { Array($0.utf8) },
            value: Array(value.utf8), headers: [], timestampMilliseconds: 1_700_000_000_000)
    }

    /// Assigns `partitions`, feeds `messages`, waits until `expected` outcomes are published, then revokes and stops.
    func run(
        _ messages: [KafkaMessage], partitions: [Int32] = [0], expecting expected: Int? = nil,
        timeout: Duration = .seconds(20),
        whileRunning: @Sendable () async throws -> Void = {}
    ) async throws {
        let assigned = partitions.map(Self.partition)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pipeline.run() }
            pipeline.assigned(assigned)
            for message in messages { pipeline.receive(message) }
            try await whileRunning()
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while sink.records.count < (expected ?? messages.count) && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            await pipeline.revokingOnOwnThread(assigned)
            pipeline.finish()
            try await group.waitForAll()
        }
    }
}
