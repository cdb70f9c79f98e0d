import Foundation
import PostgresNIO

/// The dedupe keys in table `dedupe_entry`. A claim is one `INSERT ... ON CONFLICT DO NOTHING` and a takeover one
/// `UPDATE ... WHERE epoch = $n`: of concurrent claims or takeovers of one key, from any replica, exactly one wins.
/// A batch of claims is one `INSERT ... SELECT FROM unnest(...)` and one read of the rows it did not insert.
extension PostgresStore: DedupeStore {
    public func claim(_ requests: [ClaimRequest]) async throws -> [ClaimResult] {
        guard requests.count > 1, Set(requests.map(\.key)).count == requests.count else {
            var results: [ClaimResult] = []
            for request in requests { results.append(try await claim(request)) }
            return results
        }
        // Origins travel as text, NULL as '' (an origin is a record position, never empty).
        let inserted = try await send(
            """
            INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, origin, epoch, lease_until_ms)
            SELECT key, 'pending', owner, NULL, touched_ms, NULLIF(origin, ''), 1, lease_until_ms
            FROM unnest(
                \(requests.map(\.key))::text[], \(requests.map(\.owner))::text[],
                \(requests.map { StoreTime.milliseconds($0.now) })::bigint[], \(requests.map { $0.origin ?? "" })::text[],
                \(requests.map { StoreTime.milliseconds($0.leaseUntil) })::bigint[]
            ) AS claimed(key, owner, touched_ms, origin, lease_until_ms)
            ON CONFLICT (key) DO NOTHING
            RETURNING key
            """)
        var claimed: Set<String> = []
        for try await key in inserted.decode(String.self) { claimed.insert(key) }
        let others = requests.map(\.key).filter { !claimed.contains($0) }
        var rows: [String: DedupeEntry] = [:]
        if !others.isEmpty {
            let found = try await send(
                """
                SELECT key, state, owner, contact_id, touched_ms, origin, epoch, lease_until_ms, customer_id,
                    request_digest
                FROM dedupe_entry WHERE key = ANY(\(others)::text[])
                """)
            for try await (key, state, owner, contactId, touched, origin, epoch, leaseUntil, customerId, digest)
                in found.decode((String, String, String?, Int64?, Int64, String?, Int64, Int64?, Int64?, String?).self)
            {
                rows[key] = Self.entry(
                    key: key, (state, owner, contactId, touched, origin, epoch, leaseUntil, customerId, digest))
            }
        }
        var results: [ClaimResult] = []
        for request in requests {
            if claimed.contains(request.key) {
                results.append(.claimed(Claim(key: request.key, owner: request.owner, epoch: 1)))
            } else if let row = rows[request.key] {
                results.append(row.claimResult)
            } else {
                // Refused, then gone before the read (its event was dead-lettered meanwhile): claim it again alone.
                results.append(try await claim(request))
            }
        }
        return results
    }

    private func claim(_ request: ClaimRequest) async throws -> ClaimResult {
        try await claim(
            key: request.key, owner: request.owner, origin: request.origin, now: request.now,
            leaseUntil: request.leaseUntil)
    }

    public func claim(
        key: String, owner: String, origin: String?, now: Date, leaseUntil: Date
    ) async throws -> ClaimResult {
        let now = StoreTime.milliseconds(now)
        let until = StoreTime.milliseconds(leaseUntil)
        // The row may be removed between a refused insert and the read (its event was dead-lettered): try again.
        for _ in 0..<10 {
            let inserted = try await send(
                """
                INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, origin, epoch, lease_until_ms)
                VALUES (\(key), 'pending', \(owner), NULL, \(now), \(origin), 1, \(until))
                ON CONFLICT (key) DO NOTHING
                RETURNING key
                """)
            if try await inserted.decode(String.self).first(where: { _ in true }) != nil {
                return .claimed(Claim(key: key, owner: owner, epoch: 1))
            }
            if let entry = try await entry(key: key) { return entry.claimResult }
        }
        throw DedupeStoreError(code: .contended, key: key)
    }

    public func renew(_ claim: Claim, until: Date, now: Date) async throws -> Bool {
        let now = StoreTime.milliseconds(now)
        let until = StoreTime.milliseconds(until)
        let rows = try await send(
            """
            UPDATE dedupe_entry SET lease_until_ms = \(until), touched_ms = \(now)
            WHERE key = \(claim.key) AND state = 'pending' AND owner = \(claim.owner) AND epoch = \(claim.epoch)
            RETURNING key
            """)
        return try await rows.decode(String.self).first(where: { _ in true }) != nil
    }

    public func takeOver(
        key: String, epoch: Int64, owner: String, origin: String?, now: Date, leaseUntil: Date
    ) async throws -> Claim? {
        let now = StoreTime.milliseconds(now)
        let until = StoreTime.milliseconds(leaseUntil)
        let rows = try await send(
            """
            UPDATE dedupe_entry
            SET owner = \(owner), origin = \(origin), epoch = epoch + 1, lease_until_ms = \(until), touched_ms = \(now)
            WHERE key = \(key) AND state = 'pending' AND epoch = \(epoch)
                AND COALESCE(lease_until_ms, touched_ms) <= \(now)
            RETURNING epoch
            """)
        guard let taken = try await rows.decode(Int64.self).first(where: { _ in true }) else { return nil }
        return Claim(key: key, owner: owner, epoch: taken)
    }

    public func release(_ claim: Claim) async throws -> Bool {
        let rows = try await send(
            """
            DELETE FROM dedupe_entry
            WHERE key = \(claim.key) AND state = 'pending' AND owner = \(claim.owner) AND epoch = \(claim.epoch)
            RETURNING key
            """)
        return try await rows.decode(String.self).first(where: { _ in true }) != nil
    }

    public func markDone(key: String, contact: CreatedContact, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await send(
            """
            INSERT INTO dedupe_entry (key, state, owner, contact_id, touched_ms, customer_id, request_digest)
            VALUES (\(key), 'done', NULL, \(contact.contactId), \(now), \(contact.customerId), \(contact.requestDigest?.hex))
            ON CONFLICT (key) DO UPDATE SET \(unescaped: Self.doneUpdate)
            """)
    }

    /// The `SET` list of an upsert that writes a key `done` from `excluded`: the same contact done already keeps the
    /// customer and digest it knew when the new row leaves them out (every expression sees the row before the update).
    static let doneUpdate = """
        customer_id = CASE WHEN dedupe_entry.state = 'done' AND dedupe_entry.contact_id = excluded.contact_id
            THEN COALESCE(excluded.customer_id, dedupe_entry.customer_id) ELSE excluded.customer_id END,
        request_digest = CASE WHEN dedupe_entry.state = 'done' AND dedupe_entry.contact_id = excluded.contact_id
            THEN COALESCE(excluded.request_digest, dedupe_entry.request_digest) ELSE excluded.request_digest END,
        state = 'done', owner = NULL, contact_id = excluded.contact_id, touched_ms = excluded.touched_ms,
        lease_until_ms = NULL
        """

    public func remove(key: String) async throws {
        try await send("DELETE FROM dedupe_entry WHERE key = \(key)")
    }

    public func entry(key: String) async throws -> DedupeEntry? {
        let rows = try await send(
            """
            SELECT state, owner, contact_id, touched_ms, origin, epoch, lease_until_ms, customer_id, request_digest
            FROM dedupe_entry WHERE key = \(key)
            """)
        for try await columns in rows.decode(EntryColumns.self) {
            return Self.entry(key: key, columns)
        }
        return nil
    }

    /// A `dedupe_entry` row's columns: state, owner, contact_id, touched_ms, origin, epoch, lease_until_ms,
    /// customer_id, request_digest.
    typealias EntryColumns = (String, String?, Int64?, Int64, String?, Int64, Int64?, Int64?, String?)

    static func entry(key: String, _ columns: EntryColumns) -> DedupeEntry {
        let (state, owner, contactId, touched, origin, epoch, leaseUntil, customerId, digest) = columns
        let at = StoreTime.date(touched)
        if state == "done", let contactId {
            let contact = CreatedContact(
                contactId: contactId, customerId: customerId, requestDigest: digest.flatMap(RequestDigest.init(hex:)))
            return DedupeEntry(key: key, state: .done(contact, at: at), origin: origin)
        }
        let lease = ClaimLease(owner: owner ?? "", epoch: epoch, until: StoreTime.date(leaseUntil ?? touched))
        return DedupeEntry(key: key, state: .pending(lease, since: at), origin: origin)
    }

    public func pruneKeys(before cutoff: Date) async throws -> Int {
        let cutoff = StoreTime.milliseconds(cutoff)
        let rows = try await send(
            "DELETE FROM dedupe_entry WHERE touched_ms < \(cutoff) RETURNING 1")
        return try await rows.decode(Int32.self).reduce(0) { count, _ in count + 1 }
    }
}
