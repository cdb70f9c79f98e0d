import Foundation
import Testing

@testable import ContactSync

/// Every reason has advice (the switch is exhaustive, so a new reason cannot compile without one), and the runbook's
/// section of each reason quotes it.
@Suite struct DeadLetterReasonAdviceTests {
    static let runbook = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/runbook.md")

    @Test func everyReasonHasItsOwnOneLineAdvice() {
        for reason in DeadLetterReason.allCases {
            #expect(reason.advice.count >= 20, "\(reason.rawValue): \(reason.advice)")
            #expect(!reason.advice.contains("\n"), "\(reason.rawValue)")
        }
        #expect(Set(DeadLetterReason.allCases.map(\.advice)).count == DeadLetterReason.allCases.count)
    }

    @Test func theRunbookQuotesTheAdviceUnderEachReasonsHeading() throws {
        let text = try String(contentsOf: Self.runbook, encoding: .utf8)
        for reason in DeadLetterReason.allCases {
            let heading = "#### `\(reason.rawValue)`\n"
            guard let start = text.range(of: heading) else {
                Issue.record("the runbook has no section \(heading)")
                continue
            }
            let rest = text[start.upperBound...]
            let section = rest.range(of: "\n#").map { rest[..<$0.lowerBound] } ?? rest
            #expect(
                section.contains("**What to do** (`dlq summary`): \(reason.advice)"),
                "the runbook's \(reason.rawValue) section does not quote its advice")
        }
    }

    @Test func summaryAdviceCoversUnknownAndMissingReasons() {
        #expect(DeadLetterSummary.advice(forLabel: "komet_rejected") == DeadLetterReason.kometRejected.advice)
        #expect(DeadLetterSummary.advice(forLabel: "(none)").contains("komet-sync.reason"))
        #expect(DeadLetterSummary.advice(forLabel: "(unknown: brand_new)").contains("does not know"))
    }
}
