import Foundation

/// Makes valid contact events and mutates them: byte flips, truncation, random bytes, member deletion and
/// duplication, type swaps, huge numbers, deep nesting and unicode oddities.
///
/// Two kinds of mutant, each a reproducible stream for one seed: ``mutant(_:)`` (a ``FuzzJSON`` tree, ContactSyncTests'
/// fuzz run) and ``memberListMutant(_:)`` (the end-to-end run's). Keep each stream as it is: the fuzz figures that the
/// two runs print for their fixed seed are compared from one change to the next.
public struct BadInputMutator: Sendable {
    /// The seeded generator every choice is drawn from.
    public var random: SeededGenerator

    public init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    // MARK: valid events

    /// A valid bare contact event under the default mapping.
    public mutating func validPayload() -> FuzzJSON {
        let first = random.pick(["Ann", "Joe", "Zoë", "Łukasz", "Maria José", "李", "O'Brien"])
        let last = random.pick(["Lee", "Smith", "van der Berg", "Müller", "Nguyễn"])
        var contact: [(String, FuzzJSON)] = [("FirstName", .string(first)), ("LastName", .string(last))]
        if random.chance(0.7) {
            contact.append(("Email", .string("\(first.prefix(3).lowercased()).x@example.com")))
        }
        if random.chance(0.4) { contact.append(("Salutation", .string(random.pick(["Mr.", "Ms.", "Dr."])))) }
        if random.chance(0.4) { contact.append(("Title", .string(random.pick(["Buyer", "Manager", "Owner"])))) }
        if random.chance(0.7) {
            let phones = (0..<Int.random(in: 1...4, using: &random)).map { index -> FuzzJSON in
                .object([
                    ("Number", .string(random.pick(["555-0100", "555-0101 x12", "+1 305 555 0199", " none", ""]))),
                    ("PhoneNumberID", .raw(String(index + 1))),
                    ("Type", .raw(String(random.pick([1, 2, 3, 6])))),
                ])
            }
            contact.append(("PhoneNumbers", .array(phones)))
        }
        var members: [(String, FuzzJSON)] = [
            ("Contact", .object(contact)), ("CustomerID", .raw(String(Int.random(in: 1...1_000, using: &random)))),
        ]
        if random.chance(0.5) { members.append(("IsPrimary", .raw(random.chance(0.5) ? "true" : "false"))) }
        return .object(members)
    }

    // MARK: mutants

    /// The next tree mutant: a valid event, up to two structural mutations, an envelope (bare, structured, binary or
    /// base64) that may be damaged, then, for half of them, one or two byte mutations. `index` makes the key and the
    /// CloudEvent id unique.
    public mutating func mutant(_ index: Int) -> FuzzRecord {
        var document = validPayload()
        var headers: [BadInputHeader] = []
        var mutations: [String] = []
        let envelope = random.pick(["bare", "bare", "structured", "binary", "base64"])
        mutations.append(envelope)

        for _ in 0..<Int.random(in: 0...2, using: &random) {
            let (name, mutated) = structuralMutation(document)
            document = mutated
            mutations.append(name)
        }
        switch envelope {
        case "structured":
            document = .object([
                ("specversion", .string("1.0")), ("id", .string("ce-\(index)")), ("source", .string("/rpm")),
                ("type", .string("contact.created")), ("data", document),
            ])
        case "base64":
            document = .object([
                ("specversion", .string("1.0")), ("id", .string("ce-\(index)")), ("source", .string("/rpm")),
                ("data_base64", .string(Data(document.text.utf8).base64EncodedString())),
            ])
        case "binary":
            headers = [
                BadInputHeader(key: "ce_specversion", string: "1.0"),
                BadInputHeader(key: "ce_id", string: "ce-\(index)"),
                BadInputHeader(key: "content-type", string: "application/json"),
            ]
        default: break
        }
        if envelope != "bare" && random.chance(0.2) {
            let (name, mutated) = headerOrEnvelopeMutation(document, headers: headers)
            document = mutated.document
            headers = mutated.headers
            mutations.append(name)
        }

        var bytes = Array(document.text.utf8)
        if random.chance(0.5) {
            for _ in 0..<Int.random(in: 1...2, using: &random) {
                let (name, mutated) = byteMutation(bytes)
                bytes = mutated
                mutations.append(name)
            }
        }
        let key: [UInt8]? = random.chance(0.05) ? nil : Array("fz-\(index)".utf8)
        return FuzzRecord(key: key, value: bytes, headers: headers, mutations: mutations)
    }

    private mutating func structuralMutation(_ document: FuzzJSON) -> (String, FuzzJSON) {
        let index = Int.random(in: 0..<document.count, using: &random)
        switch Int.random(in: 0..<8, using: &random) {
        case 0:
            return (
                "delete-member",
                document.replacing(at: index) { node in
                    guard case .object(var members) = node, !members.isEmpty else { return node }
                    members.remove(at: Int.random(in: 0..<members.count, using: &random))
                    return .object(members)
                }
            )
        case 1:
            return (
                "duplicate-member",
                document.replacing(at: index) { node in
                    guard case .object(var members) = node, let member = members.randomElement(using: &random) else {
                        return node
                    }
                    members.append((member.0, random.chance(0.5) ? member.1 : randomScalar()))
                    return .object(members)
                }
            )
        case 2:
            return ("type-swap", document.replacing(at: index) { _ in randomScalar() })
        case 3:
            let number = random.pick([
                "1e400", "-1e400", "1e-400", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                "99999999999999999999999999", "4294967297", "-0", "1.5", "1e2", "0.0000001", "17.0", "-1",
            ])
            return ("huge-number \(number)", document.replacing(at: index) { _ in .raw(number) })
        case 4:
            let depth = random.pick([10, 300, 510, 511, 512, 513, 2_000])
            let useArrays = random.chance(0.5)
            return (
                "deep-nesting \(depth)",
                document.replacing(at: index) { node in
                    var wrapped = node
                    for _ in 0..<depth { wrapped = useArrays ? .array([wrapped]) : .object([("a", wrapped)]) }
                    return wrapped
                }
            )
        case 5:
            let odd = unicodeOddity()
            return (
                "unicode",
                document.replacing(at: index) { node in
                    if case .string = node { return odd }
                    return node
                }
            )
        case 6:
            return (
                "rename-member",
                document.replacing(at: index) { node in
                    guard case .object(var members) = node, !members.isEmpty else { return node }
                    let position = Int.random(in: 0..<members.count, using: &random)
                    let name = members[position].0
                    members[position].0 = random.pick([
                        name.lowercased(), name.uppercased(), " " + name, name + "\u{0}", String(name.dropLast()), "",
                    ])
                    return .object(members)
                }
            )
        default:
            return (
                "long-string",
                document.replacing(at: index) { node in
                    guard case .string = node else { return node }
                    let length = random.pick([49, 50, 51, 52, 199, 200, 201, 202, 5_000])
                    return .string(String(repeating: random.pick(["a", "1", "é", "👍"]), count: length))
                }
            )
        }
    }

    private mutating func randomScalar() -> FuzzJSON {
        random.pick([
            .raw("null"), .raw("true"), .raw("false"), .raw("0"), .raw("-1"), .raw("3.25"), .string(""),
            .string("17"), .string("Business"), .array([]), .object([]), .array([.raw("1")]), .string(" none"),
        ])
    }

    private mutating func unicodeOddity() -> FuzzJSON {
        random.pick([
            .string("a" + String(repeating: "\u{0301}", count: 300)),
            .string("\u{200B}\u{200D}"),
            .string("\u{202E}elaM\u{202C}"),
            .string("👨‍👩‍👧‍👦"),
            .string("\u{0}"),
            .string("\u{FEFF}Ann"),
            .string("\u{00A0}\u{2003}"),
            .raw(#""\ud800""#),
            .raw(#""\udc00\ud800""#),
            .raw(#""\u0000Ann""#),
            .raw(#""\uZZZZ""#),
            .string("ann@exämple.com"),
            .string("none"),
            .string("\r\n\t"),
        ])
    }

    private mutating func headerOrEnvelopeMutation(_ document: FuzzJSON, headers: [BadInputHeader]) -> (
        String, (document: FuzzJSON, headers: [BadInputHeader])
    ) {
        var headers = headers
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            headers.removeAll { $0.key == "ce_id" }
            return ("drop-ce_id", (document, headers))
        case 1:
            headers.removeAll { $0.key == "ce_specversion" }
            headers.append(BadInputHeader(key: "ce_specversion", string: random.pick(["0.3", "", "1.0.0"])))
            return ("bad-specversion", (document, headers))
        case 2:
            headers.append(
                BadInputHeader(
                    key: "content-type",
                    string: random.pick(["application/xml", "text/plain", "application/cloudevents+json", "x"])))
            return ("content-type", (document, headers))
        case 3:
            headers.append(BadInputHeader(key: "ce_id", value: [0xFF, 0xFE]))
            return ("binary-header", (document, headers))
        default:
            let mutated = document.replacing(at: 0) { node in
                guard case .object(var members) = node else { return node }
                members.removeAll { $0.0 == "id" || $0.0 == "specversion" }
                return .object(members)
            }
            return ("drop-envelope-members", (mutated, headers))
        }
    }

    private mutating func byteMutation(_ bytes: [UInt8]) -> (String, [UInt8]) {
        guard !bytes.isEmpty else { return ("none", bytes) }
        var bytes = bytes
        let position = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                bytes[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
            }
            return ("flip-bits", bytes)
        case 1:
            return ("truncate \(position)", Array(bytes.prefix(position)))
        case 2:
            let inserted = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                let any = UInt8.random(in: 0...255, using: &random)
                return random.pick([0x00, 0xFF, 0xC0, 0x80, 0xED, 0x22, 0x7B, 0x5B, 0x2C, 0x5C, any])
            }
            bytes.insert(contentsOf: inserted, at: position)
            return ("insert-bytes", bytes)
        case 3:
            let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
            bytes.removeSubrange(position..<end)
            return ("delete-bytes", bytes)
        default:
            let end = min(bytes.count, position + Int.random(in: 1...32, using: &random))
            bytes.insert(contentsOf: bytes[position..<end], at: end)
            return ("duplicate-bytes", bytes)
        }
    }
}
