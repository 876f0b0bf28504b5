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

    @Test("amounts are named when no tool result had any amount, less those the question names")
    func amounts() {
        let lookup: [ChatMessage] = [
            .user("What is the customer number of Hotel Rheinblick? Anything over 1.000,00 €?"),
            .tool("c", "Showing 1–2 of 22 customers:\n• Hotel Rheinblick (#1012, customer) · Königswinter\n• Café Zimt & Zucker (#1007, customer)"),
        ]
        // The offline model's answer from a contact list without amounts: the system prompt's example amount.
        let answer = "Hotel Rheinblick is 1012. The last invoice was for 1.234,56 € on 2026-11-25, nothing over 1000,00 EUR."
        #expect(UnverifiedReferences.find(in: answer, conversation: lookup) == ["1.234,56 €"])
        // Each value once, in the answer's order, written the tools' way, whether the currency comes before or after
        // it; document numbers come first.
        let made = "RE-4711: 12,00 € and 1234,56 EUR, again 1.234,56 € and € 12,00, or 5,00 euros."
        #expect(UnverifiedReferences.find(in: made, conversation: lookup) == ["RE-4711", "12,00 €", "1.234,56 €", "5,00 €"])
    }

    @Test("where results have amounts, one they lack is taken for a sum of them and not named")
    func sums() {
        let balances: [ChatMessage] = [
            .user("What are our bank balances?"),
            .tool("c", "• Geschäftskonto: 64.299,50 €\n• PayPal: 4.670,67 €\n• Kasse: 22,78 €"),
        ]
        #expect(UnverifiedReferences.find(in: "64.299,50 € + 4.670,67 € + 22,78 € = 68.992,95 €.", conversation: balances).isEmpty)
    }

    @Test("numbers without a currency, parts of longer numbers and percentages are not amounts")
    func notAmounts() {
        let noAmounts: [ChatMessage] = [.user("Who is our tax advisor?"), .tool("c", "Steuerberatung Krause & Partner mbB (#1030, supplier)")]
        let answer = "VAT 19,00 % on 3 items, version 1,25, account 12.345,678 €, 2026-11-25, 1.234.56 € and 0,5 €."
        #expect(UnverifiedReferences.find(in: answer, conversation: noAmounts).isEmpty)
    }

    @Test("the warning names the numbers and says what to do")
    func warning() {
        #expect(UnverifiedReferences.warning([]) == nil)
        #expect(UnverifiedReferences.warning(["RE-1"])?.hasPrefix("no tool returned RE-1: the model probably made it up. Don't rely on it;") == true)
        #expect(UnverifiedReferences.warning(["RE-1", "RE-2", "RE-3"])?.hasPrefix("no tool returned RE-1, RE-2 and RE-3: the model probably made them up.") == true)
    }
}
