extension BadInputMutator {
    /// Values a member-list mutant puts in place of a member's value: wrong types, huge numbers, deep nesting and
    /// unicode oddities.
    private static let oddValues = [
        "null", "true", "0", "-1", "1.5", "1e400", "-0", "9223372036854775808", "99999999999999999999", "[]",
        "{}", #""""#, #""17""#, #"" none""#, #""\ud800""#, #""\u0000""#,
        #""a\#(String(repeating: "\u{0301}", count: 60))""#,
        #""\#u{202E}x""#, #""👨‍👩‍👧""#, #""\#u{FEFF}""#,
        String(repeating: "[", count: 520) + String(repeating: "]", count: 520),
        #""\#(String(repeating: "é", count: 51))""#, #""\#(String(repeating: "b", count: 201))""#,
    ]

    /// The next member-list mutant (the end-to-end run's): a valid event as member lists, up to two member deletions,
    /// duplications, renames or odd values, an envelope (bare, structured or binary, whose headers may be damaged),
    /// then, for half of them, one byte flip, truncation, insertion or deletion. Customer ids run to 1001 and one
    /// title in ten is "Overlong Role"; 3% of the mutants have no key. `index` makes the key, the email and the
    /// CloudEvent id unique.
    public mutating func memberListMutant(_ index: Int) -> FuzzRecord {
        var members: [(String, String)] = [
            ("FirstName", #""\#(random.pick(["Ann", "Zoë", "李", "O'Brien"]))""#), ("LastName", #""Fz\#(index)""#),
            ("Email", #""f\#(index)@example.com""#),
            (
                "Title",
                #""\#(random.pick(["Buyer", "Owner", "Buyer", "Owner", "Buyer", "Owner", "Buyer", "Owner", "", "Overlong Role"]))""#
            ),
            (
                "PhoneNumbers",
                #"[{"Number":"555-0100 x12","Type":\#(random.pick([1, 2, 3, 6]))},{"Number":" none","Type":2}]"#
            ),
        ]
        var top: [(String, String)] = [("CustomerID", String(Int.random(in: 1...1_001, using: &random)))]
        if random.chance(0.5) { top.append(("IsPrimary", random.chance(0.5) ? "true" : "false")) }
        var applied: [String] = []
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            let inContact = random.chance(0.7)
            var list = inContact ? members : top
            guard !list.isEmpty else { continue }
            let at = Int.random(in: 0..<list.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                applied.append("delete \(list[at].0)")
                list.remove(at: at)
            case 1:
                applied.append("duplicate \(list[at].0)")
                list.append((list[at].0, random.chance(0.5) ? list[at].1 : random.pick(Self.oddValues)))
            case 2:
                applied.append("rename \(list[at].0)")
                list[at].0 = random.pick([list[at].0.lowercased(), list[at].0.uppercased(), list[at].0 + " "])
            default:
                let value = random.pick(Self.oddValues)
                applied.append("replace \(list[at].0) with \(value.prefix(12))")
                list[at].1 = value
            }
            if inContact { members = list } else { top = list }
        }
        func object(_ list: [(String, String)]) -> [(String, FuzzJSON)] { list.map { ($0.0, .raw($0.1)) } }
        var text = FuzzJSON.object([("Contact", .object(object(members)))] + object(top)).text
        var headers: [BadInputHeader] = []
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            text = #"{"specversion":"1.0","id":"fz-ce-\#(index)","source":"/rpm","data":\#(text)}"#
        case 1:
            headers = [
                BadInputHeader(key: "ce_specversion", string: "1.0"),
                BadInputHeader(key: "ce_id", string: "fz-ce-\(index)"),
            ]
            if random.chance(0.2) {
                headers[Int.random(in: 0...1, using: &random)].value = random.pick([nil, [0xFF], []])
            }
        default: break
        }
        var value = Array(text.utf8)
        if random.chance(0.5) && !value.isEmpty {
            let at = Int.random(in: 0..<value.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                value[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                applied.append("flip \(at)")
            case 1:
                value = Array(value.prefix(at))
                applied.append("truncate \(at)")
            case 2:
                let inserted = (0..<Int.random(in: 1...6, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
                value.insert(contentsOf: inserted, at: at)
                applied.append("insert \(at)")
            default:
                value.removeSubrange(at..<min(value.count, at + Int.random(in: 1...12, using: &random)))
                applied.append("delete \(at)")
            }
        }
        let key: [UInt8]? = random.chance(0.03) ? nil : Array("fz-\(index)".utf8)
        return FuzzRecord(key: key, value: value, headers: headers, mutations: applied)
    }
}
