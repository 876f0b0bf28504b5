import LLM
import Testing

@testable import Agent

@Suite("Unverified references")
struct UnverifiedReferencesTests {
    let conversation: [ChatMessage] = [
        .system("Name the invoice numbers (RE-…) you were shown. Example: RE-2026-0001."),
        .user("Is RE-2020-9999 paid?"),
        .assistant("", toolCalls: [ToolCall(id: "c", name: "list_invoices", arguments: "{}")]),
        .tool("c", "Showing 1–2 of 120 invoices (newest first):\n• RE-2026-0101 · 2026-11-25 · Autohaus Becker KG · 7.650,39 € · draft\n• BE-2026-0173 · 217,51 €"),
        .assistant("RE-2026-0055 was mentioned before."),
    ]

    @Test("numbers from a tool result or a question are verified; others are named once, in the answer's order")
    func found() {
        let answer = "RE-12633, RE-2026-0101, BE-2026-0173, RE-2020-9999, RE-64000, RE-13 and again RE-12633."
        #expect(UnverifiedReferences.find(in: answer, conversation: conversation) == ["RE-12633", "RE-64000", "RE-13"])
    }

    @Test("the system prompt and earlier answers are no evidence: only tool results and questions are")
    func sources() {
        #expect(UnverifiedReferences.find(in: "RE-2026-0001 and RE-2026-0055", conversation: conversation) == ["RE-2026-0001", "RE-2026-0055"])
    }

    @Test("a number is matched whole: a shorter or longer one is not the same number")
    func wholeNumbers() {
        #expect(UnverifiedReferences.find(in: "RE-2026-010 and RE-2026-01012", conversation: conversation) == ["RE-2026-010", "RE-2026-01012"])
    }

    @Test("words that only look alike are not numbers: UTF-8, COVID-19, lower case, prefixes inside words, RE-…")
    func notNumbers() {
        let answer = "UTF-8, COVID-19, re-2026-0001, aRE-2026-0001, ABCDE-123, RE-…, 2026-11-25, DE301234567, (RE-2026-0101)."
        #expect(UnverifiedReferences.references(in: answer) == ["RE-2026-0101"])
        #expect(UnverifiedReferences.find(in: answer, conversation: conversation).isEmpty)
    }

    @Test("the warning names the numbers and says what to do")
    func warning() {
        #expect(UnverifiedReferences.warning([]) == nil)
        #expect(UnverifiedReferences.warning(["RE-1"])?.hasPrefix("no tool returned RE-1: the model probably made it up. Don't rely on it;") == true)
        #expect(UnverifiedReferences.warning(["RE-1", "RE-2", "RE-3"])?.hasPrefix("no tool returned RE-1, RE-2 and RE-3: the model probably made them up.") == true)
    }
}
