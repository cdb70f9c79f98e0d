import Foundation
import Kafka
import KometClient
import Logging

/// Takes one prepared event from claim to a terminal outcome: claim, call (with retries), record.
///
/// It never publishes: the pipeline publishes what it returns. `nil` means "no outcome": the task was cancelled
/// (a revoke or shutdown gave up waiting), so the event stays unfinished and is consumed again later.
///
/// Every call passes the processor's one ``KometCallGate``, whose pause changes the pipeline follows.
struct EventProcessor: Sendable {
    let store: any DedupeStore
    let komet: any KometAPI
    let gate: KometCallGate
    /// At most `pipeline.maxInFlight` events between claim and answer; the rest of an event holds no slot.
    let slots: CallSlots
    let retry: RetryPolicy
    let ambiguousPolicy: AmbiguousPolicy
    let unknownCustomers: UnknownCustomers
    let claims: ClaimSettings
    let lookups = SharedLookups()
    /// Claims of concurrent events, written together (one transaction for all that arrive during the previous one).
    let claimBatch: GroupCommit<ClaimRequest, ClaimResult>
    /// Identifies this process in `pending` claims.
    let owner: String
    /// Retries are counted here (calls themselves are counted by the Komet client's observer).
    let metrics: SyncMetrics
    let logger: Logger

    /// - Parameters:
    ///   - owner: identifies this process in `pending` claims (unique per process).
    ///   - limiter: the call budget (and rate) every Komet call spends first; `nil` for none.
    ///   - maxInFlight: events between their claim and Komet's answer at once (`pipeline.maxInFlight`).
    ///   - prepareProbe: runs before each probe of a paused call gate (the worker re-reads its token file there).
    init(
        keys: any DedupeStore, komet: any KometAPI, retry: RetryPolicy, ambiguousPolicy: AmbiguousPolicy,
        maxInFlight: Int,
        unknownCustomers: UnknownCustomers.Settings = UnknownCustomers.Settings(),
        refusals: (any CustomerRefusals)? = nil, claims: ClaimSettings = ClaimSettings(), limiter: CallLimiter? = nil,
        owner: String, metrics: SyncMetrics = .disabled, prepareProbe: (@Sendable () -> Void)? = nil, logger: Logger
    ) {
        self.metrics = metrics
        self.claims = claims
        self.unknownCustomers = UnknownCustomers(settings: unknownCustomers, store: refusals)
        self.store = keys
        self.claimBatch = GroupCommit { requests in try await keys.claim(requests) }
        self.komet = komet
        self.gate = KometCallGate(
            settings: retry.gateSettings, limiter: limiter, logger: logger, prepareProbe: prepareProbe)
        self.slots = CallSlots(limit: maxInFlight)
        self.retry = retry
        self.ambiguousPolicy = ambiguousPolicy
        self.owner = owner
        self.logger = logger
    }

    /// The result of one event plus how many Komet calls it took.
    struct Result: Sendable {
        var outcome: EventOutcome
        var attempts: Int
        /// The key's row came from an earlier attempt at this very record (a crash's replay, or a partition's former
        /// owner still at work): that attempt may be publishing the record's outcome too, so the publisher looks at
        /// the outcome ledger again before it publishes.
        var recordSeenBefore = false
        /// The contact this event created, recorded `done` on its key together with the outcome's `publishing` mark
        /// (one transaction instead of two).
        var keyDone: KeyDone?
    }

    /// What one event's calls have done so far.
    struct Attempts {
        /// Komet calls made (adds and look-ups, retries included).
        var count = 0
        /// The claim the event holds now, if any.
        var claim: Claim?
        /// The event holds a claim it took itself (not one taken over from an earlier attempt).
        var ownsFreshClaim = false
        /// A call may have created the contact (an ambiguous answer), or did (a success not yet recorded).
        var mayHaveCreated = false
        /// The key's row was written by an earlier attempt at this very record.
        var recordSeenBefore = false
        /// A created contact not recorded on its key yet: the publisher records it with the outcome's mark.
        var keyDone: KeyDone?

        /// The claim that can go when the event is given up: every call proved nothing was created (none made, 5xx,
        /// refused, throttled), so a later replay needs no look-up.
        var unusedClaim: Claim? { ownsFreshClaim && !mayHaveCreated ? claim : nil }
    }

    /// The event's claim was taken over or finished by someone else: it must not call; it starts again from the row.
    struct ClaimLost: Error {}

    /// - Parameter knownEntry: the key's row as read just before, with the record's ledger mark (`nil`: no row); the
    ///   first look at the key uses it instead of reading it again.
    func process(_ job: PipelineJob, knownEntry: DedupeEntry?) async -> Result? {
        switch job.preparation {
        case .bad(let bad):
            return Result(
                outcome: .deadLetter(reason: bad.reason, detail: bad.detail, httpStatus: nil), attempts: 0)
        case .ready(let request):
            var attempts = Attempts()
            let origin = RecordPosition(job.message).description
            do {
                let outcome = try await createContact(
                    key: job.key, origin: origin, partition: job.message.topicPartition, request: request,
                    knownEntry: knownEntry, attempts: &attempts)
                return Result(
                    outcome: outcome, attempts: attempts.count, recordSeenBefore: attempts.recordSeenBefore,
                    keyDone: attempts.keyDone)
            } catch {
                if error is CancellationError || Task.isCancelled {
                    // Given up (a revoke's drain ran out, or shutdown): the claim stays for whoever consumes the record
                    // again, unless every call proved it unused.
                    if let claim = attempts.unusedClaim { await releaseUnusedClaim(claim) }
                    return nil
                }
                // Whatever went wrong, one event must not stop the others: it becomes a dead letter. Its claim is
                // released (so a replay of the dead letter is processed again) only when the event took it itself
                // and made no call; otherwise the row stays, and a replay reconciles or skips instead of calling again.
                if attempts.count == 0, attempts.ownsFreshClaim, let claim = attempts.claim {
                    await releaseOwnClaim(claim)
                }
                let detail = "\(type(of: error)): \(String(describing: error))"
                return Result(
                    outcome: .deadLetter(reason: .internalError, detail: detail, httpStatus: nil),
                    attempts: attempts.count)
            }
        }
    }

    /// Releases the claim of a cancelled event. The task is cancelled, and store calls may refuse to run in a cancelled
    /// task, so the release runs in a task of its own, awaited here.
    private func releaseUnusedClaim(_ claim: Claim) async {
        await Task { await releaseOwnClaim(claim) }.value
        logger.debug("released the unused claim of a cancelled event", metadata: [SyncLogKey.dedupeKey: "\(claim.key)"])
    }

    /// Removes the key's row when it is still this claim's. A failure is logged: the row then stays pending, and a
    /// replay reconciles once its lease and the late-arrival window have passed.
    private func releaseOwnClaim(_ claim: Claim) async {
        do {
            _ = try await store.release(claim)
        } catch {
            logger.warning(
                "cannot release the claim of a given-up event",
                metadata: [SyncLogKey.dedupeKey: "\(claim.key)", SyncLogKey.error: "\(error)"])
        }
    }

    /// From the key's row to an outcome. Starts again from the row whenever the claim is lost to another holder.
    private func createContact(
        key: String,
        origin: String,
        partition: TopicPartition,
        request: KometContactRequest,
        knownEntry: DedupeEntry?,
        attempts: inout Attempts
    ) async throws -> EventOutcome {
        var announcedWait = false
        // The row the pipeline read with the ledger mark serves the first look; every later one reads it again.
        var firstRow: DedupeEntry?? = .some(knownEntry)
        while true {
            let entry: DedupeEntry?
            if let known = firstRow {
                entry = known
                firstRow = nil
            } else {
                entry = try await store.entry(key: key)
            }
            if entry?.origin == origin { attempts.recordSeenBefore = true }
            // A key already done needs no call: answered at once, even while calls are paused.
            if let entry, case .done(let contact, let at) = entry.state {
                return doneOutcome(contact, at: at, createdBy: entry.origin, origin: origin, request: request)
            }
            // A customer Komet just said it does not know: the same answer again would cost a call.
            if let message = await unknownCustomers.refusal(of: request.customerId) {
                return .deadLetter(
                    reason: .kometRejected,
                    detail: "\(message) (Komet's recent answer for customer \(request.customerId); no call made)",
                    httpStatus: nil)
            }
            // Another attempt holds the key, or its call may still land: wait, reading the row now and then.
            if let entry, case .pending(let lease, _) = entry.state, Date() < claims.dueAt(lease) {
                if !announcedWait {
                    announcedWait = true
                    logger.info(
                        "key held by another attempt: waiting for it",
                        metadata: [
                            SyncLogKey.dedupeKey: "\(key)", SyncLogKey.claimOwner: "\(lease.owner)",
                            SyncLogKey.claimOrigin: "\(entry.origin ?? "")",
                            SyncLogKey.claimLeaseUntil: "\(lease.until.formatted(.iso8601))",
                        ])
                }
                let due = claims.dueAt(lease).timeIntervalSinceNow
                try await Task.sleep(for: min(claims.holdPollInterval, .milliseconds(max(1, Int64(due * 1000)))))
                continue
            }
            do {
                // Only this part, which may call Komet, holds one of the `maxInFlight` slots.
                let outcome = try await slots.withSlot(for: partition) {
                    try await attempt(key: key, origin: origin, request: request, attempts: &attempts)
                }
                if let outcome { return outcome }
            } catch is ClaimLost {
                logger.info(
                    "claim taken over by another attempt: no call, starting again from the key's row",
                    metadata: [SyncLogKey.dedupeKey: "\(key)"])
                attempts.claim = nil
                attempts.ownsFreshClaim = false
            }
        }
    }

    /// Claims the key (or takes over a pending claim that is due) and calls. `nil`: the row changed meanwhile, look
    /// again.
    private func attempt(
        key: String, origin: String, request: KometContactRequest, attempts: inout Attempts
    ) async throws -> EventOutcome? {
        // The claim is taken right before the first call, once the gate lets it through: an event that waits out a
        // pause (and is cancelled or killed meanwhile) leaves no claim behind, so nobody later mistakes it for a call
        // whose answer was lost.
        let pass = try await gate.enter()
        let now = Date()
        switch try await claimBatch.submit(
            ClaimRequest(key: key, owner: owner, origin: origin, now: now, leaseUntil: claims.leaseEnd(from: now)))
        {
        case .done(let contact, let at, let createdBy):
            gate.releaseProbe(of: pass)
            if createdBy == origin { attempts.recordSeenBefore = true }
            return doneOutcome(contact, at: at, createdBy: createdBy, origin: origin, request: request)
        case .claimed(let claim):
            attempts.claim = claim
            attempts.ownsFreshClaim = true
            return try await call(
                claim: claim, request: request, attempts: &attempts, firstPass: pass, leaseIsFresh: true)
        case .pending(let lease, _, let claimedBy):
            gate.releaseProbe(of: pass)
            guard Date() >= claims.dueAt(lease) else { return nil }
            let takenAt = Date()
            guard
                let claim = try await store.takeOver(
                    key: key, epoch: lease.epoch, owner: owner, origin: origin, now: takenAt,
                    leaseUntil: claims.leaseEnd(from: takenAt))
            else { return nil }
            attempts.claim = claim
            logger.info(
                "earlier attempt has an unknown outcome: claim taken over",
                metadata: [
                    SyncLogKey.dedupeKey: "\(key)", SyncLogKey.claimOwner: "\(lease.owner)",
                    SyncLogKey.claimOrigin: "\(claimedBy ?? "")",
                    SyncLogKey.claimLeaseUntil: "\(lease.until.formatted(.iso8601))",
                    SyncLogKey.claimEpoch: .stringConvertible(claim.epoch),
                    SyncLogKey.ambiguousPolicy: "\(ambiguousPolicy.rawValue)",
                ])
            switch ambiguousPolicy {
            case .deadLetter:
                _ = try await store.release(claim)
                return .deadLetter(
                    reason: .ambiguousOutcome,
                    detail: "an earlier call for this key may have created the contact", httpStatus: nil)
            case .retry:
                // The call first waits at the gate, maybe for a long pause: it renews the lease after that wait.
                return try await call(
                    claim: claim, request: request, attempts: &attempts, firstPass: nil, leaseIsFresh: false)
            case .reconcile:
                let reconciliation = try await reconcile(request, attempts: &attempts, validFrom: claims.dueAt(lease))
                // The earlier call was this very record's (a replay) or another record's with the same key, whose
                // request this one does not know.
                let settled = try await settle(
                    reconciliation, claim, request, callWasThisRequest: claimedBy == origin)
                if let settled { return settled }
                return try await call(
                    claim: claim, request: request, attempts: &attempts, firstPass: nil, leaseIsFresh: false)
            }
        }
    }

    /// The outcome of an event whose key is `done` (recorded at `at`): `created` again for the very record that
    /// created the contact (consumed again after a crash between Komet's answer and its outcome), `duplicate` for any
    /// other, naming the first contact's customer and whether this event's request differs from the one that created
    /// it.
    private func doneOutcome(
        _ contact: CreatedContact, at: Date, createdBy: String?, origin: String, request: KometContactRequest
    ) -> EventOutcome {
        if createdBy == origin {
            return .success(
                .created, contactId: contact.contactId, message: "created (outcome recovered)", request: request)
        }
        return .success(
            .duplicate, contactId: contact.contactId, message: "already created", request: request,
            duplicateOf: DuplicateOf(contact, at: at, comparedWith: request))
    }

    /// Calls `customer.contact.add` until a terminal answer, within the retry policy. Time spent waiting at the gate
    /// (a throttle, an outage, a refused token) does not count against the event: only its own failures do.
    /// `firstPass` is the gate's admission for the first call when the caller already waited for it.
    ///
    /// Every call but one made right after the claim was taken (`leaseIsFresh`) renews the lease first, so it starts
    /// with a whole lease ahead of it; a claim that cannot be renewed was lost (``ClaimLost``), and nothing is called.
    private func call(
        claim: Claim, request: KometContactRequest, attempts: inout Attempts, firstPass: KometCallGate.Pass?,
        leaseIsFresh: Bool
    ) async throws -> EventOutcome {
        let key = claim.key
        var leaseIsFresh = leaseIsFresh
        let clock = ContinuousClock()
        let started = clock.now
        var waited = Duration.zero
        var generator = SystemRandomNumberGenerator()
        var transientFailures = 0
        var admitted = firstPass
        while true {
            let pass: KometCallGate.Pass
            if let first = admitted {
                pass = first
                admitted = nil
            } else {
                pass = try await gate.enter()
                waited += pass.waited
            }
            if !leaseIsFresh {
                let now = Date()
                guard try await store.renew(claim, until: claims.leaseEnd(from: now), now: now) else {
                    gate.releaseProbe(of: pass)
                    throw ClaimLost()
                }
            }
            leaseIsFresh = false
            attempts.count += 1
            let answer: Swift.Result<KometAddResult, KometError>
            do throws(KometError) {
                answer = .success(try await komet.addContact(request, logger: logger))
            } catch {
                answer = .failure(error)
            }
            let error: KometError
            switch answer {
            case .success(let result):
                // The contact exists from here on: if recording it is interrupted, the claim must stay.
                attempts.mayHaveCreated = true
                gate.recordSuccess(of: pass)
                // Recorded `done` by the publisher, in the transaction of the outcome's `publishing` mark. Until
                // then the key stays pending under this claim: a crash meanwhile leaves it for a replay to reconcile,
                // exactly like a crash before a separate write would.
                attempts.keyDone = KeyDone(
                    key: key, contact: CreatedContact(contactId: result.contactId, createdBy: request))
                return .success(.created, contactId: result.contactId, message: result.message, request: request)
            case .failure(let failure):
                error = failure
            }
            switch error.failureClass {
            case .rejected:
                gate.recordSuccess(of: pass)
                await unknownCustomers.noteRefusal(of: request.customerId, message: error.message)
                _ = try await store.release(claim)
                return .deadLetter(
                    reason: .kometRejected, detail: error.message, httpStatus: error.httpStatus)
            case .throttled, .systemic:
                metrics.recordRetry(method: .add, failureClass: error.failureClass)
                closeGate(for: error, after: pass)
            case .transient:
                guard gate.recordTransientFailure(of: pass) else {
                    // An outage: the gate waits for us, and the call is made again after it.
                    metrics.recordRetry(method: .add, failureClass: .transient)
                    continue
                }
                transientFailures += 1
                let delay = retry.backoff(retry: transientFailures, using: &generator)
                let elapsed = clock.now - started - waited
                if transientFailures >= retry.maxAttempts || elapsed + delay > retry.maxElapsed {
                    _ = try await store.release(claim)
                    return .deadLetter(
                        reason: .retriesExhausted,
                        detail:
                            "gave up after \(transientFailures) transient failures; last: \(error.code): \(error.message)",
                        httpStatus: error.httpStatus)
                }
                metrics.recordRetry(method: .add, failureClass: .transient)
                logger.debug(
                    "transient Komet failure, backing off",
                    metadata: [
                        SyncLogKey.dedupeKey: "\(key)", SyncLogKey.errorCode: "\(error.code)",
                        SyncLogKey.retryDelay: "\(delay)",
                    ])
                try await Task.sleep(for: delay)
            case .ambiguous:
                attempts.mayHaveCreated = true
                gate.releaseProbe(of: pass)
                switch ambiguousPolicy {
                case .deadLetter:
                    _ = try await store.release(claim)
                    return .deadLetter(
                        reason: .ambiguousOutcome,
                        detail: "\(error.code): the call may have created the contact", httpStatus: error.httpStatus)
                case .retry:
                    metrics.recordRetry(method: .add, failureClass: .ambiguous)
                    continue
                case .reconcile:
                    // Komet may still finish the call: look only once the late-arrival window has passed, holding
                    // the claim until then.
                    let answeredAt = Date()
                    let validFrom = answeredAt.addingTimeInterval(claims.lateArrivalWindow.timeInterval)
                    let held = validFrom.addingTimeInterval(claims.lease.timeInterval)
                    guard try await store.renew(claim, until: held, now: answeredAt) else { throw ClaimLost() }
                    try await Task.sleep(for: claims.lateArrivalWindow)
                    let reconciliation = try await reconcile(request, attempts: &attempts, validFrom: validFrom)
                    let settled = try await settle(reconciliation, claim, request, callWasThisRequest: true)
                    if let settled { return settled }
                }
            }
        }
    }
}
