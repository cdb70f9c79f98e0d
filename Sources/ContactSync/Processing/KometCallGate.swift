import Logging
import Synchronization

/// The one door every Komet call passes through, so a throttle, a spent quota, an outage or a systemic failure pauses
/// calls, not the process, and never turns into one dead letter per event.
///
/// While the gate is closed, callers wait. When the pause ends, exactly one caller goes through as a probe; the
/// others keep waiting until the probe's result either opens the gate or closes it again. So during a long outage the
/// service makes one call per pause interval, whatever the number of events waiting.
///
/// Outages: `outageThreshold` transient failures in a row (across all events, no success between them) close the gate
/// for the outage backoff's ceiling of round n = 1, 2, ... for each failed probe. Failures that trip or extend an
/// outage do not count against the event that saw them (see ``recordTransientFailure(of:)``).
///
/// Budget: with a ``CallLimiter``, every admission (probes included) first spends one unit of the shared call budget.
/// When the budget is spent no call is made: the gate closes with `quota` until the window's reset, makes no probe
/// meanwhile, and opens by itself at the reset. A store error while spending costs no call: the caller backs off
/// (the outage backoff) and tries again, without counting against its event.
///
/// Before every probe the gate runs its `prepareProbe` hook (the worker reads its token file again there, so a
/// systemic pause for a revoked token ends by itself once the rotated token is accepted).
///
/// Every change of the pause reason is yielded to ``changes`` (the new reason, or `nil` when calls resume).
final class KometCallGate: Sendable {
    typealias Reason = PauseReason

    /// How the caller got through the gate. Hand it back with the call's verdict.
    struct Pass: Sendable {
        /// The call is the one probe of a paused gate.
        var isProbe: Bool
        /// How long the caller waited at the gate.
        var waited: Duration
        /// The pause the gate was in (or had last been in) when the caller went through: a call admitted before the
        /// latest pause began is stale news about it.
        var generation: UInt64
    }

    /// Timing of the gate.
    struct Settings: Sendable {
        /// Transient failures in a row that mean an outage.
        var outageThreshold: Int
        /// The pause of each outage round: the first at the base delay, doubled for each failed probe, capped.
        var outageBackoff: Backoff
        /// A probe that has not reported back after this long is presumed lost; another caller may probe.
        var probeLease: Duration

        init(
            outageThreshold: Int = 5,
            outageBackoff: Backoff = Backoff(baseDelay: .milliseconds(500), maxDelay: .seconds(30), jitter: .none),
            probeLease: Duration = .seconds(120)
        ) {
            self.outageThreshold = outageThreshold
            self.outageBackoff = outageBackoff
            self.probeLease = probeLease
        }
    }

    private struct State {
        var closedUntil: ContinuousClock.Instant?
        var reason: Reason?
        /// While a probe is out: when it is presumed lost.
        var probeLeaseEnd: ContinuousClock.Instant?
        var consecutiveTransientFailures = 0
        var outageRounds = 0
        /// The pause is the budget's: it ends at `closedUntil` by itself, with no probe.
        var opensByItself = false
        /// Failed budget spends in a row (store errors).
        var budgetStoreFailures = 0
        /// Goes up at every closing.
        var generation: UInt64 = 0

        /// Whether `pass` is the current probe, whose verdict decides the pause.
        func isCurrentProbe(_ pass: Pass) -> Bool {
            pass.isProbe && pass.generation == generation && probeLeaseEnd != nil
        }
    }

    private enum Admission {
        case pass(isProbe: Bool, generation: UInt64, reopened: Reason?)
        case wait(until: ContinuousClock.Instant)
    }

    private let state = Mutex(State())
    private let clock = ContinuousClock()
    private let settings: Settings
    private let limiter: CallLimiter?
    private let pollInterval: Duration
    /// Runs before each probe goes out (see ``init(settings:limiter:logger:pollInterval:prepareProbe:)``).
    private let prepareProbe: (@Sendable () -> Void)?
    private let logger: Logger
    private let changeContinuation: AsyncStream<Reason?>.Continuation
    /// The pause reason each time it changes: the new reason, or `nil` when calls resume.
    let changes: AsyncStream<Reason?>

    /// - Parameters:
    ///   - limiter: the call budget and rate every admission spends; `nil` for none.
    ///   - prepareProbe: runs right before each probe of a paused gate is let through (once per probe, never for an
    ///     ordinary call): the worker re-reads its token file there.
    init(
        settings: Settings = Settings(), limiter: CallLimiter? = nil, logger: Logger,
        pollInterval: Duration = .milliseconds(50), prepareProbe: (@Sendable () -> Void)? = nil
    ) {
        self.prepareProbe = prepareProbe
        self.settings = settings
        self.limiter = limiter
        self.logger = logger
        self.pollInterval = pollInterval
        (changes, changeContinuation) = AsyncStream.makeStream(of: Reason?.self)
    }

    /// Ends ``changes``: the gate's owner is shutting down.
    func finishChanges() {
        changeContinuation.finish()
    }

    private func onChange(_ reason: Reason?) {
        changeContinuation.yield(reason)
    }

    /// Waits until a call may be made, and spends its unit of the call budget. Throws `CancellationError` when the
    /// task is cancelled.
    func enter() async throws -> Pass {
        let started = clock.now
        while true {
            let now = clock.now
            let admission: Admission = state.withLock { state in
                guard let until = state.closedUntil else {
                    return .pass(isProbe: false, generation: state.generation, reopened: nil)
                }
                if now < until { return .wait(until: until) }
                if state.opensByItself {
                    let reason = state.reason
                    state.closedUntil = nil
                    state.reason = nil
                    state.opensByItself = false
                    state.probeLeaseEnd = nil
                    return .pass(isProbe: false, generation: state.generation, reopened: reason)
                }
                if let leaseEnd = state.probeLeaseEnd, now < leaseEnd { return .wait(until: now + pollInterval) }
                state.probeLeaseEnd = now + settings.probeLease
                return .pass(isProbe: true, generation: state.generation, reopened: nil)
            }
            switch admission {
            case .pass(let isProbe, let generation, let reopened):
                if let reopened { budgetReopened(reopened) }
                if isProbe, let prepareProbe { prepareProbe() }
                let pass = Pass(isProbe: isProbe, waited: clock.now - started, generation: generation)
                if try await spend(for: pass) { return pass }
            case .wait(let until): try await Task.sleep(until: min(until, now + .seconds(1)), clock: clock)
            }
        }
    }

    /// Spends the call's unit of the budget. Returns false when no call may be made now: the budget is spent (the gate
    /// is then closed until its reset) or the store failed (after a backoff).
    private func spend(for pass: Pass) async throws -> Bool {
        guard let limiter else { return true }
        let admission: CallLimiter.Admission
        do {
            admission = try await limiter.admit()
        } catch {
            releaseProbe(of: pass)
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            let failures = state.withLock { state in
                state.budgetStoreFailures += 1
                return state.budgetStoreFailures
            }
            if failures == 1 {
                logger.warning(
                    "cannot spend the Komet call budget in the store: calls wait and retry",
                    metadata: [SyncLogKey.error: "\(error)"])
            }
            try await Task.sleep(for: settings.outageBackoff.ceiling(retry: failures))
            return false
        }
        switch admission {
        case .granted:
            state.withLock { $0.budgetStoreFailures = 0 }
            return true
        case .spent(let used, let window):
            releaseProbe(of: pass)
            budgetSpent(used: used, limit: limiter.settings.limit, window: window)
            return false
        }
    }

    /// Closes the gate until the budget window's reset (once, however many callers find the budget spent).
    private func budgetSpent(used: Int, limit: Int, window: BudgetWindow) {
        let pause = Duration.seconds(window.end.timeIntervalSinceNow)
        guard pause > .zero else { return }  // the window has just ended: try again at once
        let until = clock.now + pause
        let previous: Reason?? = state.withLock { state in
            if state.opensByItself, let closed = state.closedUntil, closed >= until - .seconds(1) { return .none }
            let previous = state.closedUntil == nil ? nil : state.reason
            state.generation += 1
            state.closedUntil = until
            state.reason = .quota
            state.opensByItself = true
            state.probeLeaseEnd = nil
            return .some(previous)
        }
        guard let previous else { return }
        logger.warning(
            "Komet call budget spent: calls wait for its reset, without probing",
            metadata: [
                SyncLogKey.budgetUsed: .stringConvertible(used), SyncLogKey.budgetLimit: .stringConvertible(limit),
                SyncLogKey.budgetResetsAt: "\(window.end.formatted(.iso8601))",
                SyncLogKey.pauseSeconds: .stringConvertible(pause.components.seconds),
            ])
        if previous != .quota { onChange(.quota) }
    }

    private func budgetReopened(_ reason: Reason?) {
        let window = limiter?.currentWindow()
        logger.notice(
            "Komet call budget reset: calls resume",
            metadata: [
                SyncLogKey.budgetLimit: .stringConvertible(limiter?.settings.limit ?? 0),
                SyncLogKey.budgetResetsAt: "\(window?.end.formatted(.iso8601) ?? "")",
            ])
        if reason != nil { onChange(nil) }
    }

    /// How long to pause after Komet itself answers that the quota is spent (other integrations spent it): the probe
    /// interval, but never past the budget's next reset, so a probe goes out right at the reset.
    func quotaPause(probeInterval: Duration) -> Duration {
        guard let window = limiter?.currentWindow() else { return probeInterval }
        return max(.milliseconds(1), min(probeInterval, .seconds(window.end.timeIntervalSinceNow)))
    }

    /// Komet answered the call (success, or a status-0 refusal of the request itself). The current probe's answer
    /// opens the gate for everyone; a call that was already in flight when the gate closed only clears the count of
    /// failures in a row, so it cannot undo a pause it knows nothing about.
    func recordSuccess(of pass: Pass) {
        let reopened: Reason? = state.withLock { state in
            guard state.closedUntil != nil else {
                state.consecutiveTransientFailures = 0
                state.outageRounds = 0
                return nil
            }
            guard state.isCurrentProbe(pass) else { return nil }
            let reason = state.reason
            state.closedUntil = nil
            state.reason = nil
            state.probeLeaseEnd = nil
            state.opensByItself = false
            state.consecutiveTransientFailures = 0
            state.outageRounds = 0
            return reason
        }
        if let reopened {
            logger.notice("Komet calls resume", metadata: [SyncLogKey.pauseReason: "\(reopened.rawValue)"])
            onChange(nil)
        }
    }

    /// A call failed transiently (5xx, refused connection, timeout before sending). Returns whether the failure counts
    /// against the event's own retry budget: it does not when it was a probe, when the gate is paused anyway, or when
    /// it is the failure that shows an outage.
    func recordTransientFailure(of pass: Pass) -> Bool {
        let now = clock.now
        let closing: Duration? = state.withLock { state in
            state.consecutiveTransientFailures += 1
            let paused = state.closedUntil != nil
            let probe = state.isCurrentProbe(pass)
            if paused && !probe {
                return .zero  // a pause is already being handled; this call was in flight when it began
            }
            guard probe || state.consecutiveTransientFailures >= settings.outageThreshold else {
                return nil
            }
            state.outageRounds += 1
            return settings.outageBackoff.ceiling(retry: state.outageRounds)
        }
        guard let closing else { return true }
        if closing > .zero {
            close(
                .unavailable, for: closing, at: now, authoritative: true,
                detail: "\(settings.outageThreshold) transient failures in a row")
        }
        return false
    }

    /// A call was answered throttled, quota or systemic: close the gate for `pause`. Logs once per closing, not
    /// once per event. The answer of a call that was already in flight when the gate closed cannot change the
    /// pause's reason (it is older news than the pause); it can only make a pause of the same reason longer.
    func close(_ reason: Reason, for pause: Duration, after pass: Pass, detail: String) {
        let authoritative = state.withLock { $0.closedUntil == nil || $0.isCurrentProbe(pass) }
        close(reason, for: pause, at: clock.now, authoritative: authoritative, detail: detail)
    }

    /// The call ended without a verdict on the pause (an ambiguous answer): if it was the probe, let another caller
    /// probe.
    func releaseProbe(of pass: Pass) {
        state.withLock { state in
            if state.isCurrentProbe(pass) { state.probeLeaseEnd = nil }
        }
    }

    /// Why calls are paused, or `nil` when they are not.
    var pauseReason: Reason? {
        state.withLock { $0.closedUntil == nil ? nil : $0.reason }
    }

    private func close(
        _ reason: Reason, for pause: Duration, at now: ContinuousClock.Instant, authoritative: Bool, detail: String
    ) {
        let until = now + pause
        let (previous, changed): (Reason?, Bool) = state.withLock { state in
            let previous = state.closedUntil == nil ? nil : state.reason
            if !authoritative, let previous {
                if previous == reason { state.closedUntil = max(state.closedUntil ?? until, until) }
                return (previous, false)
            }
            state.probeLeaseEnd = nil
            if reason == .unavailable, let previous, previous != .unavailable {
                // A transient failure says nothing about a refused token or a spent quota: keep that reason and
                // probe again after the later of the two pauses.
                state.closedUntil = max(state.closedUntil ?? until, until)
                return (previous, false)
            }
            if reason != .unavailable { state.outageRounds = 0 }
            state.opensByItself = false
            state.generation += 1
            state.closedUntil = until
            state.reason = reason
            return (previous, previous != reason)
        }
        guard changed else { return }
        var metadata: Logger.Metadata = [
            SyncLogKey.pauseReason: "\(reason.rawValue)",
            SyncLogKey.pauseSeconds: .stringConvertible(pause.components.seconds),
            SyncLogKey.errorDetail: "\(detail)",
        ]
        if let previous { metadata[SyncLogKey.pausePrevious] = "\(previous.rawValue)" }
        switch reason {
        case .systemic:
            logger.error(
                "Komet refuses our calls (token or permission): consumption paused on all partitions; probing until it accepts them again",
                metadata: metadata)
        case .quota:
            logger.warning("Komet's daily quota is spent: pausing calls until a probe succeeds", metadata: metadata)
        case .throttled:
            logger.warning("Komet throttles our calls: pausing calls", metadata: metadata)
        case .unavailable:
            logger.warning("Komet is unavailable: pausing calls and probing with backoff", metadata: metadata)
        }
        onChange(reason)
    }
}
