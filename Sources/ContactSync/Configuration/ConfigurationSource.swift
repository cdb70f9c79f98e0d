import Foundation

/// Flat, dotted configuration keys (`pipeline.maxInFlight`) read from a JSON file and the environment.
///
/// A JSON file may nest objects (`{"pipeline": {"maxInFlight": 8}}`) or use dotted keys directly; both flatten to the
/// same key. Every key can be overridden by an environment variable whose name is ``environmentName(for:)`` of the key,
/// e.g. `KOMET_SYNC_PIPELINE_MAX_IN_FLIGHT`. The environment wins over the file.
public struct ConfigurationSource: Sendable {
    /// The prefix of every environment variable this service reads for its settings.
    public static let environmentPrefix = "KOMET_SYNC_"

    public private(set) var fileValues: [String: String]
    public private(set) var environment: [String: String]

    public init(fileValues: [String: String] = [:], environment: [String: String] = [:]) {
        self.fileValues = fileValues
        self.environment = environment
    }

    /// Reads and flattens a JSON configuration file.
    public init(file path: String?, environment: [String: String]) throws(ConfigurationError) {
        var values: [String: String] = [:]
        if let path {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ConfigurationError(setting: "--config", message: "cannot read configuration file \(path)")
            }
            let document: ConfigurationDocument
            do {
                document = try JSONDecoder().decode(ConfigurationDocument.self, from: data)
            } catch {
                throw ConfigurationError(setting: "--config", message: "\(path) is not valid JSON")
            }
            guard case .object(let object) = document else {
                throw ConfigurationError(setting: "--config", message: "\(path) must hold a JSON object")
            }
            Self.flatten(object, prefix: "", into: &values)
        }
        self.init(fileValues: values, environment: environment)
    }

    private static func flatten(
        _ object: [String: ConfigurationDocument],
        prefix: String,
        into values: inout [String: String]
    ) {
        for (name, value) in object {
            let key = prefix.isEmpty ? name : "\(prefix).\(name)"
            switch value {
            case .object(let nested): flatten(nested, prefix: key, into: &values)
            case .scalar(let string): values[key] = string
            case .array(let items): values[key] = items.joined(separator: ",")
            case .null: continue
            }
        }
    }

    /// The environment variable that overrides `key`: `KOMET_SYNC_` + the key with dots as `_` and camelCase as SNAKE_CASE.
    public static func environmentName(for key: String) -> String {
        var name = environmentPrefix
        var previousWasLowercase = false
        for character in key {
            if character == "." || character == "-" {
                name.append("_")
                previousWasLowercase = false
            } else if character.isUppercase {
                if previousWasLowercase { name.append("_") }
                name.append(character)
                previousWasLowercase = false
            } else {
                name.append(contentsOf: character.uppercased())
                previousWasLowercase = character.isLowercase || character.isNumber
            }
        }
        return name
    }

    /// The raw value of a setting: environment first, then the file.
    public func value(_ key: String) -> String? {
        if let value = environment[Self.environmentName(for: key)] { return value }
        return fileValues[key]
    }

    /// Every setting below `prefix` (e.g. `kafka.`), with the prefix removed. For librdkafka pass-through, environment
    /// variables `KOMET_SYNC_KAFKA_SECURITY_PROTOCOL` become `security.protocol` (lower-cased, `_` as `.`).
    public func values(withPrefix prefix: String) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in fileValues where key.hasPrefix(prefix) {
            result[String(key.dropFirst(prefix.count))] = value
        }
        let environmentPrefix = Self.environmentName(for: prefix)
        for (name, value) in environment where name.hasPrefix(environmentPrefix) {
            let rest = name.dropFirst(environmentPrefix.count)
            guard !rest.isEmpty else { continue }
            result[rest.lowercased().replacingOccurrences(of: "_", with: ".")] = value
        }
        return result
    }

    /// The librdkafka property each `KOMET_SYNC_KAFKA_*` variable sets, mapped to the variable's name.
    func kafkaVariableNames() -> [String: String] {
        let prefix = Self.environmentName(for: "kafka.")
        var names: [String: String] = [:]
        for name in environment.keys where name.hasPrefix(prefix) && name.count > prefix.count {
            names[name.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: ".")] = name
        }
        return names
    }

    /// The keys set in the file that no setting of `known` reads, for a warning or an error at start.
    public func unknownFileKeys(known: Set<String>, passThroughPrefixes: [String]) -> [String] {
        fileValues.keys.filter { key in
            !known.contains(key) && !passThroughPrefixes.contains { key.hasPrefix($0) }
        }.sorted()
    }

    /// The `KOMET_SYNC_*` variables of the environment that no setting of `known` reads and that no pass-through
    /// prefix covers: a misspelt variable would otherwise be ignored without a word. `allowed` names variables read
    /// for another purpose (the token's and the password's, when they were given this prefix).
    public func unknownEnvironmentVariables(
        known: Set<String>, passThroughPrefixes: [String], allowed: Set<String>
    ) -> [String] {
        let knownNames = Set(known.map(Self.environmentName(for:)))
        let passThrough = passThroughPrefixes.map(Self.environmentName(for:))
        return environment.keys.filter { name in
            name.hasPrefix(Self.environmentPrefix) && !knownNames.contains(name) && !allowed.contains(name)
                && !passThrough.contains { name.hasPrefix($0) && name.count > $0.count }
        }.sorted()
    }

    /// The candidate closest to `name` by edit distance, when it is close enough to be what was meant (a typo, a
    /// missing or extra letter or word separator), for "did you mean …?".
    public static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        let limit = max(2, name.count / 5)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(name.lowercased()), Array(candidate.lowercased()))
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// Levenshtein distance (insert, delete, substitute), two rows at a time.
    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// A configuration problem, naming the setting (and the environment variable that sets it).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    public var setting: String
    public var message: String

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String {
        // Options (`--config`) and environment variables (`KOMET_SYNC_…`) are named as they are.
        if setting.hasPrefix("-") || setting.hasPrefix(ConfigurationSource.environmentPrefix) {
            return "configuration: \(setting): \(message)"
        }
        return "configuration: \(setting) (\(ConfigurationSource.environmentName(for: setting))): \(message)"
    }
}

/// The shape of a JSON configuration file: objects, arrays of scalars and scalars (kept as their text).
private enum ConfigurationDocument: Decodable {
    case object([String: ConfigurationDocument])
    case array([String])
    case scalar(String)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .scalar(bool ? "true" : "false")
        } else if let int = try? container.decode(Int64.self) {
            self = .scalar(String(int))
        } else if let double = try? container.decode(Double.self) {
            self = .scalar(String(double))
        } else if let string = try? container.decode(String.self) {
            self = .scalar(string)
        } else if let array = try? container.decode([ConfigurationDocument].self) {
            self = .array(
                array.compactMap {
                    if case .scalar(let value) = $0 { return value }
                    return nil
                })
        } else {
            self = .object(try container.decode([String: ConfigurationDocument].self))
        }
    }
}
