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

    // ------------------------------------------------------------------------------------------------------------
    // FENCED-CLAIM SETTINGS GO HERE (issue 8).
    //
    // `dedupe.claimLease` and `komet.lateArrivalWindow` do not exist yet, and the worker refuses unknown settings,
    // so this is empty today. Once they exist, set them here, sized to the runs that use them (a request timeout of
    // 2 s, late answers held 3 s, latency spikes of up to 3.5 s), for example:
    //     ["dedupe": ["claimLease": "4s"], "komet": ["lateArrivalWindow": "5s"]]
    // Every run that meets late answers (scale-out, late answers, call economy) merges this in.
    // ------------------------------------------------------------------------------------------------------------
    /// The settings of fenced claims and of the late-arrival window, for every run that meets late answers.
    static var fencedClaims: Sections { [:] }
}
