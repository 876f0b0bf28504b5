import LLM
import MCP
import Testing

@testable import Agent

@Suite("What we owe, told apart from what we are owed; receivables; the state a question names")
struct OwedMoneyTests {
    @Test("questions about what we owe or must pay, English and German; money owed to us is not")
    func whatWeOwe() {
        for question in [
            "What do we still owe our suppliers?", "How much do we owe?", "Who do we owe money to?", "Do we have any debts?",
            "Which bills do we have to pay this month?", "What must we pay by Friday?", "Show our payables", "Our liabilities?",
            "Welche Rechnungen müssen wir noch bezahlen?", "Haben wir Schulden?", "Was schulden wir unseren Lieferanten?",
            "Welche Rechnungen haben wir noch zu bezahlen?", "Rechnungen, die wir noch bezahlen müssen", "Welche Verbindlichkeiten haben wir?",
        ] {
            #expect(OwedMoney.asksWhatWeOwe(question), "\(question)")
        }
        for question in [
            "Who owes us money?", "Wer schuldet uns Geld?", "Wer ist uns noch Geld schuldig?", "What are we owed?",
            "What do customers still have to pay?", "Which customers still have to pay us?", "How much are we owed by customers?",
            "What did we pay for hosting recently?", "Was haben wir für Hosting bezahlt?", "show me the last 5 invoices",
            "Which invoices are overdue?",
        ] {
            #expect(!OwedMoney.asksWhatWeOwe(question), "\(question)")
        }
    }

    /// The demo's read tools that matter here, by name, with the choices the refusal looks for.
    static func tool(_ name: String, _ properties: [String: Value], readOnly: Bool = true) -> AgentTool {
        AgentTool(name: name, description: "", inputSchema: ["type": "object", "properties": .object(properties)], readOnly: readOnly, server: "s")
    }
    static let statuses: Value = ["type": "string", "enum": ["draft", "open", "partially_paid", "paid"]]
    static let full = [
        tool("list_invoices", ["status": statuses]), tool("receivables_aging", ["as_of": ["type": "string"]]),
        tool("list_vouchers", ["status": statuses]),
        tool("summarize", [
            "entity": ["type": "string", "enum": ["invoices", "vouchers", "transactions"]],
            "group_by": ["type": "string", "enum": ["month", "contact", "status"]],
        ]),
    ]

    func replaced(_ tool: String, _ arguments: [String: Value] = [:], for question: String, among tools: [AgentTool] = full) -> String? {
        OwedMoney.replacement(tool: tool, arguments: arguments, question: question, among: tools).map { "\($0.tool) \($0.arguments)" }
    }

    @Test("a read of receivables or sales invoices for what we owe: the open vouchers, or their summary by status, instead")
    func whatWeOweInstead() throws {
        let instead = try #require(OwedMoney.replacement(
            tool: "receivables_aging", arguments: ["include_invoices": true], question: "What do we still owe our suppliers?", among: Self.full))
        #expect(instead.tool == "list_vouchers" && instead.arguments == ["status": "open"])
        #expect(instead.note == "(Run instead of receivables_aging include_invoices=true, which is about money customers owe us: the question asks what we owe.)")
        #expect(replaced("list_invoices", ["status": "open"], for: "Welche Rechnungen müssen wir noch bezahlen?") == replaced("receivables_aging", for: "What do we owe?"))
        // "How much": their summary by status, which says what is left to pay.
        #expect(OwedMoney.replacement(tool: "list_invoices", arguments: [:], question: "Wie viel müssen wir noch bezahlen?", among: Self.full)
            .map { [$0.tool: $0.arguments] } == ["summarize": ["entity": "vouchers", "group_by": "status"]])
        // The right tool, money owed to us, a single invoice, or no vouchers to turn to: run as called.
        #expect(replaced("list_vouchers", for: "What do we owe?") == nil)
        #expect(replaced("receivables_aging", for: "Who owes us money?") == nil)
        #expect(replaced("get_invoice", for: "Do we still have to pay RE-1050?") == nil)
        #expect(replaced("get_invoices", for: "What do we owe?", among: [Self.tool("get_invoices", ["status": Self.statuses])]) == nil)
    }

    @Test("receivables as such: a list of invoices, or a summary of other records, about no one runs as the tool that ages them")
    func receivables() throws {
        for question in [
            "Wie alt sind unsere offenen Forderungen?", "Show me our receivables", "How old are our open invoices?", "Außenstände?", "ageing report",
            "Wer schuldet uns Geld?", "Who owes us money?", "Which customer owes us the most?", "Wer ist uns noch Geld schuldig?",
            "How much is owed to us?", "Welche Kunden schulden uns noch etwas?",
        ] {
            #expect(OwedMoney.asksForReceivables(question), "\(question)")
        }
        for question in [
            "Show me the open invoices", "Welche Rechnungen sind überfällig?", "Show me the last 5 invoices", "What do we owe?",
            "Haben wir Schulden?", "Was schulden wir unseren Lieferanten?",
        ] {
            #expect(!OwedMoney.asksForReceivables(question), "\(question)")
        }
        let question = "Wie alt sind unsere offenen Forderungen?"
        let instead = try #require(OwedMoney.replacement(tool: "list_invoices", arguments: ["status": "open"], question: question, among: Self.full))
        #expect(instead.tool == "receivables_aging" && instead.arguments == [:])
        #expect(instead.note == "(Run instead of list_invoices status='open': the question asks for receivables.)")
        // About one customer (receivables_aging names none), the tool itself, or no such tool: run as called.
        #expect(replaced("list_invoices", ["contact_name": "Müller"], for: "Forderungen an Müller?") == nil)
        #expect(replaced("receivables_aging", for: question) == nil)
        #expect(replaced("list_invoices", for: question, among: [Self.full[0], Self.full[2]]) == nil)
        // As the offline model called it for "Wer schuldet uns Geld?": money flows by contact, the tax office first.
        let flows: [String: Value] = ["entity": "transactions", "group_by": "contact"]
        #expect(replaced("summarize", flows, for: "Wer schuldet uns Geld?") == "receivables_aging [:]")
        #expect(replaced("summarize", ["entity": "vouchers"], for: "Who owes us money?") == "receivables_aging [:]")
        // A summary of invoices says what is unpaid; one about a customer, or for another question, runs as called.
        #expect(replaced("summarize", ["entity": "invoices", "group_by": "contact"], for: "Wer schuldet uns Geld?") == nil)
        #expect(replaced("summarize", flows.merging(["contact_id": 7]) { $1 }, for: "Wer schuldet uns Geld?") == nil)
        #expect(replaced("summarize", flows, for: "Who are our biggest customers?") == nil)
    }

    @Test("a status the question contradicts becomes the one it names; two named, or none, change nothing")
    func agreeingStatus() {
        let schema: Value = ["type": "object", "properties": ["status": Self.statuses]]
        func agreed(_ status: String, _ question: String) -> Value? {
            ArgumentRepair.agreeingStatus(["status": .string(status), "limit": 5], schema: schema, question: question)["status"]
        }
        // As the offline model called it: "There are no unpaid bills." with one open.
        #expect(agreed("draft", "Which bills are still unpaid?") == "open")
        #expect(agreed("paid", "Welche Rechnungen sind noch offen?") == "open")
        #expect(agreed("paid", "Which invoices have not been paid yet?") == "open")
        #expect(agreed("paid", "Welche sind noch nicht bezahlt?") == "open")
        #expect(agreed("open", "Show me the paid invoices") == "paid")
        #expect(agreed("paid", "Which invoices are partially paid?") == "partially_paid")
        #expect(agreed("open", "Zeig mir die Entwürfe") == "draft")
        // A status the schema does not offer, where the question names one: that one, without a corrective round.
        #expect(agreed("unpaid", "Welche Rechnungen sind offen?") == "open")
        // Already right, two states, none, or one the schema lacks.
        #expect(agreed("open", "Which invoices are overdue?") == "open")
        #expect(agreed("paid", "paid or unpaid, all of them") == "paid")
        #expect(agreed("open", "show me the last 5 invoices") == "open")
        #expect(agreed("open", "Which invoices were cancelled?") == "open")
        #expect(ArgumentRepair.agreeingStatus(["limit": 5], schema: schema, question: "unpaid ones") == ["limit": 5])
    }

    @Test("a question about what we owe keeps the status filter, and names vouchers even when it says Rechnungen")
    func owingKeepsStatusAndVouchers() {
        let schema: Value = ["type": "object", "properties": ["status": Self.statuses]]
        let german = "Welche Rechnungen müssen wir noch bezahlen?"
        #expect(ArgumentRepair.droppingUnaskedChoices(["status": "open"], schema: schema, questions: [german]) == ["status": "open"])
        #expect(ArgumentRepair.droppingUnaskedChoices(["status": "open"], schema: schema, questions: ["Welche Rechnungen gibt es?"]) == [:])
        let summarize = Self.full[3].inputSchema
        #expect(ArgumentRepair.choosingNamedRecords(["entity": "invoices"], schema: summarize, question: german) == ["entity": "vouchers"])
        #expect(ArgumentRepair.choosingNamedRecords(["entity": "invoices"], schema: summarize, question: "How much do we owe?") == ["entity": "vouchers"])
        #expect(ArgumentRepair.choosingNamedRecords(["entity": "invoices"], schema: summarize, question: "Welche Rechnungen sind offen?") == ["entity": "invoices"])
    }

    @Test("a summary that says what is left to pay asks for that")
    func answering() {
        let owed = "Vouchers by status, all dates:\n• paid: 243 vouchers · gross 368.044,69 €\n• Total: 243 vouchers · gross 368.044,69 €\nNothing is left to pay."
        #expect(Agent.longList(owed) == .leftToPay)
        #expect(Agent.longList(owed.replacingOccurrences(of: "Nothing is left to pay.", with: "Left to pay: 2.521,93 € on 2 vouchers.")) == .leftToPay)
        #expect(Agent.answerNudge(german: true, afterWrite: false, after: [(owed, false)], toolsListed: false).content
            == "Answer my question now in one or two German sentences from the tool results above: say what is left to pay, with the amounts as written there.")

        #expect(Agent.longList("Vouchers by status:\n• paid: 1 voucher · gross 1,00 €\n• Total: 1 voucher · gross 1,00 €") == nil)
    }
}
