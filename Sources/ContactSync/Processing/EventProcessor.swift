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
    let retry: RetryPolicy
    let ambiguousPolicy: AmbiguousPolicy
    let unknownCustomers: UnknownCustomers
    /// Identifies this process in `pending` claims.
    let owner: String
    let logger: Logger

    /// - Parameters:
    ///   - owner: identifies this process in `pending` claims (unique per process).
    ///   - limiter: the call budget (and rate) every Komet call spends first; `nil` for none.
    init(
        keys: any DedupeStore, komet: any KometAPI, retry: RetryPolicy, ambiguousPolicy: AmbiguousPolicy,
        unknownCustomers: UnknownCustomers.Settings = UnknownCustomers.Settings(), limiter: CallLimiter? = nil,
        owner: String, logger: Logger
    ) {
        self.unknownCustomers = UnknownCustomers(settings: unknownCustomers)
        self.store = keys
        self.komet = komet
        self.gate = KometCallGate(settings: retry.gateSettings, limiter: limiter, logger: logger)
        self.retry = retry
        self.ambiguousPolicy = ambiguousPolicy
        self.owner = owner
        self.logger = logger
    }

    /// The result of one event plus how many Komet calls it took.
    struct Result: Sendable {
        var outcome: EventOutcome
        var attempts: Int
    }

    /// What one event's calls have done so far.
    struct Attempts {
        /// Komet calls made (adds and look-ups, retries included).
        var count = 0
        /// The event holds a claim it took itself (not one taken over from an earlier attempt).
        var ownsFreshClaim = false
        /// A call may have created the contact (an ambiguous answer), or did (a success not yet recorded).
        var mayHaveCreated = false

        /// Whether the claim can go when the event is given up: every call proved nothing was created (none made,
        /// 5xx, refused, throttled), so a later replay needs no look-up.
        var claimIsUnused: Bool { ownsFreshClaim && !mayHaveCreated }
    }

    func process(_ job: PipelineJob) async -> Result? {
        switch job.preparation {
        case .bad(let bad):
            return Result(
                outcome: .deadLetter(reason: bad.reason, detail: bad.detail, httpStatus: nil), attempts: 0)
        case .ready(let request):
            var attempts = Attempts()
            let origin = RecordPosition(job.message).description
            do {
                let outcome = try await createContact(
                    key: job.key, origin: origin, request: request, attempts: &attempts)
                return Result(outcome: outcome, attempts: attempts.count)
            } catch {
                if error is CancellationError || Task.isCancelled {
                    // Given up (a revoke's drain ran out, or shutdown): the claim stays for whoever consumes the record
                    // again, unless every call proved it unused.
                    if attempts.claimIsUnused { await releaseUnusedClaim(key: job.key, origin: origin) }
                    return nil
                }
                // Whatever went wrong, one event must not stop the others: it becomes a dead letter. Its claim is
                // released (so a replay of the dead letter is processed again) only when it is this event's own and
                // no call could have created the contact; otherwise the row stays, and a replay reconciles or skips
                // instead of calling again.
                if attempts.count == 0 { await releaseOwnClaim(key: job.key, origin: origin) }
                let detail = "\(type(of: error)): \(String(describing: error))"
                return Result(
                    outcome: .deadLetter(reason: .internalError, detail: detail, httpStatus: nil),
                    attempts: attempts.count)
            }
        }
    }

    /// Releases the claim of a cancelled event. The task is cancelled, and store calls may refuse to run in a cancelled
    /// task, so the release runs in a task of its own, awaited here.
    private func releaseUnusedClaim(key: String, origin: String) async {
        await Task { await releaseOwnClaim(key: key, origin: origin) }.value
        logger.debug("released the unused claim of a cancelled event", metadata: [SyncLogKey.dedupeKey: "\(key)"])
    }

    /// Removes the key's row when it is this event's own pending claim. A failure is logged: the row then stays
    /// pending, and a replay of the dead letter reconciles instead of calling at once.
    private func releaseOwnClaim(key: String, origin: String) async {
        do {
            if let entry = try await store.entry(key: key), case .pending(let claimant, _) = entry.state,
                claimant == owner, entry.origin == origin
            {
                try await store.remove(key: key)
            }
        } catch {
            logger.warning(
                "cannot release the claim of a dead-lettered event",
                metadata: [SyncLogKey.dedupeKey: "\(key)", SyncLogKey.error: "\(error)"])
        }
    }

    private func createContact(
        key: String,
        origin: String,
        request: KometContactRequest,
        attempts: inout Attempts
    ) async throws -> EventOutcome {
        // A key already done needs no call: answered at once, even while calls are paused.
        if let entry = try await store.entry(key: key), case .done(let contactId, _) = entry.state {
            return doneOutcome(contactId: contactId, createdBy: entry.origin, origin: origin, request: request)
        }
        // A customer Komet just said it does not know: the same answer again would cost a call.
        if let message = unknownCustomers.refusal(of: request.customerId) {
            return .deadLetter(
                reason: .kometRejected,
                detail: "\(message) (Komet's recent answer for customer \(request.customerId); no call made)",
                httpStatus: nil)
        }
        // The claim is taken right before the first call, once the gate lets it through: an event that waits out a
        // pause (and is cancelled or killed meanwhile) leaves no claim behind, so nobody later mistakes it for a call
        // whose answer was lost.
        let pass = try await gate.enter()
        switch try await store.claim(key: key, owner: owner, origin: origin, now: Date()) {
        case .done(let contactId, _, let createdBy):
            gate.releaseProbe(of: pass)
            return doneOutcome(contactId: contactId, createdBy: createdBy, origin: origin, request: request)
        case .claimed:
            attempts.ownsFreshClaim = true
            return try await call(key: key, request: request, attempts: &attempts, firstPass: pass)
        case .pending(let previousOwner, let since, let claimedBy):
            gate.releaseProbe(of: pass)
            logger.info(
                "earlier attempt has an unknown outcome",
                metadata: [
                    SyncLogKey.dedupeKey: "\(key)", SyncLogKey.claimOwner: "\(previousOwner)",
                    SyncLogKey.claimOrigin: "\(claimedBy ?? "")", SyncLogKey.claimSince: "\(since.formatted(.iso8601))",
                    SyncLogKey.ambiguousPolicy: "\(ambiguousPolicy.rawValue)",
                ])
            switch ambiguousPolicy {
            case .deadLetter:
                try await store.remove(key: key)
                return .deadLetter(
                    reason: .ambiguousOutcome,
                    detail: "an earlier call for this key may have created the contact", httpStatus: nil)
            case .retry:
                if let done = try await reclaim(key, origin: origin) {
                    return .success(.duplicate, contactId: done, message: "already created", request: request)
                }
            case .reconcile:
                if let settled = try await settle(try await reconcile(request, attempts: &attempts), key, request) {
                    return settled
                }
                if let done = try await reclaim(key, origin: origin) {
                    return .success(.duplicate, contactId: done, message: "already created", request: request)
                }
            }
            return try await call(key: key, request: request, attempts: &attempts, firstPass: nil)
        }
    }

    /// The outcome of an event whose key is `done`: `created` again for the very record that created the contact
    /// (consumed again after a crash between Komet's answer and its outcome), `duplicate` for any other.
    private func doneOutcome(
        contactId: Int64, createdBy: String?, origin: String, request: KometContactRequest
    ) -> EventOutcome {
        if createdBy == origin {
            return .success(.created, contactId: contactId, message: "created (outcome recovered)", request: request)
        }
        return .success(.duplicate, contactId: contactId, message: "already created", request: request)
    }

    /// Takes over an ambiguous claim. Returns the contact id when another owner finished the key meanwhile.
    private func reclaim(_ key: String, origin: String) async throws -> Int64? {
        do {
            try await store.reclaim(key: key, owner: owner, origin: origin, now: Date())
            return nil
        } catch let error as DedupeStoreError where error.code == .alreadyDone {
            guard case .done(let contactId, _)? = try await store.entry(key: key)?.state else { throw error }
            return contactId
        }
    }

    /// Calls `customer.contact.add` until a terminal answer, within the retry policy. Time spent waiting at the gate
    /// (a throttle, an outage, a refused token) does not count against the event: only its own failures do.
    /// `firstPass` is the gate's admission for the first call when the caller already waited for it.
    private func call(
        key: String, request: KometContactRequest, attempts: inout Attempts, firstPass: KometCallGate.Pass?
    ) async throws -> EventOutcome {
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
                try await store.markDone(key: key, contactId: result.contactId, now: Date())
                return .success(.created, contactId: result.contactId, message: result.message, request: request)
            case .failure(let failure):
                error = failure
            }
            switch error.failureClass {
            case .rejected:
                gate.recordSuccess(of: pass)
                unknownCustomers.noteRefusal(of: request.customerId, message: error.message)
                try await store.remove(key: key)
                return .deadLetter(
                    reason: .kometRejected, detail: error.message, httpStatus: error.httpStatus)
            case .throttled, .systemic:
                closeGate(for: error, after: pass)
            case .transient:
                guard gate.recordTransientFailure(of: pass) else { continue }  // an outage: the gate waits for us
                transientFailures += 1
                let delay = retry.backoff(retry: transientFailures, using: &generator)
                let elapsed = clock.now - started - waited
                if transientFailures >= retry.maxAttempts || elapsed + delay > retry.maxElapsed {
                    try await store.remove(key: key)
                    return .deadLetter(
                        reason: .retriesExhausted,
                        detail:
                            "gave up after \(transientFailures) transient failures; last: \(error.code): \(error.message)",
                        httpStatus: error.httpStatus)
                }
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
                    try await store.remove(key: key)
                    return .deadLetter(
                        reason: .ambiguousOutcome,
                        detail: "\(error.code): the call may have created the contact", httpStatus: error.httpStatus)
                case .retry:
                    continue
                case .reconcile:
                    if let settled = try await settle(try await reconcile(request, attempts: &attempts), key, request) {
                        return settled
                    }
                }
            }
        }
    }
}
