import Testing

@testable import ContactSync

@Suite struct OffsetTrackerTests {
    @Test func committableIsTheLowestUnfinishedOffset() {
        var tracker = OffsetTracker()
        for offset in Int64(10)...14 { tracker.track(offset) }
        #expect(tracker.committable == 10)
        // Later events finish first: the position must not pass the unfinished offset 10.
        #expect(tracker.finish(12) == nil)
        #expect(tracker.finish(11) == nil)
        #expect(tracker.committable == 10)
        #expect(tracker.finish(10) == 13)
        #expect(tracker.finish(14) == nil)
        #expect(tracker.finish(13) == 15)
        #expect(tracker.unfinishedCount == 0)
    }

    @Test func finishingUnknownOrOldOffsetsChangesNothing() {
        var tracker = OffsetTracker()
        tracker.track(5)
        #expect(tracker.finish(4) == nil)
        #expect(tracker.committable == 5)
        #expect(tracker.finish(5) == 6)
        #expect(tracker.finish(5) == nil)
    }

    @Test func gapsInOffsetsAreSkipped() {
        // Compacted topics and transaction markers leave gaps: the position jumps past the highest finished offset.
        var tracker = OffsetTracker()
        tracker.track(100)
        tracker.track(250)
        #expect(tracker.finish(250) == nil)
        #expect(tracker.finish(100) == 251)
    }
}

@Suite struct KeyedQueueTests {
    @Test func eventsOfOneKeyRunOneAtATimeInOrder() {
        var queue = KeyedQueue<Int>(limit: 10)
        #expect(queue.enqueue(1, key: "a") == [1])
        #expect(queue.enqueue(2, key: "a") == [])
        #expect(queue.enqueue(3, key: "b") == [3])
        #expect(queue.finish(key: "a") == [2])
        #expect(queue.finish(key: "a") == [])
        #expect(queue.count == 1)
    }

    @Test func theLimitBoundsRunningKeys() {
        var queue = KeyedQueue<Int>(limit: 2)
        #expect(queue.enqueue(1, key: "a") == [1])
        #expect(queue.enqueue(2, key: "b") == [2])
        #expect(queue.enqueue(3, key: "c") == [])
        #expect(queue.runningCount == 2)
        // A slow key does not hold up others: when b finishes, c starts while a still runs.
        #expect(queue.finish(key: "b") == [3])
        #expect(queue.runningCount == 2)
    }

    @Test func removingWaitingJobsKeepsRunningOnes() {
        var queue = KeyedQueue<Int>(limit: 1)
        _ = queue.enqueue(1, key: "a")
        _ = queue.enqueue(2, key: "a")
        _ = queue.enqueue(3, key: "b")
        #expect(queue.removeWaiting { _ in true } == 2)
        #expect(queue.count == 1)
        #expect(queue.finish(key: "a") == [])
        #expect(queue.count == 0)
        #expect(queue.enqueue(4, key: "b") == [4])
    }
}

@Suite struct RetryPolicyTests {
    @Test func backoffIsCappedFullJitter() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        var generator = SystemRandomNumberGenerator()
        for retry in 1...20 {
            let ceiling = min(Duration.seconds(1), .milliseconds(100) * (1 << min(retry - 1, 30)))
            for _ in 0..<50 {
                let delay = policy.backoff(retry: retry, using: &generator)
                #expect(delay >= .zero && delay <= ceiling)
            }
        }
    }
}

@Suite struct KeyedQueueOrderTests {
    @Test func theOldestWaitingEventStartsFirst() {
        var queue = KeyedQueue<String>(limit: 1)
        #expect(queue.enqueue("a1", key: "a") == ["a1"])
        #expect(queue.enqueue("a2", key: "a") == [])  // waits for a1
        #expect(queue.enqueue("b1", key: "b") == [])  // waits for a slot
        #expect(queue.enqueue("c1", key: "c") == [])
        // a2 arrived before b1 and c1: when a1 ends, a2 must not queue behind them.
        #expect(queue.finish(key: "a") == ["a2"])
        #expect(queue.finish(key: "a") == ["b1"])
        #expect(queue.finish(key: "b") == ["c1"])
        #expect(queue.count == 1)
    }
}
