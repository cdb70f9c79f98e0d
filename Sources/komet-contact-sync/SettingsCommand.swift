import ArgumentParser
import ContactSync

/// `komet-contact-sync settings`: every setting with its default and environment variable, as a Markdown table.
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Print every setting with its default and environment variable (Markdown)."
    )

    func run() {
        for setting in SyncConfiguration.settings {
            let variable = ConfigurationSource.environmentName(for: setting.key)
            let value = setting.defaultValue.isEmpty ? "" : "`\(setting.defaultValue)`"
            print("| `\(setting.key)` (`\(variable)`) | \(value) | \(setting.summary) |")
        }
    }
}
