/// Told of every request the client sends to Komet: for metrics that count calls when they are made (each one spends
/// quota, whatever its answer) and time them by method and result.
///
/// Called on the calling task, around the request only: a call refused before it is sent (too large, cancelled,
/// a bad URL) is not reported. Must return quickly.
public protocol KometCallObserver: Sendable {
    /// A request of `method` is about to be sent.
    func callStarted(_ method: KometMethod)
    /// Its answer was interpreted: `failureClass` is `nil` for a success. `duration` runs from sending to the
    /// interpreted answer (or the transport failure).
    func callEnded(_ method: KometMethod, failureClass: KometFailureClass?, duration: Duration)
}
