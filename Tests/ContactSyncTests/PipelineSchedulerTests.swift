import Kafka
import KometClient
import Testing

@testable import ContactSync

/// The scheduling state machine alone: transitions in, actions out, no Kafka, no tasks, no clock.
@Suite struct PipelineSchedulerTests {
    static let p0 = TopicPartition(topic: "contacts.created", partition: 0)
    static let p1 = TopicPartition(topic: "contacts.created", partition: 1)

    static func job(_ partition: TopicPartition = p0, offset: Int64, key: String) -> PipelineJob {
        let message = KafkaMessage(
            topic: partition.topic, partition: partition.partition, offset: offset, key: nil, value: nil, headers: [],
            timestampMilliseconds: nil)
        let request = KometContactRequest(customerId: 1, name: key, type: "Buyer")
        return PipelineJob(message: message, key: key, preparation: .ready(request))
    }

    static func offsets(_ jobs: [PipelineJob]) -> [Int64] { jobs.map(\.message.offset) }

    @Test func eventsOfOneKeyRunOneAtATimeAndOffsetsMoveOnlyPastFinishedOnes() {
        var scheduler = PipelineScheduler(maxRunning: 4, maxBuffered: 100)
        #expect(scheduler.assign([Self.p0]).resume == [Self.p0])
        let a0 = Self.job(offset: 0, key: "a")
        let b1 = Self.job(offset: 1, key: "b")
        let a2 = Self.job(offset: 2, key: "a")
        #expect(Self.offsets(scheduler.receive(a0).start) == [0])
        #expect(Self.offsets(scheduler.receive(b1).start) == [1])
        #expect(scheduler.receive(a2).start.isEmpty)  // waits behind a0
        // b1 finishes first: offset 0 is still running, so nothing can be stored.
        let afterB = scheduler.complete(b1, finished: true)
        #expect(afterB.store.isEmpty)
        #expect(afterB.start.isEmpty)
        // a0 finishes: 0 and 1 are done, the position is 2, and a2 starts.
        let afterA = scheduler.complete(a0, finished: true)
        #expect(afterA.store.map(\.1) == [2])
        #expect(Self.offsets(afterA.start) == [2])
        // An unfinished event (cancelled) frees its key but never moves the offset.
        #expect(scheduler.complete(a2, finished: false).store.isEmpty)
        #expect(scheduler.bufferedCount == 0)
    }

    @Test func concurrencyStopsAtMaxRunning() {
        var scheduler = PipelineScheduler(maxRunning: 2, maxBuffered: 100)
        _ = scheduler.assign([Self.p0])
        let jobs = (0..<4).map { Self.job(offset: Int64($0), key: "k\($0)") }
        let started = jobs.flatMap { scheduler.receive($0).start }
        #expect(Self.offsets(started) == [0, 1])
        #expect(Self.offsets(scheduler.complete(jobs[0], finished: true).start) == [2])
    }

    @Test func aFullBufferPausesAndHalfEmptyResumes() {
        var scheduler = PipelineScheduler(maxRunning: 1, maxBuffered: 4)
        _ = scheduler.assign([Self.p0])
        let jobs = (0..<4).map { Self.job(offset: Int64($0), key: "k\($0)") }
        for job in jobs.dropLast() { #expect(scheduler.receive(job).pause.isEmpty) }
        let full = scheduler.receive(jobs[3])
        #expect(full.pause == [Self.p0])
        #expect(full.cause == .backpressure)
        // Partitions assigned while the buffer is full start paused.
        #expect(scheduler.assign([Self.p1]).pause == [Self.p1])
        #expect(scheduler.complete(jobs[0], finished: true).resume.isEmpty)  // 3 left: above half
        let drained = scheduler.complete(jobs[1], finished: true)  // 2 left: half
        #expect(Set(drained.resume) == [Self.p0, Self.p1])
    }

    @Test func aKometRefusalPausesEveryPartitionUnlessTheBufferAlreadyDid() throws {
        var scheduler = PipelineScheduler(maxRunning: 1, maxBuffered: 100)
        _ = scheduler.assign([Self.p0, Self.p1])
        let pausing = scheduler.setKometPaused(true)
        let paused = try #require(pausing)
        #expect(Set(paused.pause) == [Self.p0, Self.p1])
        #expect(paused.cause == .kometRefusal)
        let again = scheduler.setKometPaused(true)
        #expect(again == nil)  // no change, nothing to do
        #expect(scheduler.assign([TopicPartition(topic: "contacts.created", partition: 2)]).resume.isEmpty)
        let resuming = scheduler.setKometPaused(false)
        let resumed = try #require(resuming)
        #expect(resumed.resume.count == 3)
    }

    @Test func aRevokeDropsWaitingEventsAndStoresTheFinalPositionUnlessLost() {
        var scheduler = PipelineScheduler(maxRunning: 1, maxBuffered: 100)
        _ = scheduler.assign([Self.p0, Self.p1])
        let running = Self.job(offset: 0, key: "a")
        _ = scheduler.receive(running)
        _ = scheduler.receive(Self.job(offset: 1, key: "b"))  // waits for a slot
        _ = scheduler.receive(Self.job(Self.p1, offset: 0, key: "c"))
        #expect(scheduler.beginRevoke([Self.p0]) == 1)
        #expect(scheduler.runningCount(in: [Self.p0]) == 1)
        // The running event ends while the revoke waits: the waiting revoke is woken.
        let ended = scheduler.complete(running, finished: true)
        #expect(ended.wakeDrain)
        #expect(scheduler.runningCount(in: [Self.p0]) == 0)
        let revoked = scheduler.endRevoke([Self.p0], lost: false)
        #expect(revoked.store.map(\.1) == [1])
        #expect(scheduler.assigned == [Self.p1])
        // A lost partition stores nothing.
        _ = scheduler.beginRevoke([Self.p1])
        #expect(scheduler.endRevoke([Self.p1], lost: true).store.isEmpty)
    }

    @Test func afterStopNothingStarts() {
        var scheduler = PipelineScheduler(maxRunning: 1, maxBuffered: 100)
        _ = scheduler.assign([Self.p0])
        let first = Self.job(offset: 0, key: "a")
        _ = scheduler.receive(first)
        _ = scheduler.receive(Self.job(offset: 1, key: "b"))
        scheduler.stop()
        #expect(scheduler.complete(first, finished: true).start.isEmpty)
        #expect(scheduler.receive(Self.job(offset: 2, key: "c")).start.isEmpty)
    }
}
