/// Worker settings by section, as `E2ESystem.writeWorkerConfiguration(extra:)` takes them, and the settings the
/// multi-replica and late-answer runs share.
enum WorkerSettings {
    typealias Sections = [String: [String: Any]]

    /// `base` with `overrides` laid over it, section by section: a key of `overrides` wins, other keys stay.
    static func merged(_ base: Sections, _ overrides: Sections) -> Sections {
        var result = base
        for (section, settings) in overrides {
            result[section, default: [:]].merge(settings) { _, new in new }
        }
        return result
    }

    /// The settings of fenced claims and of the late-arrival window, for every run that meets late answers: a lease
    /// just longer than the 2 s request timeout plus a margin, and a window longer than the latest answer the
    /// simulator lands after the client gave up (adds held 3 s, spikes of up to 3.5 s: 1.5 s past the timeout).
    static var fencedClaims: Sections { ["dedupe": ["claimLease": "4s"], "komet": ["lateArrivalWindow": "3s"]] }
}
