import Foundation

/// Reads typed values of documented settings, falling back to their defaults.
struct SettingReader {
    var source: ConfigurationSource

    func string(_ key: String) throws(ConfigurationError) -> String {
        if let value = source.value(key) { return value.trimmingCharacters(in: .whitespaces) }
        guard let setting = SyncConfiguration.settings.first(where: { $0.key == key }) else {
            throw ConfigurationError(setting: key, message: "undocumented setting (a bug)")
        }
        return setting.defaultValue
    }

    func nonEmpty(_ key: String) throws(ConfigurationError) -> String {
        let value = try string(key)
        guard !value.isEmpty else { throw ConfigurationError(setting: key, message: "must not be empty") }
        return value
    }

    func list(_ key: String) throws(ConfigurationError) -> [String] {
        try string(key).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func int(_ key: String, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try string(key)
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                setting: key, message: "'\(text)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool {
        switch try string(key).lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        case let other: throw ConfigurationError(setting: key, message: "'\(other)' is not true or false")
        }
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String) throws(ConfigurationError) -> Choice
    where Choice.RawValue == String {
        let text = try string(key)
        guard let value = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(setting: key, message: "'\(text)' is not one of \(allowed)")
        }
        return value
    }

    func duration(_ key: String, minimum: Duration) throws(ConfigurationError) -> Duration {
        let text = try string(key)
        if Double(text) != nil {
            throw ConfigurationError(
                setting: key,
                message: "'\(text)' has no unit: write a duration with one, e.g. 500ms, 15s, 5m, 1h, 30d")
        }
        guard let value = Self.parseDuration(text), value >= minimum else {
            throw ConfigurationError(
                setting: key,
                message: "'\(text)' is not a duration of at least \(minimum) (e.g. 500ms, 15s, 5m, 1h, 30d)")
        }
        return value
    }

    func pairs<Value>(_ key: String, _ convert: (String) -> Value?) throws(ConfigurationError) -> [String: Value] {
        var result: [String: Value] = [:]
        for item in try list(key) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let value = convert(parts[1]) else {
                throw ConfigurationError(setting: key, message: "'\(item)' is not a name=value pair")
            }
            result[parts[0]] = value
        }
        return result
    }

    /// `250ms`, `15s`, `5m`, `1h`, `30d` (a fraction is allowed: `1.5s`). A number without a unit is not a duration:
    /// `"requestTimeout": 15000` could mean milliseconds as easily as seconds.
    static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            return .milliseconds(Int64((value * seconds * 1_000).rounded()))
        }
        return nil
    }
}
