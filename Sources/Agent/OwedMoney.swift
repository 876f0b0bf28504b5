import Foundation
import LLM
import MCP

/// Questions about money owed — by the company (bills to pay, debts, what it owes suppliers) or to it (receivables by
/// age) — and the reads to run instead of those that answer the other question. Why: the offline model reads "owe"
/// and "Rechnungen" as receivables — "What do we still owe our suppliers?" called `receivables_aging` and answered "We
/// still owe our suppliers a total of 61.148,63 €" (what customers owe us), "Welche Rechnungen müssen wir noch
/// bezahlen?" listed our sales invoices, and "How much do we owe?" summed them — and does not know "Forderungen": "Wie
/// alt sind unsere offenen Forderungen?" listed the open invoices six times over and answered "Es gibt 16 offenen
/// Forderungen."
public enum OwedMoney {
    /// Whether `question` asks what we owe or have to pay, in English or German: debts, what we owe, or what "we" /
    /// "wir" have to pay (`NamedPeriod.payWords`). Money owed to us ("Who owes us money?", "Wer ist uns noch Geld
    /// schuldig?", "What do customers still have to pay?") is not.
    public static func asksWhatWeOwe(_ question: String) -> Bool {
        let text = question.lowercased()
        let words = ArgumentRepair.wordList(text)
        if ["uns", "mir"].contains(where: words.contains), text.contains("schuld") { return false }
        if weOwe.contains(where: { text.range(of: $0, options: .regularExpression) != nil }) { return true }
        return ["we", "wir"].contains(where: words.contains) && text.range(of: NamedPeriod.payWords, options: .regularExpression) != nil
    }

    /// Debts and what we owe, lower case. German "Schulden" are ours unless someone owes them to "uns" (checked before).
    static let weOwe = [
        #"\bwe\s+(?:\w+\s+)?owe\b"#, #"\bowed?\s+(?:to\s+)?(?:our\s+|any\s+)?(?:suppliers?|vendors?|creditors?)\b"#,
        #"\b(?:debts?|liabilit\w*|payables?|creditors?)\b"#, #"\bschuld\w*"#, #"\bverbindlichkeit\w*"#, #"\bkreditor\w*"#,
    ]

    /// Whether `question` asks about receivables as such (their total, age or debtors) rather than about invoices:
    /// "Forderungen", "Außenstände", "receivables", "how old", "wie alt", "aging", who "owes us", "schuldet uns".
    public static func asksForReceivables(_ question: String) -> Bool {
        let text = question.lowercased()
        return receivables.contains { text.range(of: $0, options: .regularExpression) != nil }
    }

    /// Receivables as such, lower case.
    static let receivables = [
        #"\bforderung\w*"#, #"au(?:ß|ss)enst(?:ä|ae|a)nde?\b"#, #"\breceivables?\b"#, #"\bage?ing\b"#, #"\bhow\s+old\b"#,
        #"\bwie\s+alt\b"#, #"\baltersstruktur\b"#, #"\bowe[sd]?\s+(?:to\s+)?us\b"#, #"\bschulde[nt]\s+uns\b"#,
        #"\buns\b.*\bschuldig\b"#,
    ]

    /// The read to run instead of one that answers the other question, with a note saying so for the screen: for a
    /// question about what we owe, a read of our sales invoices or of receivables (its name speaks of `invoices` or
    /// `receivables`) becomes the vouchers' (bills we received) summary by status for "how much", their open ones
    /// otherwise; for a question about receivables as such, a list of invoices, or a summary of other records than
    /// invoices, about no one in particular (`ArgumentRepair.subjectKeys`) becomes the tool that ages them. Nil when
    /// the call fits or no offered tool answers better. Asked "Wer schuldet uns Geld?", the offline model summed the
    /// bank transactions by contact and answered with the largest money flows, the tax office's payments first.
    ///
    /// Run instead, not refused with a pointer: told "list_invoices was not run: the question asks for receivables …:
    /// call receivables_aging.", the offline model wrote the same reasoning and the same call again (greedy decoding
    /// on nearly the same prompt); pointed to the open vouchers, it followed, a round later.
    public static func replacement(
        tool: String, arguments: [String: Value], question: String, among tools: [AgentTool]
    ) -> (tool: String, arguments: [String: Value], note: String)? {
        let parts = Set(ChangeTalk.nameParts(tool))
        let readers = tools.filter(\.readOnly).sorted { $0.name < $1.name }
        var written: String { AnswerView.heading(ToolCall(id: "", name: tool, arguments: ArgumentRepair.show(.object(arguments)))) }
        if parts.contains("invoices") || parts.contains("receivables"), asksWhatWeOwe(question) {
            let note = "(Run instead of \(written), which is about money customers owe us: the question asks what we owe.)"
            if asksHowMuch(question), let summary = readers.first(where: { tool in
                ArgumentRepair.choices(of: "entity", in: tool.inputSchema)?.contains("vouchers") == true
                    && ArgumentRepair.choices(of: "group_by", in: tool.inputSchema)?.contains("status") == true
            }) {
                return (summary.name, ["entity": "vouchers", "group_by": "status"], note)
            }
            guard let list = readers.first(where: { tool in
                ChangeTalk.nameParts(tool.name).contains("vouchers")
                    && ArgumentRepair.choices(of: "status", in: tool.inputSchema)?.contains("open") == true
            }) else { return nil }
            return (list.name, ["status": "open"], note)
        }
        let otherRecords = arguments["entity"]?.stringValue.map { $0 != "invoices" } ?? false
        if parts.contains("invoices") || otherRecords, !ArgumentRepair.subjectKeys.contains(where: { arguments[$0] != nil }),
            asksForReceivables(question), let aging = readers.first(where: { ChangeTalk.nameParts($0.name).contains("receivables") })
        {
            return (aging.name, [:], "(Run instead of \(written): the question asks for receivables.)")
        }
        return nil
    }

    /// Whether the question asks for an amount rather than a list.
    static func asksHowMuch(_ question: String) -> Bool {
        let text = question.lowercased()
        return ["how much", "wie viel", "wieviel", "total", "summe", "insgesamt", "gesamt"].contains(where: text.contains)
    }
}
