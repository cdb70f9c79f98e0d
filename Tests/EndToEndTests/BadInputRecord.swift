import SyncTestSupport

/// One input record of the bad-input run and what must become of it.
struct BadInputRecord {
    enum Expectation: Equatable {
        /// A dead letter with this `komet-sync.reason`, key and value untouched.
        case deadLetter(String)
        /// A success record with status `created`.
        case created
        /// Exactly one outcome of any kind (a fuzz mutant).
        case anyOutcome
    }

    var name: String
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [BadInputHeader]
    var expectation: Expectation

    /// A corpus case: a dead letter with its reason.
    init(_ badCase: BadInputCase) {
        name = badCase.name
        key = badCase.key
        value = badCase.value
        headers = badCase.headers
        expectation = .deadLetter(badCase.reason)
    }

    /// A valid control event that must be created.
    init(control index: Int) {
        let control = BadInputCorpus.control(index)
        name = "control-\(index)"
        key = control.key
        value = control.value
        headers = []
        expectation = .created
    }

    /// The seeded mutant number `index`: any one outcome.
    init(mutant: FuzzRecord, index: Int) {
        name = "mutant-\(index) [\(mutant.mutations.joined(separator: "; "))]"
        key = mutant.key
        value = mutant.value
        headers = mutant.headers
        expectation = .anyOutcome
    }
}
