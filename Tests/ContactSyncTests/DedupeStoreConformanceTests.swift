import Foundation
import KometClient
import Testing

@testable import ContactSync

/// Whole-millisecond times, which every store keeps exactly.
private let t0 = Date(timeIntervalSince1970: 1_767_225_600.123)
private func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

@Suite("DedupeStore conformance")
struct DedupeStoreConformanceTests {
    let position = RecordPosition(topic: "contacts.created", partition: 3, offset: 1_234)

    @Test(
        "claims of many keys at once: one result per request, in order, each as a single claim would answer",
        arguments: StoreFactory.all)
    func batchedClaims(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            try await store.markDone(key: "done", contact: .sample(42), now: at(0))
            _ = try await store.claim(key: "held", owner: "b", origin: "o-held", now: at(0), leaseUntil: at(60))
            let keys = ["new-1", "done", "new-2", "held", "new-3"]
            let results = try await store.claim(
                keys.map { ClaimRequest(key: $0, owner: "a", origin: "o-\($0)", now: at(1), leaseUntil: at(61)) })
            #expect(results.count == keys.count)
            #expect(results[0] == .claimed(Claim(key: "new-1", owner: "a", epoch: 1)))
            #expect(results[1] == .done(.sample(42), at: at(0), origin: nil))
            #expect(results[2] == .claimed(Claim(key: "new-2", owner: "a", epoch: 1)))
            #expect(
                results[3] == .pending(ClaimLease(owner: "b", epoch: 1, until: at(60)), since: at(0), origin: "o-held"))
            #expect(results[4] == .claimed(Claim(key: "new-3", owner: "a", epoch: 1)))
            let row = try await store.entry(key: "new-2")
            #expect(row?.origin == "o-new-2")
            #expect(row?.state == .pending(ClaimLease(owner: "a", epoch: 1, until: at(61)), since: at(1)))
            // The same key twice in one batch: the first claims it, the second finds the first's row.
            let twice = try await store.claim([
                ClaimRequest(key: "twice", owner: "a", origin: nil, now: at(2), leaseUntil: at(62)),
                ClaimRequest(key: "twice", owner: "c", origin: nil, now: at(2), leaseUntil: at(62)),
            ])
            #expect(twice[0] == .claimed(Claim(key: "twice", owner: "a", epoch: 1)))
            guard case .pending(let lease, _, _) = twice[1] else {
                Issue.record("the second claim of one key got \(twice[1])")
                return
            }
            #expect(lease.owner == "a")
            #expect(try await store.claim([]).isEmpty)
        }
    }

    @Test("claim on an empty store inserts pending(owner, now)", arguments: StoreFactory.all)
    func claimInserts(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            #expect(try await store.entry(key: "k") == nil)
            #expect(try await store.claim(key: "k", owner: "a", origin: nil, now: t0) == .claimed("k", by: "a"))
            #expect(try await store.entry(key: "k") == DedupeEntry(key: "k", state: .pending("a", since: t0)))
        }
    }

    @Test("a second claim finds the pending row and leaves it unchanged", arguments: StoreFactory.all)
    func claimFindsPending(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            _ = try await store.claim(key: "k", owner: "a", origin: nil, now: t0)
            #expect(
                try await store.claim(key: "k", owner: "b", origin: nil, now: at(5))
                    == .pending(ClaimLease(owner: "a", epoch: 1, until: at(60)), since: t0, origin: nil))
            #expect(try await store.entry(key: "k") == DedupeEntry(key: "k", state: .pending("a", since: t0)))
        }
    }

    @Test("markDone, then claims find done", arguments: StoreFactory.all)
    func done(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            _ = try await store.claim(key: "k", owner: "a", origin: nil, now: t0)
            try await store.markDone(key: "k", contact: .sample(4_535_434), now: at(1))
            #expect(
                try await store.claim(key: "k", owner: "b", origin: nil, now: at(2))
                    == .done(.sample(4_535_434), at: at(1), origin: nil))
            #expect(
                try await store.entry(key: "k") == DedupeEntry(key: "k", state: .done(.sample(4_535_434), at: at(1))))
        }
    }

    @Test("markDone without a row inserts it", arguments: StoreFactory.all)
    func markDoneInserts(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            try await store.markDone(key: "k", contact: .sample(7), now: t0)
            #expect(
                try await store.claim(key: "k", owner: "a", origin: nil, now: at(1))
                    == .done(.sample(7), at: t0, origin: nil))
        }
    }

    @Test(
        "done keeps the first contact's customer and digest; less news of it keeps them, another contact replaces",
        arguments: StoreFactory.all)
    func doneKeepsTheFirstContact(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let request = KometContactRequest(customerId: 136, name: "Ada Lovelace", type: "Buyer", email: "a@b.c")
            let first = CreatedContact(contactId: 1_120, createdBy: request)
            #expect(first.customerId == 136 && first.requestDigest == RequestDigest(of: request))
            try await store.markDone(key: "k", contact: first, now: at(1))
            #expect(try await store.entry(key: "k")?.state == .done(first, at: at(1)))
            // The same contact learnt again without its customer or request (a rebuild from a duplicate record).
            let less = CreatedContact(contactId: 1_120, customerId: nil, requestDigest: nil)
            try await store.markDone(key: "k", contact: less, now: at(2))
            #expect(try await store.entry(key: "k")?.state == .done(first, at: at(2)))
            // Another contact replaces the row whole, what it does not know included.
            let other = CreatedContact(contactId: 2_240, customerId: 5_000, requestDigest: nil)
            try await store.markDone(key: "k", contact: other, now: at(3))
            #expect(try await store.entry(key: "k")?.state == .done(other, at: at(3)))
            #expect(
                try await store.claim(key: "k", owner: "a", origin: nil, now: at(4))
                    == .done(other, at: at(3), origin: nil))
            // A row done with nothing but its contact reads back so: unknown stays unknown.
            try await store.markDone(key: "bare", contact: less, now: at(5))
            #expect(try await store.entry(key: "bare")?.state == .done(less, at: at(5)))
            // A pending row's claim has no first contact to keep: markDone writes what it is given.
            _ = try await store.claim(key: "p", owner: "a", origin: "o", now: at(6))
            try await store.markDone(key: "p", contact: first, now: at(7))
            #expect(
                try await store.entry(key: "p") == DedupeEntry(key: "p", state: .done(first, at: at(7)), origin: "o"))
        }
    }

    @Test("renew extends the holder's lease; anyone else's renew changes nothing", arguments: StoreFactory.all)
    func renew(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let claim = Claim(key: "k", owner: "a", epoch: 1)
            _ = try await store.claim(key: "k", owner: "a", origin: nil, now: t0, leaseUntil: at(10))
            #expect(try await store.renew(claim, until: at(30), now: at(5)))
            #expect(try await store.entry(key: "k")?.state == .pending("a", since: at(5), until: at(30)))
            #expect(try await !store.renew(Claim(key: "k", owner: "b", epoch: 1), until: at(90), now: at(6)))
            #expect(try await !store.renew(Claim(key: "k", owner: "a", epoch: 2), until: at(90), now: at(6)))
            #expect(try await !store.renew(Claim(key: "absent", owner: "a", epoch: 1), until: at(90), now: at(6)))
            #expect(try await store.entry(key: "k")?.state == .pending("a", since: at(5), until: at(30)))
            try await store.markDone(key: "k", contact: .sample(3), now: at(7))
            #expect(try await !store.renew(claim, until: at(90), now: at(8)))
            #expect(try await store.entry(key: "k")?.state == .done(.sample(3), at: at(7)))
        }
    }

    @Test(
        "takeOver needs the lease ended and the epoch current, bumps it, and fences the old holder",
        arguments: StoreFactory.all)
    func takeOver(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            _ = try await store.claim(key: "k", owner: "a", origin: "first", now: t0, leaseUntil: at(10))
            // The lease still runs: nobody takes over.
            #expect(
                try await store.takeOver(
                    key: "k", epoch: 1, owner: "b", origin: "second", now: at(9.999), leaseUntil: at(60)) == nil)
            let taken = try await store.takeOver(
                key: "k", epoch: 1, owner: "b", origin: "second", now: at(10), leaseUntil: at(70))
            #expect(taken == Claim(key: "k", owner: "b", epoch: 2))
            #expect(
                try await store.entry(key: "k")
                    == DedupeEntry(
                        key: "k", state: .pending("b", epoch: 2, since: at(10), until: at(70)), origin: "second"))
            // The old holder is fenced: it can neither renew nor release, and a takeover of its epoch fails.
            #expect(try await !store.renew(Claim(key: "k", owner: "a", epoch: 1), until: at(99), now: at(11)))
            #expect(try await !store.release(Claim(key: "k", owner: "a", epoch: 1)))
            #expect(
                try await store.takeOver(key: "k", epoch: 1, owner: "c", origin: nil, now: at(100), leaseUntil: at(160))
                    == nil)
            // No takeover of a done row or of a missing one.
            try await store.markDone(key: "k", contact: .sample(5), now: at(12))
            #expect(
                try await store.takeOver(key: "k", epoch: 2, owner: "c", origin: nil, now: at(100), leaseUntil: at(160))
                    == nil)
            #expect(
                try await store.takeOver(
                    key: "absent", epoch: 1, owner: "c", origin: nil, now: at(100), leaseUntil: at(160)) == nil)
            #expect(try await store.entry(key: "k")?.state == .done(.sample(5), at: at(12)))
        }
    }

    @Test("concurrent takeovers of one epoch: exactly one wins", arguments: StoreFactory.all)
    func concurrentTakeovers(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            _ = try await store.claim(key: "hot", owner: "crashed", origin: nil, now: t0, leaseUntil: at(1))
            let results = try await withThrowingTaskGroup(of: Claim?.self) { group in
                for index in 0..<32 {
                    group.addTask {
                        try await store.takeOver(
                            key: "hot", epoch: 1, owner: "r\(index)", origin: nil, now: at(2), leaseUntil: at(62))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = results.compactMap { $0 }
            #expect(winners.count == 1)
            guard case .pending(let lease, _)? = try await store.entry(key: "hot")?.state else {
                Issue.record("expected a pending row")
                return
            }
            #expect(lease.epoch == 2 && winners.first?.owner == lease.owner)
        }
    }

    @Test("release removes only the holder's own pending row", arguments: StoreFactory.all)
    func release(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            _ = try await store.claim(key: "k", owner: "a", origin: nil, now: t0)
            #expect(try await !store.release(Claim(key: "k", owner: "b", epoch: 1)))
            #expect(try await store.entry(key: "k") != nil)
            #expect(try await store.release(Claim(key: "k", owner: "a", epoch: 1)))
            #expect(try await store.entry(key: "k") == nil)
            try await store.markDone(key: "d", contact: .sample(1), now: t0)
            #expect(try await !store.release(Claim(key: "d", owner: "a", epoch: 1)))
            #expect(try await store.entry(key: "d") != nil)
        }
    }

    @Test("remove deletes the row so the key can be claimed again", arguments: StoreFactory.all)
    func remove(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            _ = try await store.claim(key: "k", owner: "a", origin: nil, now: t0)
            try await store.remove(key: "k")
            try await store.remove(key: "absent")
            #expect(try await store.entry(key: "k") == nil)
            #expect(try await store.claim(key: "k", owner: "b", origin: nil, now: at(1)) == .claimed("k", by: "b"))
        }
    }

    @Test("prune deletes rows last touched before the cutoff", arguments: StoreFactory.all)
    func prune(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            _ = try await store.claim(key: "old-pending", owner: "a", origin: nil, now: at(0))
            try await store.markDone(key: "old-done", contact: .sample(1), now: at(1))
            _ = try await store.claim(key: "touched-later", owner: "a", origin: nil, now: at(0))
            try await store.markDone(key: "touched-later", contact: .sample(2), now: at(20))
            _ = try await store.claim(key: "at-cutoff", owner: "a", origin: nil, now: at(10))
            #expect(try await store.pruneKeys(before: at(10)) == 2)
            #expect(try await store.entry(key: "old-pending") == nil)
            #expect(try await store.entry(key: "old-done") == nil)
            #expect(try await store.entry(key: "touched-later") != nil)
            #expect(try await store.entry(key: "at-cutoff") != nil)
            #expect(try await store.pruneKeys(before: at(10)) == 0)
        }
    }

    @Test("times are kept to the millisecond", arguments: StoreFactory.all)
    func millisecondPrecision(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let precise = Date(timeIntervalSince1970: 1_767_225_600.123_456)
            _ = try await store.claim(key: "k", owner: "a", origin: nil, now: precise)
            let entry = try #require(try await store.entry(key: "k"))
            #expect(abs(entry.touchedAt.timeIntervalSince(precise)) <= 0.0005)
            #expect(entry.touchedAt == Date(timeIntervalSince1970: 1_767_225_600.123))
        }
    }

    @Test("keys are exact: case, whitespace and unicode matter", arguments: StoreFactory.all)
    func exactKeys(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            for key in ["k", "K", "k ", "ké", "sha256:00", "b64:/wD+"] {
                #expect(
                    try await store.claim(key: key, owner: "a", origin: nil, now: t0) == .claimed(key, by: "a"),
                    "\(key)")
            }
        }
    }

    @Test("concurrent claims of one key: exactly one is claimed", arguments: StoreFactory.all)
    func concurrentClaims(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            let results = try await withThrowingTaskGroup(of: ClaimResult.self) { group in
                for index in 0..<64 {
                    group.addTask { try await store.claim(key: "hot", owner: "owner-\(index)", origin: nil, now: t0) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 64)
            #expect(results.filter(\.isClaimed).count == 1)
            let entry = try #require(try await store.entry(key: "hot"))
            guard case .pending(let lease, _) = entry.state else {
                Issue.record("expected pending, got \(entry)")
                return
            }
            #expect(results.filter { $0 == .pending(lease, since: t0, origin: nil) }.count == 63)
            #expect(results.contains(.claimed("hot", by: lease.owner)))
        }
    }

    @Test("a claim remembers its origin through markDone", arguments: StoreFactory.all)
    func originSurvivesDone(_ factory: StoreFactory) async throws {
        try await factory.withStore { store async throws in
            #expect(
                try await store.claim(key: "k", owner: "a", origin: position.description, now: t0)
                    == .claimed("k", by: "a"))
            #expect(
                try await store.claim(key: "k", owner: "b", origin: "other", now: at(1))
                    == .pending(
                        ClaimLease(owner: "a", epoch: 1, until: at(60)), since: t0, origin: position.description))
            try await store.markDone(key: "k", contact: .sample(77), now: at(2))
            #expect(
                try await store.claim(key: "k", owner: "b", origin: "other", now: at(3))
                    == .done(.sample(77), at: at(2), origin: position.description))
        }
    }
}

@Suite("SQLiteStore")
struct SQLiteStoreTests {
    @Test("rows survive closing and reopening the file")
    func reopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("dedupe.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            _ = try await store.claim(key: "pending", owner: "a", origin: nil, now: t0)
            _ = try await store.claim(key: "done", owner: "a", origin: nil, now: t0)
            try await store.markDone(key: "done", contact: .sample(42), now: at(1))
        }
        let reopened = try SQLiteStore(path: path)
        #expect(
            try await reopened.claim(key: "done", owner: "b", origin: nil, now: at(2))
                == .done(.sample(42), at: at(1), origin: nil))
        #expect(
            try await reopened.claim(key: "pending", owner: "b", origin: nil, now: at(2))
                == .pending(ClaimLease(owner: "a", epoch: 1, until: at(60)), since: t0, origin: nil))
        #expect(try await reopened.claim(key: "new", owner: "b", origin: nil, now: at(2)) == .claimed("new", by: "b"))
    }

    @Test("two stores on one file (two processes' view) never both claim a key")
    func twoConnections() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("dedupe.sqlite")
        let first = try SQLiteStore(path: path)
        let second = try SQLiteStore(path: path)
        let results = try await withThrowingTaskGroup(of: ClaimResult.self) { group in
            for index in 0..<40 {
                let store = index.isMultiple(of: 2) ? first : second
                group.addTask { try await store.claim(key: "k", owner: "o\(index)", origin: nil, now: t0) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter(\.isClaimed).count == 1)
    }

    @Test("opening a path in a missing directory fails with an error, not a crash")
    func badPath() {
        #expect(throws: (any Error).self) {
            try SQLiteStore(path: "/nonexistent-\(UUID().uuidString)/dedupe.sqlite")
        }
    }
}
