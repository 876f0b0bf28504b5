import Foundation
import LLM
import MCP
import TestSupport
import Testing

@testable import Agent

@Suite("Small-model resilience")
struct SmallModelResilienceTests {
    let names: Set<String> = ["list_invoices", "create_contact"]

    @Test("a ```json fence becomes a call; the text around it is kept")
    func fence() throws {
        let text = "Let me look.\n```json\n{\"name\": \"list_invoices\", \"arguments\": {\"limit\": 5}}\n```"
        let found = try #require(TextToolCalls.extract(from: text, toolNames: names))
        #expect(found.calls.map(\.name) == ["list_invoices"])
        #expect(found.calls.first?.arguments == #"{"limit":5}"#)
        #expect(found.remainingText == "Let me look.")
    }

    @Test("<tool_call> tags, several of them, and arguments given as a JSON string")
    func tags() throws {
        let text = """
            <tool_call>{"name": "list_invoices", "arguments": "{\\"status\\": \\"open\\"}"}</tool_call>
            <tool_call>
            {"name": "create_contact", "parameters": {"name": "Müller GmbH"}}
            </tool_call>
            """
        let found = try #require(TextToolCalls.extract(from: text, toolNames: names))
        #expect(found.calls.map(\.name) == ["list_invoices", "create_contact"])
        #expect(found.calls[0].arguments == #"{"status": "open"}"#)
        #expect(found.calls[1].arguments == #"{"name":"Müller GmbH"}"#)
        #expect(found.remainingText.isEmpty)
    }

    @Test("a bare object is a call only when it is the whole answer and names a known tool")
    func bare() throws {
        #expect(TextToolCalls.extract(from: #"  {"name": "list_invoices", "arguments": {}} "#, toolNames: names)?.calls.count == 1)
        #expect(TextToolCalls.extract(from: #"{"name": "delete_everything", "arguments": {}}"#, toolNames: names) == nil)
        #expect(TextToolCalls.extract(from: #"The JSON {"name": "list_invoices"} is an example."#, toolNames: names) == nil)
        #expect(TextToolCalls.extract(from: "```json\n{\"total\": 5}\n```", toolNames: names) == nil)
    }

    let schema: Value = [
        "type": "object", "additionalProperties": false, "required": ["name"],
        "properties": [
            "name": ["type": "string"],
            "limit": ["type": "integer", "minimum": 1, "maximum": 200],
            "amount": ["type": "number"],
            "overdue": ["type": "boolean"],
            "status": ["type": "string", "enum": ["draft", "open", "paid"]],
        ],
    ]

    @Test("cleaning drops empty strings, nulls and an optional 0 below the minimum, and converts numbers and booleans written as strings")
    func cleaning() {
        let cleaned = ArgumentRepair.clean(
            ["name": "X", "status": "", "limit": "5", "amount": " 12.5", "overdue": "true", "city": .null, "other": 3.0], schema: schema)
        #expect(cleaned == ["name": "X", "limit": 5, "amount": 12.5, "overdue": true, "other": 3.0])
        #expect(ArgumentRepair.clean(["limit": 5.0], schema: schema) == ["limit": 5])
        #expect(ArgumentRepair.clean(["limit": "five"], schema: schema) == ["limit": "five"])
        // An optional 0 below the minimum means "no limit"; a 0 the schema allows stays.
        #expect(ArgumentRepair.clean(["name": "X", "limit": 0], schema: schema) == ["name": "X"])
        #expect(ArgumentRepair.clean(["name": "X", "limit": "0"], schema: schema) == ["name": "X"])
        #expect(ArgumentRepair.clean(["name": "X", "amount": 0], schema: schema) == ["name": "X", "amount": 0])
    }

    @Test("date arguments that are all today are dropped unless the question speaks of today")
    func copiedToday() {
        let copied: [String: Value] = ["category": "hosting", "date_from": "2026-11-25", "date_to": "2026-11-25", "limit": 10]
        let recently = ArgumentRepair.droppingCopiedToday(copied, today: "2026-11-25", question: "What did we pay for hosting recently?")
        #expect(recently == ["category": "hosting", "limit": 10])
        for question in ["Which vouchers came in today?", "Was haben wir heute bezahlt?", "Show today's invoices", "Invoices of 2026-11-25",
            "Rechnungen vom 25.11."]
        {
            #expect(ArgumentRepair.droppingCopiedToday(copied, today: "2026-11-25", question: question) == copied, "\(question)")
        }
        // A range that only ends today was asked for ("this month"); as_of is not a filter and today is its default.
        let month: [String: Value] = ["date_from": "2026-11-01", "date_to": "2026-11-25"]
        #expect(ArgumentRepair.droppingCopiedToday(month, today: "2026-11-25", question: "revenue this month") == month)
        let required: Value = ["type": "object", "required": ["date_to"], "properties": ["date_to": ["type": "string"]]]
        #expect(ArgumentRepair.droppingCopiedToday(copied, today: "2026-11-25", question: "recently?", schema: required)
            == ["category": "hosting", "date_to": "2026-11-25", "limit": 10])
        let asOf: [String: Value] = ["as_of": "2026-11-25"]
        #expect(ArgumentRepair.droppingCopiedToday(asOf, today: "2026-11-25", question: "who owes us money?") == asOf)
    }

    @Test("a status filter no question speaks of is dropped; any word about a state, in English or German, keeps it")
    func unaskedStatus() {
        let schema: Value = [
            "type": "object",
            "properties": ["status": ["type": "string", "enum": ["draft", "open", "partially_paid", "paid", "cancelled"]], "limit": ["type": "integer"]],
        ]
        let open: [String: Value] = ["status": "open", "limit": 3, "sort": "amount"]
        for question in ["What are our three largest invoices by amount?", "Show me all invoices for Autohaus Becker", "Zeig mir die letzten 5 Rechnungen"] {
            #expect(ArgumentRepair.droppingUnaskedChoices(open, schema: schema, questions: [question]) == ["limit": 3, "sort": "amount"], "\(question)")
        }
        let asked = [
            "Which invoices are open?", "which invoices have not been paid yet?", "Welche Rechnungen sind überfällig?",
            "Zeig die unbezahlten Rechnungen", "Which customers owe us money?", "Entwürfe bitte", "stornierte Rechnungen",
            "the partially paid ones",
        ]
        for question in asked {
            #expect(ArgumentRepair.droppingUnaskedChoices(open, schema: schema, questions: [question]) == open, "\(question)")
        }
        // A follow-up inherits the filter an earlier question asked for.
        #expect(ArgumentRepair.droppingUnaskedChoices(open, schema: schema, questions: ["Show the open invoices", "and the three largest?"]) == open)
        // The tool's own choices count as words about a state ("cancelled" is one; so would a server's "booked" be).
        #expect(ArgumentRepair.droppingUnaskedChoices(["status": "cancelled"], schema: schema, questions: ["any cancelled ones?"]) == ["status": "cancelled"])
        // Left alone: a required status, a status that is not a choice, no status.
        let required: Value = ["type": "object", "required": ["status"], "properties": ["status": ["type": "string", "enum": ["open", "paid"]]]]
        #expect(ArgumentRepair.droppingUnaskedChoices(["status": "open"], schema: required, questions: ["largest invoices"]) == ["status": "open"])
        let free: Value = ["type": "object", "properties": ["status": ["type": "string"]]]
        #expect(ArgumentRepair.droppingUnaskedChoices(["status": "open"], schema: free, questions: ["largest invoices"]) == ["status": "open"])
        #expect(ArgumentRepair.droppingUnaskedChoices(["limit": 3], schema: schema, questions: ["largest invoices"]) == ["limit": 3])
    }

    @Test("the one contact category a question names is added when the model left it out and searches for no one")
    func namedCategory() {
        let contacts: Value = [
            "type": "object",
            "properties": ["category": ["type": "string", "enum": ["customer", "supplier", "partner", "prospect"]], "search": ["type": "string"]],
        ]
        func added(_ question: String, _ arguments: [String: Value] = [:]) -> Value? {
            ArgumentRepair.addingNamedCategory(arguments, schema: contacts, question: question)["category"]
        }
        #expect(added("How many customers do we have?") == "customer")
        #expect(added("Wie viele Kunden haben wir?") == "customer")
        #expect(added("List our suppliers") == "supplier" && added("Zeig alle Lieferanten") == "supplier")
        #expect(added("Which leads do we have?") == "prospect")
        // Two named, none named, one already chosen, a search by name, a category the schema does not offer: unchanged.
        #expect(added("Show customers and suppliers") == nil && added("How many contacts do we have?") == nil)
        #expect(added("How many customers do we have?", ["category": "partner"]) == "partner")
        #expect(added("Find the customer Hotel Rheinblick", ["search": "Hotel Rheinblick"]) == nil)
        let vouchers: Value = ["type": "object", "properties": ["category": ["type": "string", "enum": ["rent", "hosting", "bank_fees"]]]]
        #expect(ArgumentRepair.addingNamedCategory([:], schema: vouchers, question: "What did we pay for hosting?") == ["category": "hosting"])
        #expect(ArgumentRepair.addingNamedCategory([:], schema: vouchers, question: "How many customers do we have?") == [:])
    }

    @Test("the one kind of records a question names replaces another the model chose; two named or none change nothing")
    func namedRecords() {
        let summarize: Value = [
            "type": "object",
            "properties": [
                "entity": ["type": "string", "enum": ["invoices", "vouchers", "transactions"]],
                "group_by": ["type": "string", "enum": ["month", "contact"]],
            ],
        ]
        func chosen(_ question: String, _ entity: String = "invoices") -> Value? {
            ArgumentRepair.choosingNamedRecords(["entity": .string(entity), "group_by": "month"], schema: summarize, question: question)["entity"]
        }
        #expect(chosen("Welche Ausgaben hatten wir im Oktober?") == "vouchers")
        #expect(chosen("Wie hoch waren unsere Kosten im Oktober?") == "vouchers")
        #expect(chosen("What did we spend per month?") == "vouchers" && chosen("Costs by supplier") == "vouchers")
        #expect(chosen("Welche Zahlungen sind heute eingegangen?") == "transactions")
        #expect(chosen("What was our revenue per month this year?", "vouchers") == "invoices")
        #expect(chosen("Umsätze pro Monat", "transactions") == "invoices")
        // Our debts are the bills we received (the model summed the receivables and called them debts).
        #expect(chosen("Do we have any debts?") == "vouchers" && chosen("Welche Verbindlichkeiten haben wir?") == "vouchers")
        #expect(chosen("Haben wir Schulden?") == "vouchers" && chosen("Was schulden wir?") == "vouchers")
        #expect(chosen("Wer schuldet uns Geld?") == "invoices" && chosen("Welche Kunden schulden uns am meisten?") == "invoices")
        // Already right, two kinds named, none named: as the model chose.
        #expect(chosen("How much did we invoice last month?") == "invoices")
        #expect(chosen("Which payments have not been matched to an invoice?", "vouchers") == "vouchers")
        #expect(chosen("Who is our biggest customer?") == "invoices")
        #expect(chosen("Wie viel Umsatzsteuer haben wir bezahlt?", "vouchers") == "vouchers", "VAT is not revenue")
        // "billed" is invoiced, and bank fees are costs: neither names a kind here.
        #expect(chosen("How much have we billed this year?") == "invoices" && chosen("bank fees per month", "vouchers") == "vouchers")
        // Other choices are left alone, and so is a value the schema does not offer.
        let grouped = ArgumentRepair.choosingNamedRecords(["entity": "vouchers", "group_by": "contact"], schema: summarize, question: "costs per month")
        #expect(grouped == ["entity": "vouchers", "group_by": "contact"])
        let lists: Value = ["type": "object", "properties": ["entity": ["type": "string", "enum": ["invoices", "contacts"]]]]
        #expect(ArgumentRepair.choosingNamedRecords(["entity": "contacts"], schema: lists, question: "our costs") == ["entity": "contacts"])
    }

    @Test("a grouping by tax rate the question says nothing about becomes a grouping by contact; asked about tax, it stays")
    func unaskedTaxGrouping() {
        let summarize: Value = [
            "type": "object",
            "properties": ["group_by": ["type": "string", "enum": ["month", "status", "contact", "tax_rate"]]],
        ]
        func grouped(_ question: String, _ group: Value = "tax_rate", schema: Value? = nil) -> Value? {
            ArgumentRepair.replacingUnaskedTaxGrouping(["entity": "vouchers", "group_by": group], schema: schema ?? summarize, question: question)["group_by"]
        }
        #expect(grouped("What are our biggest expenses?") == "contact")
        #expect(grouped("Was sind unsere größten Ausgaben?") == "contact")
        for asked in ["How much VAT did we charge per tax rate?", "Umsatz nach Steuersatz", "Wie viel MwSt. haben wir bezahlt?", "revenue by rate"] {
            #expect(grouped(asked) == "tax_rate", "\(asked)")
        }
        // Another grouping, or a schema without contacts to group by: as the model chose.
        #expect(grouped("What are our biggest expenses?", "month") == "month")
        let noContact: Value = ["type": "object", "properties": ["group_by": ["type": "string", "enum": ["month", "tax_rate"]]]]
        #expect(grouped("What are our biggest expenses?", schema: noContact) == "tax_rate")
    }

    @Test("a short follow-up that points back keeps whom the previous call was about, unless the call names its own")
    func inheritedSubject() {
        let earlier: [String: Value] = ["contact_name": "Hotel Rheinblick", "limit": 10]
        func inherited(_ question: String, _ arguments: [String: Value] = ["status": "paid"], earlier: [String: Value]? = earlier) -> [String: Value] {
            ArgumentRepair.inheritingSubject(arguments, earlier: earlier, question: question)
        }
        #expect(inherited("Only the paid ones, please") == ["status": "paid", "contact_name": "Hotel Rheinblick"])
        #expect(inherited("Nur die bezahlten davon") == ["status": "paid", "contact_name": "Hotel Rheinblick"])
        #expect(inherited("Which of them are open?", ["status": "open"]) == ["status": "open", "contact_name": "Hotel Rheinblick"])
        // Not a follow-up, a subject of its own, nothing earlier: unchanged.
        #expect(inherited("Show me all paid invoices of this year with their amounts and dates, sorted by amount") == ["status": "paid"])
        #expect(inherited("Show me the paid invoices") == ["status": "paid"])
        #expect(inherited("Only the ones of Müller GmbH", ["status": "paid", "contact_name": "Müller"]) == ["status": "paid", "contact_name": "Müller"])
        #expect(inherited("Only the paid ones, please", earlier: nil) == ["status": "paid"])
        #expect(inherited("Only the paid ones, please", earlier: ["limit": 5]) == ["status": "paid"])
    }

    @Test("a direction filter no question speaks of is dropped; words about money in or out, English or German, keep it")
    func unaskedDirection() {
        let schema: Value = [
            "type": "object",
            "properties": [
                "direction": ["type": "string", "enum": ["incoming", "outgoing"]],
                "status": ["type": "string", "enum": ["unmatched", "linked", "private"]], "limit": ["type": "integer"],
            ],
        ]
        let outgoing: [String: Value] = ["direction": "outgoing", "limit": 5]
        for question in ["Show me the last 5 bank transactions", "Zeig mir die letzten Buchungen", "transactions in October"] {
            #expect(ArgumentRepair.droppingUnaskedChoices(outgoing, schema: schema, questions: [question]) == ["limit": 5], "\(question)")
        }
        for question in [
            "What did we pay for hosting recently?", "money we received last week", "our biggest expenses", "Zahlungseingänge im Oktober",
            "Welche Lastschriften gab es?", "incoming transactions", "What did we spend on travel?",
        ] {
            #expect(ArgumentRepair.droppingUnaskedChoices(outgoing, schema: schema, questions: [question]) == outgoing, "\(question)")
        }
        // Each filter by its own words: a state asked for keeps the status, not the direction.
        let both: [String: Value] = ["direction": "incoming", "status": "unmatched"]
        #expect(ArgumentRepair.droppingUnaskedChoices(both, schema: schema, questions: ["unmatched transactions"]) == ["status": "unmatched"])
    }

    @Test("a kind or category no question asks for is dropped; the choice's words, English or German, keep it")
    func unaskedKindAndCategory() {
        // Like the demo's list_vouchers, and list_contacts (whose categories and kinds are others).
        let vouchers: Value = [
            "type": "object",
            "properties": [
                "kind": ["type": "string", "enum": ["expense", "revenue"]],
                "category": ["type": "string", "enum": ["rent", "hosting", "travel", "payroll", "vat_prepayment", "other_income"]],
                "status": ["type": "string", "enum": ["draft", "open", "partially_paid", "paid"]],
            ],
        ]
        let contacts: Value = [
            "type": "object",
            "properties": [
                "kind": ["type": "string", "enum": ["organisation", "person"]],
                "category": ["type": "string", "enum": ["customer", "supplier", "partner", "prospect"]],
            ],
        ]
        func kept(_ arguments: [String: Value], _ question: String, _ schema: Value) -> [String: Value] {
            ArgumentRepair.droppingUnaskedChoices(arguments, schema: schema, questions: [question])
        }
        // As the offline model called them.
        #expect(kept(["kind": "revenue"], "Which bills do we have to pay this month?", vouchers) == [:])
        #expect(kept(["category": "rent", "status": "open"], "Which supplier bills are still open?", vouchers) == ["status": "open"])
        #expect(kept(["category": "customer"], "Show me our contacts in Berlin", contacts) == [:])
        // Asked for: by the choice's name, another word for it, or the filter's own word.
        for (question, arguments) in [
            ("What did we pay for hosting recently?", ["category": "hosting"]), ("Serverkosten im Oktober", ["category": "hosting", "kind": "expense"]),
            ("Wie viel Miete zahlen wir?", ["category": "rent"]), ("Reisekosten dieses Jahr", ["category": "travel", "kind": "expense"]),
            ("Was haben wir an Löhnen gezahlt?", ["category": "payroll"]), ("our costs this quarter", ["kind": "expense"]),
            ("Welche sonstigen Einnahmen hatten wir?", ["kind": "revenue", "category": "other_income"]),
            ("vouchers of the category travel", ["category": "travel"]), ("Welche Umsatzsteuer-Vorauszahlungen gab es?", ["category": "vat_prepayment"]),
        ] as [(String, [String: Value])] {
            #expect(kept(arguments, question, vouchers) == arguments, "\(question)")
        }
        for (question, arguments) in [
            ("Who are our suppliers?", ["category": "supplier"]), ("Welche Kunden haben wir?", ["category": "customer"]),
            ("Which contacts are companies?", ["kind": "organisation"]), ("Privatkunden", ["kind": "person", "category": "customer"]),
        ] as [(String, [String: Value])] {
            #expect(kept(arguments, question, contacts) == arguments, "\(question)")
        }
        // "supplier" is a contact category, not a voucher one: it keeps no voucher category.
        #expect(kept(["category": "rent"], "supplier bills", vouchers) == [:])
    }

    /// A write tool shaped like the demo's create_contact.
    var createContact: AgentTool {
        let text: Value = ["type": "string"]
        return AgentTool(
            name: "create_contact", description: "Creates a new contact and assigns the next customer number. Only `name` is required.",
            inputSchema: [
                "type": "object", "required": ["name"],
                "properties": [
                    "name": text, "street": text, "city": text, "vat_id": text, "founded": ["type": "string", "format": "date"],
                    "category": ["type": "string", "enum": ["customer", "supplier", "partner"]], "employees": ["type": "integer"],
                ],
            ], readOnly: false, server: "demo")
    }

    @Test("made-up values of a write: text nobody said, word for word without case, accents and punctuation, or only the tool's own words")
    func madeUpValues() {
        let arguments: [String: Value] = [
            "name": "Schulz Logistik GmbH", "street": "Musterstr. 1", "vat_id": "DE123456789", "city": "Köln",
            "category": "partner", "founded": "2020-01-01", "employees": 12,
        ]
        // Choices, dates and numbers are not judged; the city is found without its accent, the name without case.
        let said = ["create a contact named schulz logistik gmbh in Koln"]
        #expect(MadeUpValues.keys(in: arguments, tool: createContact, said: said) == ["street", "vat_id"])
        // Tool results count as said: an address looked up before is not made up.
        let looked = said + ["Schulz Logistik GmbH · Musterstr. 1, 50667 Köln · DE123456789"]
        #expect(MadeUpValues.keys(in: arguments, tool: createContact, said: looked).isEmpty)
        // Whole words only: "Schulz" is not in "Schulzenhof".
        #expect(MadeUpValues.keys(in: ["name": "Schulz"], tool: createContact, said: ["add Schulzenhof GmbH"]) == ["name"])
        // Placeholders made of the request's or the schema's words are made up even where the words were said.
        #expect(MadeUpValues.keys(in: ["name": "New Contact"], tool: createContact, said: ["Please create a new contact for me."]) == ["name"])
        #expect(MadeUpValues.keys(in: ["name": "Supplier Name"], tool: createContact, said: ["I want to add a new supplier."]) == ["name"])
        #expect(MadeUpValues.keys(in: ["name": "Neukunde AG"], tool: createContact, said: ["lege Neukunde AG an"]).isEmpty)
    }

    @Test("identifiers of a read that came from no question and no result are guesses")
    func guessedIdentifiers() {
        let question = "What is the customer number of Hotel Rheinblick?"
        let guess: [String: Value] = ["id": 1, "customer_number": "1001", "limit": 5, "search": "Rheinblick"]
        #expect(MadeUpValues.guessedIdentifiers(in: guess, said: [question]) == ["customer_number", "id"])
        let looked = [question, "• Hotel Rheinblick (#1012, customer, id 12) · Bonn"]
        #expect(MadeUpValues.guessedIdentifiers(in: ["id": 12, "customer_number": "1012"], said: looked).isEmpty)
        #expect(MadeUpValues.guessedIdentifiers(in: ["number": "RE-1060"], said: ["What is on invoice RE-1060?"]).isEmpty)
        #expect(MadeUpValues.guessedIdentifiers(in: ["account_id": 1, "limit": 5], said: ["Show me the last 5 bank transactions"]) == ["account_id"])
        #expect(MadeUpValues.guessRefusal(tool: "get_contact", guessed: ["id": 1])
            == "get_contact was not run: id 1 came from no question and no result, so it is a guess. "
            + "Find the right one first (for example by name with a list or search tool), then call get_contact with what that returns.")
    }

    @Test("the search tool for a refused guess: a read about the same thing that takes a search text")
    func finder() {
        func tool(_ name: String, search: Bool = true, readOnly: Bool = true) -> AgentTool {
            let properties: Value = search ? ["search": ["type": "string"], "limit": ["type": "integer"]] : ["limit": ["type": "integer"]]
            return AgentTool(name: name, description: "", inputSchema: ["type": "object", "properties": properties], readOnly: readOnly, server: "s")
        }
        let tools = [tool("get_contact", search: false), tool("list_contacts"), tool("list_invoices", search: false), tool("list_vouchers"), tool("create_contact", readOnly: false)]
        #expect(MadeUpValues.finder(for: "get_contact", among: tools) == "list_contacts")
        #expect(MadeUpValues.finder(for: "getContact", among: [tool("searchContacts")]) == "searchContacts")
        #expect(MadeUpValues.finder(for: "get_invoice", among: tools) == nil, "list_invoices takes no search text")
        #expect(MadeUpValues.finder(for: "get_contact", among: [tool("create_contact", readOnly: false)]) == nil, "only reads")
        #expect(MadeUpValues.finder(for: "balance", among: tools) == nil)
        let refusal = MadeUpValues.guessRefusal(tool: "get_contact", guessed: ["id": 1], finder: "list_contacts")
        #expect(refusal == "get_contact was not run: id 1 came from no question and no result, so it is a guess. "
            + "Find it first: call list_contacts with search set to the name in the question, then call get_contact with what that returns.")
        #expect(MadeUpValues.isGuessRefusal(refusal) && MadeUpValues.isGuessRefusal(MadeUpValues.guessRefusal(tool: "t", guessed: ["id": 2])))
        #expect(!MadeUpValues.isGuessRefusal("There is no invoice RE-9999 in this ledger."))
    }

    @Test("a search text none of whose words was said is a guess; the refusal points to the tool that groups them")
    func guessedSearch() {
        let question = "Who is our biggest customer?"
        #expect(MadeUpValues.guessedSearch(in: ["search": "Muster Digital GmbH"], said: [question]) == "Muster Digital GmbH")
        // One word heard is enough, as a word's beginning either way; legal forms and short words are not judged.
        #expect(MadeUpValues.guessedSearch(in: ["search": "Becker"], said: ["Show me Autohaus Becker KG"]) == nil)
        #expect(MadeUpValues.guessedSearch(in: ["search": "hotel"], said: ["Which hotels are customers?"]) == nil)
        #expect(MadeUpValues.guessedSearch(in: ["search": "Rheinblick Hotels"], said: ["the hotel Rheinblick"]) == nil)
        #expect(MadeUpValues.guessedSearch(in: ["search": "Köln"], said: ["customers in koln"]) == nil)
        #expect(MadeUpValues.guessedSearch(in: ["search": "GmbH"], said: [question]) == nil)
        #expect(MadeUpValues.guessedSearch(in: ["search": "Schmidt GmbH"], said: [question]) == "Schmidt GmbH")
        // A result counts as said: a name looked up before is not made up.
        #expect(MadeUpValues.guessedSearch(in: ["search": "Schmidt"], said: [question, "• Schmidt & Partner (#1003)"]) == nil)
        #expect(MadeUpValues.guessedSearch(in: ["limit": 5], said: [question]) == nil)

        func tool(_ name: String, groups: [String]? = nil) -> AgentTool {
            var properties: [String: Value] = ["search": ["type": "string"]]
            if let groups { properties["group_by"] = ["type": "string", "enum": .array(groups.map { .string($0) })] }
            return AgentTool(name: name, description: "", inputSchema: ["type": "object", "properties": .object(properties)], readOnly: true, server: "s")
        }
        let tools = [tool("list_contacts"), tool("list_vouchers"), tool("summarize", groups: ["month", "contact"])]
        #expect(MadeUpValues.searchRefusal(tool: "list_contacts", search: "Muster Digital GmbH", among: tools)
            == "list_contacts was not run: search 'Muster Digital GmbH' came from no question and no result, so it is a guess. "
            + "The question names no contact: to find the largest or most of them, call summarize with group_by contact.")
        #expect(MadeUpValues.searchRefusal(tool: "list_vouchers", search: "Hetzner", among: tools)
            == "list_vouchers was not run: search 'Hetzner' came from no question and no result, so it is a guess. "
            + "The question names no one: call list_vouchers without search to list them.")
        #expect(MadeUpValues.isGuessRefusal(MadeUpValues.searchRefusal(tool: "list_contacts", search: "X Y", among: tools)))
    }

    @Test("the answer view leaves out a call refused as a guess once another call succeeded; alone, it stays")
    func answerViewWithoutGuesses() {
        let refusal = MadeUpValues.guessRefusal(tool: "get_contact", guessed: ["customer_number": "RE-1001"], finder: "list_contacts")
        var conversation: [ChatMessage] = [
            .system("s"), .user("What is the customer number of Hotel Rheinblick?"),
            .assistant("", toolCalls: [ToolCall(id: "g", name: "get_contact", arguments: #"{"customer_number":"RE-1001"}"#)]),
            .tool("g", refusal, isError: true),
            .assistant("", toolCalls: [ToolCall(id: "s", name: "list_contacts", arguments: #"{"search":"Hotel Rheinblick"}"#)]),
            .tool("s", "1 contact:\n• Hotel Rheinblick (#1012, customer) · Königswinter"),
        ]
        let view = AnswerView.messages(conversation) { _ in false }
        #expect(view[1].content == "What is the customer number of Hotel Rheinblick?\n\nlist_contacts search='Hotel Rheinblick' returned:\n"
            + "1 contact:\nHotel Rheinblick (#1012, customer), Königswinter")
        conversation.removeLast(2)
        let alone = AnswerView.messages(conversation) { _ in false }
        #expect(alone[1].content.contains("get_contact customer_number='RE-1001' failed:"))
        #expect(alone.last?.content.hasPrefix("The tool calls above failed") == true)
    }

    @Test("a refusal names what to ask for, and is recognised in a result; the note lists what was left out")
    func madeUpMessages() {
        let refusal = MadeUpValues.refusal(tool: "create_contact", key: "vat_id", value: "DE123456789")
        #expect(refusal == "create_contact was not run: the user has not given the vat id ('DE123456789' is made up). Ask the user for the vat id; do not make one up.")
        #expect(MadeUpValues.askedFor(in: refusal) == "vat id")
        #expect(MadeUpValues.askedFor(in: "Created contact Schulz Logistik GmbH (#1037, id 37).") == nil)
        #expect(MadeUpValues.note(leftOut: ["vat_id": "DE123456789", "street": "Musterstr. 1"])
            == "Left out because the user did not give them: street 'Musterstr. 1', vat id 'DE123456789'.")
        #expect(Agent.answerNudge(german: true, afterWrite: true, askFor: "name", toolsListed: false).content
            == "Ask me for the name in one short German question.")
    }

    @Test("violations name the field and, for choices, the allowed values")
    func violations() {
        #expect(ArgumentRepair.violation(["name": "X", "status": "unpaid"], schema: schema) == "status must be one of draft, open, paid; got 'unpaid'.")
        #expect(ArgumentRepair.violation(["status": "open"], schema: schema) == "name is required.")
        #expect(ArgumentRepair.violation(["name": "X", "limit": 0], schema: schema) == "limit must be at least 1; got 0.")
        #expect(ArgumentRepair.violation(["name": "X", "limit": "five"], schema: schema) == "limit must be integer; got 'five'.")
        #expect(ArgumentRepair.violation(["name": "X", "colour": "red"], schema: schema)?.hasPrefix("colour is not a parameter") == true)
        #expect(ArgumentRepair.violation(["name": "X", "limit": 5, "status": "open"], schema: schema) == nil)
    }

    @Test("compact specs keep the first sentence, types, choices and short hints")
    func compact() {
        let spec = ToolSpec(
            name: "list_invoices", description: "Lists sales invoices, newest first. Filters: status, dates. Long text follows.",
            parameters: [
                "type": "object", "x-columns": ["number"], "additionalProperties": false,
                "properties": ["status": ["type": "string", "enum": ["open"], "description": "Only this status", "maxLength": 20]],
            ])
        let compact = CompactToolSpecs.compact(spec)
        #expect(compact.description == "Lists sales invoices, newest first.")
        #expect(compact.parameters == ["type": "object", "properties": ["status": ["type": "string", "enum": ["open"], "description": "Only this status"]]])
    }

    @Test("the answer view: each question with what its calls returned, compacted, then the request to answer in its language; answers kept")
    func answerView() {
        let conversation: [ChatMessage] = [
            .system("You help."),
            .user("hello"), .assistant("Hi!"),
            .user("Zeig mir die letzten 2 Rechnungen"),
            .assistant("", toolCalls: [ToolCall(id: "a", name: "list_invoices", arguments: #"{"status": "unpaid", "limit": 2}"#)]),
            .tool("a", "status must be one of open, paid; got 'unpaid'.", isError: true),
            .assistant("", toolCalls: [ToolCall(id: "b", name: "list_invoices", arguments: #"{"limit":2}"#)]),
            .tool("b", "Showing 1–2 of 120 invoices (newest first):\n• RE-2026-0101 · 2026-11-25 · 7.650,39 €\n• RE-2026-0100 · 2026-11-25 · 2.557,31 €\nMore: call again with offset 2 to see the next invoices."),
            .assistant("Die letzten zwei sind RE-2026-0101 und RE-2026-0100."),
            .user("create a contact named Schulz Logistik"),
            .assistant("", toolCalls: [ToolCall(id: "c", name: "create_contact", arguments: #"{"name": "Schulz Logistik"}"#)]),
            .tool("c", "Created contact 1037 Schulz Logistik."),
        ]
        let view = AnswerView.messages(conversation) { $0 == "create_contact" }
        #expect(view.map(\.role) == [.system, .user, .assistant, .user, .user, .assistant, .user, .user])
        #expect(view[0].content == "You help.")
        #expect(view[1].content == "hello" && view[2].content == "Hi!")
        #expect(
            view[3].content == """
                Zeig mir die letzten 2 Rechnungen

                list_invoices limit=2 status='unpaid' failed:
                status must be one of open, paid; got 'unpaid'.

                list_invoices limit=2 returned:
                Showing 1–2 of 120 invoices (newest first):
                RE-2026-0101, 2026-11-25, 7.650,39 €
                RE-2026-0100, 2026-11-25, 2.557,31 €
                """)
        #expect(view[4] == Agent.answerNudge(german: true, afterWrite: false, toolsListed: false))
        #expect(!view[4].content.contains("Tools"), "no tools are listed in the answer slot")
        #expect(view[5].content == "Die letzten zwei sind RE-2026-0101 und RE-2026-0100.")
        #expect(view[6].content == "create a contact named Schulz Logistik\n\ncreate_contact name='Schulz Logistik' returned:\nCreated contact 1037 Schulz Logistik.")
        #expect(view[7] == Agent.answerNudge(german: false, afterWrite: true, toolsListed: false))
        // The view of a conversation is the view of its beginning, continued: a later question finds its start cached.
        let earlier = AnswerView.messages(Array(conversation.prefix(9))) { $0 == "create_contact" }
        #expect(Array(view.prefix(earlier.count)) == earlier)
    }

    @Test("a long result asks for a few of its rows by kind (documents, groups, receivables); short lists keep the request")
    func nudgeForLongLists() {
        func conversation(question: String, rows: Int) -> [ChatMessage] {
            let lines = (0..<rows).map { "• RE-\(1119 - $0) · 2026-11-\(25 - $0) · Autohaus Becker KG · 1.000,00 € · open" }
            return [
                .system("You help."),
                .user(question),
                .assistant("", toolCalls: [ToolCall(id: "a", name: "list_invoices", arguments: #"{"overdue":true}"#)]),
                .tool("a", (["All \(rows) overdue invoices (newest first):"] + lines).joined(separator: "\n")),
            ]
        }
        let seven = AnswerView.messages(conversation(question: "which invoices are overdue?", rows: 7)) { _ in false }
        // A whole list's count reads as a sentence ("All 20 open invoices" was answered as 15).
        #expect(seven[1].content.hasSuffix("returned:\nThere are 7 overdue invoices (newest first):\nRE-1119, 2026-11-25, Autohaus Becker KG, "
            + "1.000,00 €, open\nRE-1118, 2026-11-24, Autohaus Becker KG, 1.000,00 €, open\nRE-1117, 2026-11-23, Autohaus Becker KG, "
            + "1.000,00 €, open\nRE-1116, 2026-11-22, Autohaus Becker KG, 1.000,00 €, open\nRE-1115, 2026-11-21, Autohaus Becker KG, "
            + "1.000,00 €, open\nRE-1114, 2026-11-20, Autohaus Becker KG, 1.000,00 €, open\nRE-1113, 2026-11-19, Autohaus Becker KG, "
            + "1.000,00 €, open"), "\(seven[1].content)")
        #expect(AnswerView.compact("All clear.\n• All 3 lines") == "All clear.\nAll 3 lines", "only a summary line, not a row")
        #expect(seven.last?.content == "Answer my question now from the tool results above in one or two sentences: "
            + "say how many there are and name only their numbers, I already see the details as a table.")
        #expect(seven.last == Agent.answerNudge(german: false, afterWrite: false, list: .documents, toolsListed: false))
        let german = AnswerView.messages(conversation(question: "Welche Rechnungen sind überfällig?", rows: 6)) { _ in false }
        #expect(german.last?.content.hasPrefix("Answer my question now in one or two German sentences from the tool results above: "
            + "say how many there are and name only their numbers") == true)
        // Five rows ("the last 5 invoices") keep the request the benchmarked question has always had.
        let five = AnswerView.messages(conversation(question: "show me the last 5 invoices", rows: 5)) { _ in false }
        #expect(five.last == Agent.answerNudge(german: false, afterWrite: false, toolsListed: false))
        #expect(five.last?.content.contains("name the numbers as written there, but do not copy the list") == true)
        #expect(Agent.longList("All 2 invoices:\n• RE-1001 · a\n• RE-1002 · b\nMore: call again") == nil)
        #expect(Agent.longList((1...6).map { "• RE-100\($0) · a" }.joined(separator: "\n")) == .documents)
        // More than ten, all shown ("All 20 open invoices"): how many, and the first five numbers.
        let twenty = "All 20 open invoices (newest first):\n" + (1...20).map { "• RE-\(1120 - $0) · open" }.joined(separator: "\n")
        #expect(Agent.longList(twenty) == .manyDocuments)
        #expect(Agent.longList((1...10).map { "• RE-10\($0 + 10) · a" }.joined(separator: "\n")) == .documents)
        #expect(Agent.answerNudge(german: false, afterWrite: false, after: [(twenty, false)], toolsListed: false).content
            == "Answer my question now from the tool results above in one or two sentences: say how many there are "
            + "and name the first five numbers, I already see the details as a table.")
        // A page of more: how many in all (the row count would be the page's), and the first five numbers.
        let page = "Showing 1–25 of 93 paid invoices (newest first):\n" + (1...25).map { "• RE-\(1100 + $0) · paid" }.joined(separator: "\n")
            + "\nMore: call again with offset 25 to see the next paid invoices."
        #expect(Agent.longList(page) == .page)
        #expect(Agent.answerNudge(german: false, afterWrite: false, after: [(page, false)], toolsListed: false).content
            == "Answer my question now from the tool results above in one or two sentences: say how many there are in all "
            + "(the number after \"of\") and name the first five numbers, I already see the details as a table.")
        #expect(Agent.longList("Showing 1–5 of 120 invoices (newest first):\n" + (1...5).map { "• RE-\(1100 + $0) · a" }.joined(separator: "\n")) == nil,
            "the last 5: a page of five keeps the request it always had")
        // Payments have no numbers to name: a long list of them keeps the names, dates and amounts.
        let payments = (1...8).map { "• 2026-11-\(10 + $0) · +584,22 € · Kölner Kunstverein e.V. · unmatched" }.joined(separator: "\n")
        #expect(Agent.longList(payments) == nil)

        // A summary's groups with a total row: the total and the three largest; six groups are needed for it.
        let months = (1...11).map { "• 2026-\($0 < 10 ? "0" : "")\($0): 3 invoices · net 6.039,00 €, VAT 1.147,41 €, gross 7.186,41 €" }
        let summary = "Invoices by month, 2026-01-01 to 2026-11-25:\n" + (months + ["• Total: 33 invoices · net 66.429,00 €"]).joined(separator: "\n")
            + "\nLargest months (gross): 2026-01 7.186,41 €, 2026-02 7.186,41 €, 2026-03 7.186,41 €."
        #expect(Agent.longList(summary) == .groups)
        #expect(Agent.answerNudge(german: false, afterWrite: false, after: [(summary, false)], toolsListed: false).content
            == "Answer my question now from the tool results above in one or two sentences: "
            + "give the total and the three largest groups with their names and gross amounts as written there, I already see the details as a table.")
        let quarter = (months.prefix(3) + ["• Total: 9 invoices · net 18.117,00 €"]).joined(separator: "\n") + "\nLargest months …"
        #expect(Agent.longList(quarter) == nil, "three months and a total: short enough to answer from whole")
        let cash = (months + ["• Total: 33 transactions · in 1,00 €, out 2,00 €, net -1,00 €"]).joined(separator: "\n")
        #expect(Agent.longList(cash) == nil, "groups that do not say which are largest keep the request for names and amounts")

        // Totals next to overdue invoices (receivables_aging): the totals, who owes the most, and the three most overdue.
        let aging = "Receivables: 73.701,01 € outstanding.\n• not yet due: 13 invoices, 45.679,18 €\nUnpaid invoices:\n"
            + (1...7).map { "• RE-10\($0)0 · Müller GmbH · 141,61 € · 13 days overdue" }.joined(separator: "\n")
        #expect(Agent.longList(aging) == .receivables)
        #expect(Agent.answerNudge(german: true, afterWrite: false, after: [(aging, false)]).content
            == "Answer my question now in one or two German sentences from the tool results above: "
            + "give the totals, who owes the most and how much, and the three most overdue invoices as written there, "
            + "I already see the details as a table. Do not call tools.")
        #expect(Agent.longList("RE-1, a\nRE-2, b\nRE-3, c\nRE-4, d\nRE-5, e\nRE-6, f") == nil, "another server's list without bullets")
    }

    @Test("results without document numbers ask for names, dates and amounts rather than numbers")
    func nudgeWithoutDocumentNumbers() {
        let payments: [ChatMessage] = [
            .system("You help."),
            .user("Which incoming payments are unmatched?"),
            .assistant("", toolCalls: [ToolCall(id: "a", name: "list_transactions", arguments: #"{"status":"unmatched"}"#)]),
            .tool("a", "Showing 1–1 of 1 transactions:\n• 2026-11-20 · +584,22 € · Kölner Kunstverein e.V. · Gutschrift · unmatched"),
        ]
        let view = AnswerView.messages(payments) { _ in false }
        #expect(view.last == Agent.answerNudge(german: false, afterWrite: false, numbered: false, toolsListed: false))
        #expect(view.last?.content.contains("give the names, dates and amounts as written there") == true)
        var invoices = payments
        invoices[3] = .tool("a", "• 2026-11-20 · +584,22 € · RE-1112 Praxis Dr. Wagner Teilzahlung")
        #expect(AnswerView.messages(invoices) { _ in false }.last?.content.contains("name the numbers as written there") == true)
        // Some rows naming invoices in their purpose are not a list of documents: asked for numbers, the model made up
        // numbers for the other rows.
        let mixed = [
            "• 2026-11-25 · -217,51 € · Trattoria Da Enzo · Bewirtung Kunden", "• 2026-11-25 · +1.713,60 € · RE-1112 Praxis Dr. Wagner Teilzahlung",
            "• 2026-11-24 · -89,43 € · DB Fernverkehr AG · Bahnfahrt",
        ].joined(separator: "\n")
        #expect(!Agent.aboutDocuments(mixed) && Agent.aboutDocuments("• RE-1015 · Schmidt · 3.373,22 €\n• not yet due: 13 invoices"))
        #expect(Agent.aboutDocuments("RE-1090 · 2026-10-01 · Müller GmbH\n  1. UX/UI-Design") && !Agent.aboutDocuments("Müller GmbH (#1001)"))
        invoices[3] = .tool("a", "Showing 1–3 of 433 transactions:\n" + mixed)
        #expect(AnswerView.messages(invoices) { _ in false }.last?.content.contains("give the names, dates and amounts as written there") == true)
        #expect(Agent.answerNudge(german: true, afterWrite: false, numbered: false).content.hasPrefix(
            "Answer my question now in one or two German sentences from the tool results above: give the names, dates and amounts"))
        #expect(UnverifiedReferences.namesDocuments("BE-2026-0173 paid") && !UnverifiedReferences.namesDocuments("IBAN DE12370501981234567890, UTF-8"))

        // Only what the results hold is asked for: a list of contacts has neither dates nor amounts, so asked for
        // them the model made up "The last invoice was for 1.234,56 € on 2026-11-25".
        func request(_ result: String) -> String {
            Agent.answerNudge(german: false, afterWrite: false, after: [(result, false)], toolsListed: false).content
        }
        let contacts = "Showing 1–2 of 22 customers:\n• Hotel Rheinblick (#1012, customer) · Köln · info@rheinblick.de\n• Anna Schulz (#1017, customer, person) · Köln"
        #expect(request(contacts) == "Answer my question now from the tool results above in one or two sentences: "
            + "give the names as written there, but do not copy the list, I already see it as a table.")
        #expect(request("3 accounts, total balance 68.992,95 €:\n• Kasse (cash, account 1000): 22,78 €").contains("give the names and amounts as written"))
        #expect(request("Muster Digital GmbH · VAT id DE301234567 · today is 2026-11-25.").contains("give the names and dates as written"))
        #expect(request("Transactions by month:\n• 2025-10: 24 transactions · in 11.922,35 €").contains("give the names, dates and amounts as written"))
        #expect(!request("• Kasse: 1234,56").contains("amounts"), "an amount without its currency is not one")
        // A document with its items: the items by name, untranslated ("Webentwicklung", not "web development").
        let invoice = "RE-1060 · 2026-05-18 · Bäckerei Hoffmann · 6.188,00 € · paid\nLeistungen Mai 2026\n"
            + "  1. Webentwicklung: 44 Std. × 95,00 € = 4.180,00 € net + 19 % VAT\nNet 5.200,00 € + VAT 988,00 € = 6.188,00 €"
        #expect(request(invoice) == "Answer my question now from the tool results above in one or two sentences: "
            + "name the numbers and the gross total, and the items as written there, in their language, but do not copy the list, "
            + "I already see it as a table.")
        #expect(request("RE-1060 · 2026-05-18 · Bäckerei Hoffmann · 6.188,00 € · paid").contains("name the numbers as written there,"))
        // Asked about its state, the document's status instead of its items ("Did we get paid …?" was answered "Yes"
        // for an open one when asked for the items).
        for question in ["Did we get paid for RE-1060?", "Is RE-1060 overdue?", "Ist RE-1060 schon bezahlt?", "What is the status of RE-1060?"] {
            #expect(Agent.answerNudge(german: false, afterWrite: false, after: [(invoice, false)], question: question, toolsListed: false).content
                == "Answer my question now from the tool results above in one or two sentences: "
                + "give the number, its status as written there and the gross total, but do not copy the list, I already see it as a table.",
                "\(question)")
        }
        #expect(Agent.answerNudge(german: false, afterWrite: false, after: [(invoice, false)], question: "What is on invoice RE-1060?").content
            .contains("the items as written there, in their language"))
    }

    @Test("date filters no question speaks of are dropped; any word about time, a month or a year keeps them")
    func unaskedDates() {
        let schema: Value = ["type": "object", "properties": ["entity": ["type": "string"], "date_from": ["type": "string"], "date_to": ["type": "string"]]]
        let dated: [String: Value] = ["entity": "invoices", "date_from": "2026-11-01", "date_to": "2026-11-30"]
        #expect(ArgumentRepair.droppingUnaskedDates(dated, schema: schema, questions: ["Who is our biggest customer?"]) == ["entity": "invoices"])
        #expect(ArgumentRepair.droppingUnaskedDates(dated, schema: schema, questions: ["Wer ist unser größter Kunde?"]) == ["entity": "invoices"])
        for question in [
            "Who was our biggest customer last month?", "What did we pay for hosting recently?", "Umsatz im Oktober",
            "revenue in 2025", "Wer war im letzten Quartal unser größter Kunde?", "What were our costs in Nov?",
        ] {
            #expect(ArgumentRepair.droppingUnaskedDates(dated, schema: schema, questions: [question]) == dated, "\(question)")
        }
        // An earlier question of the conversation counts, as for the status; required dates stay.
        #expect(ArgumentRepair.droppingUnaskedDates(dated, schema: schema, questions: ["Revenue in October?", "And by customer?"]) == dated)
        let required: Value = ["type": "object", "properties": ["date_from": ["type": "string"]], "required": ["date_from"]]
        #expect(ArgumentRepair.droppingUnaskedDates(["date_from": "2026-11-01"], schema: required, questions: ["Who?"]) == ["date_from": "2026-11-01"])
    }

    @Test("German questions are recognised for the answer nudge")
    func language() {
        #expect(Agent.looksGerman("Zeig mir die letzten 5 Rechnungen"))
        #expect(Agent.looksGerman("Welche Rechnungen sind überfällig?"))
        #expect(!Agent.looksGerman("show me the last 5 invoices"))
        #expect(!Agent.looksGerman("hello"))
        // Questions the first list missed, and names with umlauts in English questions.
        #expect(Agent.looksGerman("Gibt es unbezahlte Rechnungen von Schneider?"))
        #expect(Agent.looksGerman("Was ist unser Umsatz?"))
        #expect(Agent.looksGerman("Hast du den Kontakt Schulz Logistik angelegt?"))
        #expect(Agent.looksGerman("Rechnungen?"))
        #expect(!Agent.looksGerman("create a contact named Müller GmbH"))
        #expect(!Agent.looksGerman("Show me the invoices of Bäckerei Müßig"))
        #expect(!Agent.looksGerman("What is on invoice RE-1060?"))
    }
}

/// The resilience in the loop, with the scripted model writing what small models write. An extension of the
/// serialized `AgentTests`, because both script the same scripted server.
extension AgentTests {
    /// `question` asked with small-model resilience on, and the arguments of each call as the screen was shown them.
    func askShowingCalls(_ question: String) async throws -> (answer: AgentAnswer, shown: [String]) {
        let shown = Locked<[String]>([])
        let answer = try await Rig.make(settings: AgentSettings(smallModelResilience: true, today: anchor.iso)).agent.ask(
            question, history: [.system("You are the accounting assistant.")],
            onEvent: { event in if case .toolCallStarted(_, _, let arguments) = event { shown.withLock { $0.append(arguments) } } })
        return (answer, shown.withLock { $0 })
    }

    /// Asks `question` with a small model's settings, collecting the text streamed to the screen; `rig` stays for
    /// the questions that follow.
    func askStreaming(_ question: String) async throws -> (answer: AgentAnswer, streamed: String, rig: Rig) {
        let streamed = Locked("")
        let rig = try await Rig.make(settings: AgentSettings(smallModelResilience: true, today: anchor.iso))
        let answer = try await rig.agent.ask(question, history: [.system("You help.")]) { event in
            if case .textDelta(let text) = event { streamed.withLock { $0 += text } }
        }
        return (answer, streamed.withLock { $0 }, rig)
    }

    @Test("an answer that writes the same lines over and over is stopped after their first copy, and says so")
    func repeatingAnswerInTheLoop() async throws {
        let block = "- RE-123456 € (Umsatz)\n- RE-789012 € (Umsatz)\n"
        try await llm.script([
            .openAIToolCalls([("call_1", "list_transactions", #"{"direction": "incoming", "limit": 5}"#)]),
            .openAIText("Die Zahlungen sind:\n" + String(repeating: block, count: 40)),
        ])
        let (answer, streamed, rig) = try await askStreaming("Welche Zahlungen sind eingegangen?")
        #expect(answer.text == "Die Zahlungen sind:\n" + block && answer.stoppedRepeating && !answer.cutOff)
        #expect(answer.unverifiedReferences == ["RE-123456", "RE-789012"])
        // Shown: the first copy only (the second and third were held until the stream was left; not all 40).
        #expect(streamed == answer.text, "\(streamed)")
        try await llm.script([.openAIText("Hello! How can I help?")])
        #expect(try await rig.agent.ask("hello", history: [.system("You help.")]).stoppedRepeating == false)
    }

    @Test("an amount written '36,498,13 €' reads as the tools write it, on screen and in the answer")
    func garbledAmountInTheLoop() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "summarize", #"{"entity": "invoices", "group_by": "month", "date_from": "2026-10-01", "date_to": "2026-10-31"}"#)]),
            .openAIText("In October we invoiced 36,498,13 € gross."),
        ])
        let (answer, streamed, _) = try await askStreaming("How much did we invoice in October?")
        #expect(answer.text == "In October we invoiced 36.498,13 € gross.")
        #expect(streamed == answer.text)
        #expect(answer.messages.last?.content == answer.text, "the next question reads the amount as mended")
        #expect(answer.unverifiedReferences.isEmpty, "\(answer.unverifiedReferences)")
    }

    @Test("the agent runs the call without the dates a small model copied from 'Today is …': the newest 5 of all, not today's 3")
    func copiedTodayInTheLoop() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "list_transactions", #"{"date_from": "2026-11-25", "date_to": "2026-11-25", "limit": 5}"#)]),
            .openAIText("Done."),
        ])
        let (answer, shown) = try await askShowingCalls("Show me the last 5 bank transactions")
        let call = try #require(answer.toolCalls.first)
        #expect(call.arguments == ["limit": 5])
        // The screen and the trace show the call that ran.
        #expect(shown == [#"{"limit":5}"#])
        #expect(call.outcome.text.hasPrefix("Showing 1–5 of 433 transactions"), "\(call.outcome.text.prefix(80))")
        // So does the conversation: the model reads the call that ran, not today's dates next to other days' rows.
        let answering = try await messages(ofRequest: 1)
        let written = (answering[2]["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: String]
        #expect(written?["arguments"] == #"{"limit":5}"#, "\(String(describing: written))")
    }

    @Test("a call that repeats another as it ran (its id made the number) is not run again, and the model answers")
    func repeatOfRepairedCall() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "get_invoice", #"{"id": 9999}"#)]),
            .openAIToolCalls([("call_2", "get_invoice", #"{"number": "RE-9999"}"#)]),
            .openAIText("There is no invoice RE-9999."),
        ])
        let (answer, shown) = try await askShowingCalls("What is on invoice RE-9999?")
        #expect(answer.text == "There is no invoice RE-9999.")
        #expect(shown == [#"{"number":"RE-9999"}"#, #"{"number": "RE-9999"}"#])
        #expect(answer.toolCalls.count == 2 && answer.toolCalls[0].outcome.isError)
        #expect(answer.toolCalls[1].outcome.text.hasPrefix("This exact call of get_invoice was already made"), "\(answer.toolCalls[1].outcome.text)")
        let bodies = try await llm.requests().map { $0["body"] as? [String: Any] ?? [:] }
        #expect(bodies.last?["tool_choice"] as? String == "none", "after a repeat the model must answer")
    }

    @Test("'Welche Ausgaben hatten wir im Oktober?' summed over invoices: the call runs over vouchers and the conversation shows it so")
    func namedRecordsInTheLoop() async throws {
        try await llm.script([
            .openAIToolCalls([
                ("call_1", "summarize", #"{"entity": "invoices", "group_by": "month", "date_from": "2026-10-01", "date_to": "2026-10-31"}"#)
            ]),
            .openAIText("Im Oktober hatten wir Ausgaben von 26.565,98 €."),
        ])
        let (answer, shown) = try await askShowingCalls("Welche Ausgaben hatten wir im Oktober?")
        let call = try #require(answer.toolCalls.first)
        #expect(call.arguments?["entity"] == "vouchers" && call.arguments?["date_from"] == "2026-10-01")
        #expect(call.outcome.text.hasPrefix("Vouchers by month, 2026-10-01 to 2026-10-31"), "\(call.outcome.text.prefix(80))")
        #expect(shown.first?.contains(#""entity":"vouchers""#) == true, "\(shown)")
        // The model reads the call as it ran: its own `entity: invoices` next to a list of vouchers would contradict it.
        let answering = try await messages(ofRequest: 1)
        let written = (answering[2]["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: String]
        #expect(written?["arguments"]?.contains(#""entity":"vouchers""#) == true, "\(String(describing: written))")
    }

    @Test("'our three largest invoices' called with status open: the call runs without it and the conversation shows it so")
    func unaskedStatusInTheLoop() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "list_invoices", #"{"limit": 3, "sort": "amount", "status": "open"}"#)]),
            .openAIText("RE-1110, RE-1092 and RE-1080."),
        ])
        let (answer, shown) = try await askShowingCalls("What are our three largest invoices by amount?")
        let call = try #require(answer.toolCalls.first)
        #expect(call.arguments == ["limit": 3, "sort": "amount"])
        #expect(shown == [#"{"limit":3,"sort":"amount"}"#])
        #expect(call.outcome.text.hasPrefix("Showing 1–3 of 120 invoices"), "all statuses: \(call.outcome.text.prefix(80))")
        #expect(call.outcome.text.contains("RE-1092"), "\(call.outcome.text)")
        // The model reads the call as it ran, not the filter it wrote.
        let answering = try await messages(ofRequest: 1)
        let written = (answering[2]["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: String]
        #expect(written?["arguments"] == #"{"limit":3,"sort":"amount"}"#, "\(String(describing: written))")

        // Asked for open ones, the filter stays.
        try await llm.script([.openAIToolCalls([("call_1", "list_invoices", #"{"limit": 3, "sort": "amount", "status": "open"}"#)]), .openAIText("Done.")])
        let open = try await Rig.make(settings: AgentSettings(smallModelResilience: true, today: anchor.iso)).ask("Our three largest open invoices?")
        #expect(open.toolCalls.first?.arguments == ["limit": 3, "sort": "amount", "status": "open"])
    }

    /// The user of create-contact-after-asking gives the name ("I want to add a new supplier." was answered with a
    /// question for it), with the model's `replies` scripted and every change approved on `rig`.
    func nameTheSupplier(
        _ replies: [Step], on rig: Rig, onEvent: @escaping @Sendable (AgentEvent) -> Void = { _ in }
    ) async throws -> AgentAnswer {
        try await llm.script(replies)
        let history: [ChatMessage] = [.system("You help."), .user("I want to add a new supplier."), .assistant("What is its name?")]
        return try await rig.agent.ask("The name is Papier Paradies KG.", history: history, onEvent: onEvent)
    }

    /// The model makes the change it announced or claimed, when asked.
    static let makesTheChange: [Step] = [
        .openAIToolCalls([("call_1", "create_contact", #"{"name": "Papier Paradies KG", "category": "supplier"}"#)]),
        .openAIText("Papier Paradies KG is now a supplier."),
    ]

    @Test("an answer from memory with made-up numbers: the screen says so, the model is asked once to look it up, without that answer")
    func madeUpAnswerInTheLoop() async throws {
        let madeUp = "Um Geld zu schulden, benötigen wir folgende Rechnungen:\n- RE-1042: 1.234,56 €\n- RE-1043: 1.234,56 €"
        try await llm.script([
            .openAIText(madeUp),
            .openAIToolCalls([("call_1", "receivables_aging", "{}")]),
            .openAIText("Uns schulden 16 Kunden zusammen 73.701,01 €."),
        ])
        let (answer, streamed, rig) = try await askStreaming("Wer schuldet uns Geld?")
        #expect(answer.text == "Uns schulden 16 Kunden zusammen 73.701,01 €.")
        #expect(answer.toolCalls.map(\.name) == ["receivables_aging"] && !answer.toolCalls[0].outcome.isError)
        #expect(streamed == madeUp + "\n\n(Das stammt nicht aus den Daten. Ich sehe nach.)\n\nUns schulden 16 Kunden zusammen 73.701,01 €.")
        let asked = try await messages(ofRequest: 1).map { ($0["role"] as? String ?? "", $0["content"] as? String ?? "") }
        #expect(asked.suffix(2).map(\.0) == ["user", "user"] && asked.last?.1 == "Do not answer from memory: first call the tool that gives this data.")
        #expect(!asked.contains { $0.1.contains("RE-1042") } && !answer.messages.contains { $0.content.contains("RE-1042") })
        #expect(try await llm.requests().count == 3)

        // Only once: made up again, that is the answer, with its numbers named as unverified.
        try await llm.script([.openAIText(madeUp), .openAIText("RE-1042 schuldet uns 1.234,56 €.")])
        let twice = try await rig.agent.ask("Wer schuldet uns Geld?", history: [.system("You help.")])
        #expect(twice.text == "RE-1042 schuldet uns 1.234,56 €." && twice.toolCalls.isEmpty)
        #expect(twice.unverifiedReferences == ["RE-1042", "1.234,56 €"])
        // Numbers the conversation gave, and answers without numbers, are answers at once.
        try await llm.script([.openAIText("Hello! How can I help?")])
        #expect(try await rig.agent.ask("hello", history: [.system("You help.")]).rounds == 1)
        try await llm.script([.openAIText("RE-1042 is the one you mean.")])
        #expect(try await rig.agent.ask("Tell me about RE-1042", history: [.system("You help.")]).rounds == 1)
    }

    @Test("a question about our books answered without a call and without numbers: the model is asked once to look it up")
    func noCallAnswerInTheLoop() async throws {
        try await llm.script([
            .openAIText("Ja, wir haben Schulden."),
            .openAIToolCalls([("call_1", "summarize", #"{"entity": "vouchers", "group_by": "status"}"#)]),
            .openAIText("Alle Belege sind bezahlt: wir haben keine offenen Schulden."),
        ])
        let (answer, streamed, rig) = try await askStreaming("Haben wir Schulden?")
        #expect(answer.text == "Alle Belege sind bezahlt: wir haben keine offenen Schulden.")
        #expect(answer.toolCalls.map(\.name) == ["summarize"] && !answer.toolCalls[0].outcome.isError)
        #expect(streamed.hasPrefix("Ja, wir haben Schulden.\n\n(Das stammt nicht aus den Daten. Ich sehe nach.)\n\n"), "\(streamed)")
        #expect(!answer.messages.contains { $0.content == "Ja, wir haben Schulden." }, "the answer from memory is not part of the conversation")
        // Small talk, a question back, a change asked for, and questions about something else are answers at once.
        for (question, reply) in [
            ("hello", "Hello! How can I help?"), ("Danke, das war alles.", "Gern geschehen!"),
            ("Show me our invoices of the customer", "Which customer do you mean?"),
            ("What is an invoice?", "A bill a company sends for what it sold."),
        ] {
            try await llm.script([.openAIText(reply)])
            #expect(try await rig.agent.ask(question, history: [.system("You help.")]).rounds == 1, "\(question)")
        }
    }

    @Test("questions about our books, and what is not one")
    func ownBooks() {
        for question in ["Haben wir Schulden?", "Do we have any debts?", "Are our invoices all paid?", "Wie steht es um unsere Finanzen?", "How much do we owe?"] {
            #expect(Agent.answeredFromMemory(question, answer: "Yes."), "\(question)")
        }
        for question in ["hello", "What is an invoice?", "Was bedeutet überfällig?", "Thanks, we are done", "Add a supplier to our contacts"] {
            #expect(!Agent.answeredFromMemory(question, answer: "Yes."), "\(question)")
        }
        #expect(!Agent.answeredFromMemory("Show me our open invoices", answer: "For which customer?"))
    }

    @Test("an announced change without a call: the model is asked once to make it, and the conversation keeps only what was done")
    func announcedChangeInTheLoop() async throws {
        let rig = try await Rig.make(approval: ApproveAll(), settings: AgentSettings(smallModelResilience: true))
        let answer = try await nameTheSupplier(
            [.openAIText("Thank you for providing the name. I will proceed to add the supplier.")] + Self.makesTheChange, on: rig)
        #expect(answer.text == "Papier Paradies KG is now a supplier.")
        #expect(answer.toolCalls.map(\.name) == ["create_contact"] && !answer.toolCalls[0].outcome.isError)
        let asked = try await messages(ofRequest: 1).suffix(2).map { $0["content"] as? String ?? "" }
        #expect(asked.first == "Thank you for providing the name. I will proceed to add the supplier.")
        // Naming the tools that change data: told "call the tool", the offline model wrote "I have added …" instead.
        #expect(asked.last?.hasPrefix("Yes, do it now: call ") == true && asked.last?.contains("create_contact") == true, "\(asked)")
        #expect(asked.last?.hasSuffix(". Then tell me in one sentence what happened.") == true)
        #expect(!answer.messages.contains { $0.content.contains("I will proceed") }, "the announcement is not part of the conversation")

        // Only once: announced again, the announcement is the answer.
        let twice = try await nameTheSupplier([.openAIText("I will add the supplier."), .openAIText("I will add the supplier now.")], on: rig)
        #expect(twice.text == "I will add the supplier now." && twice.toolCalls.isEmpty)
    }

    @Test("a change claimed without a call: the model is asked once to make it, without its claim; claimed again, the answer says so")
    func claimedChangeInTheLoop() async throws {
        let rig = try await Rig.make(approval: ApproveAll(), settings: AgentSettings(smallModelResilience: true))
        let streamed = Locked("")
        let answer = try await nameTheSupplier([.openAIText("I have added a new supplier named Papier Paradies KG.")] + Self.makesTheChange, on: rig) {
            event in if case .textDelta(let text) = event { streamed.withLock { $0 += text } }
        }
        #expect(answer.toolCalls.map(\.name) == ["create_contact"] && !answer.toolCalls[0].outcome.isError)
        #expect(answer.unmadeChange == nil)
        // The claim was on screen before it was found out: the screen says at once that it is not true.
        #expect(streamed.withLock { $0 } == "I have added a new supplier named Papier Paradies KG.\n\n(Nothing has been changed yet.)\n\n"
            + "Papier Paradies KG is now a supplier.")
        // With its claim in the request the offline model claimed again; without it, it made the call.
        let asked = try await messages(ofRequest: 1).suffix(2).map { ($0["role"] as? String ?? "", $0["content"] as? String ?? "") }
        #expect(asked.first?.0 == "user" && asked.first?.1 == "The name is Papier Paradies KG.", "\(asked)")
        #expect(asked.last?.1.hasPrefix("Yes, do it now: call ") == true && asked.last?.1.contains("create_contact") == true, "\(asked)")
        #expect(!answer.messages.contains { $0.content.contains("I have added") })

        // Claimed twice: that is the answer, and it says nothing was changed.
        let twice = try await nameTheSupplier([.openAIText("I have added the supplier."), .openAIText("The supplier has been added.")], on: rig)
        #expect(twice.text == "The supplier has been added." && twice.toolCalls.isEmpty)
        #expect(twice.unmadeChange == "The supplier has been added.")
    }

    @Test("a write of another kind than asked for is refused before anyone is asked to approve it, and nothing changes")
    func mismatchedWriteRefused() async throws {
        try await llm.script([
            .openAIToolCalls([("w", "create_contact", #"{"name": "Müller GmbH"}"#)]),
            .openAIText("I cannot delete contacts here."),
        ])
        let approval = CountingApproval()
        let rig = try await Rig.make(approval: approval, settings: AgentSettings(smallModelResilience: true))
        let before = try rig.store.contacts(named: "Müller GmbH").count
        let answer = try await rig.ask("Delete the contact Müller GmbH")
        #expect(answer.text == "I cannot delete contacts here.")
        let call = try #require(answer.toolCalls.first)
        #expect(call.outcome.isError && call.approval == .notNeeded && approval.asked.current == 0)
        #expect(call.outcome.text.hasPrefix("create_contact was not run: the user asked to delete a contact, not to create a contact,"))
        #expect(try rig.store.contacts(named: "Müller GmbH").count == before)
        // The model hears why, and is asked to say it cannot, with no tools to call again.
        let heard = try await messages(ofRequest: 1).map { $0["content"] as? String ?? "" }
        #expect(heard.contains { $0.contains("and none of the tools can delete a contact. Nothing was changed.") }, "\(heard)")
        #expect(heard.last == "Answer my question now in one sentence: I cannot delete a contact here, and nothing was changed. Do not call tools.")
        #expect(try await llm.requests().map { ($0["body"] as? [String: Any])?["tool_choice"] as? String } == [nil, "none"])
    }

    @Test("asked whether a change was made, a claim that it was gets no request to make it, and the answer says nothing was changed")
    func claimedChangeNotAskedFor() async throws {
        try await llm.script([.openAIText("Yes, I have created the contact.")])
        let rig = try await Rig.make(approval: ApproveAll(), settings: AgentSettings(smallModelResilience: true))
        let answer = try await rig.ask("Have you created the contact Schulz Logistik?")
        #expect(answer.text == "Yes, I have created the contact." && answer.toolCalls.isEmpty && answer.rounds == 1)
        #expect(answer.unmadeChange == "Yes, I have created the contact.")
        #expect(try await llm.requests().count == 1)
    }

    @Test("a fenced text call runs; a schema violation gets one corrective error; then the tools may not be called")
    func fencedCallWithCorrection() async throws {
        try await llm.script([
            .openAIText("```json\n{\"name\": \"list_invoices\", \"arguments\": {\"status\": \"unpaid\", \"limit\": \"5\", \"contact_name\": \"\"}}\n```"),
            .openAIText("```json\n{\"name\": \"list_invoices\", \"arguments\": {\"status\": \"open\", \"limit\": \"5\"}}\n```"),
            .openAIText("Es gibt offene Rechnungen."),
        ])
        // Two states named: the status is the model's to fix (one named would have replaced it, `agreeingStatus`).
        let answer = try await Rig.make(settings: AgentSettings(smallModelResilience: true)).ask("Welche Rechnungen sind offen oder bezahlt?")
        #expect(answer.text == "Es gibt offene Rechnungen.")
        try #require(answer.toolCalls.count == 2)
        let corrected = try #require(answer.toolCalls.first)
        #expect(corrected.outcome.isError)
        #expect(corrected.outcome.text.contains("status must be one of draft, open, partially_paid, paid, cancelled; got 'unpaid'"))
        // Cleaned: the empty string dropped, "5" made a number.
        #expect(answer.toolCalls[1].arguments == ["status": "open", "limit": 5] && !answer.toolCalls[1].outcome.isError)
        let requests = try await llm.requests()
        let bodies = requests.map { $0["body"] as? [String: Any] ?? [:] }
        // The tools stay listed (the prompt's beginning stays the same, so a local server reuses its work) but the
        // last request forbids calling them.
        let listed = bodies.map { ($0["tools"] as? [Any])?.count ?? 0 }
        #expect(listed == [12, 12, 12], "\(listed)")
        #expect(bodies.map { $0["tool_choice"] as? String } == [nil, nil, "none"])
        #expect(bodies.allSatisfy { $0["id_slot"] == nil }, "a server without answer_slot is not told about slots")
        // The last request carries the nudge, asking for an answer in the user's language.
        let last = try await messages(ofRequest: 2)
        #expect((last.last?["content"] as? String)?.hasPrefix("Answer my question now in one or two German sentences") == true)
    }

    @Test("when every call of the question failed, the model is asked to say so, not for the numbers")
    func nudgeAfterFailures() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "list_invoices", #"{"status": "unpaid"}"#)]),
            .openAIToolCalls([("call_2", "list_invoices", #"{"status": "unpaid"}"#)]),
            .openAIText("I could not get the invoices: the status 'unpaid' does not exist."),
        ])
        let answer = try await Rig.make(settings: AgentSettings(smallModelResilience: true)).ask("What are our three largest invoices, by status?")
        #expect(answer.toolCalls.count == 2 && answer.toolCalls.allSatisfy(\.outcome.isError))
        let last = try await messages(ofRequest: 2)
        #expect(
            last.last?["content"] as? String
                == "The tool calls above failed: tell me in one or two sentences that you could not get the data and why, "
                + "without making up any numbers. Do not call tools.")

        // In the answer view too; one call that worked among failed ones is something to answer from.
        var conversation: [ChatMessage] = [
            .system("You help."), .user("Zeig mir die Rechnung RE-9999"),
            .assistant("", toolCalls: [ToolCall(id: "a", name: "get_invoice", arguments: #"{"number":"RE-9999"}"#)]),
            .tool("a", "There is no invoice RE-9999 in this ledger.", isError: true),
        ]
        #expect(AnswerView.messages(conversation) { _ in false }.last == Agent.answerNudge(german: true, afterWrite: false, failed: true, toolsListed: false))
        #expect(AnswerView.messages(conversation) { _ in false }.last?.content.hasPrefix("The tool calls above failed: tell me in one or two German sentences") == true)
        conversation[2].toolCalls.append(ToolCall(id: "b", name: "list_invoices", arguments: #"{"limit":1}"#))
        conversation.append(.tool("b", "• RE-1119 · 2026-11-25 · Müller GmbH · 1.190,00 € · open"))
        #expect(AnswerView.messages(conversation) { _ in false }.last?.content.hasPrefix("Answer my question now") == true)
    }

    @Test("a real tool call in a round where tools may not be called is not run; the last result answers")
    func callDespiteToolChoiceNone() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "list_invoices", #"{"limit": 2}"#)]),
            .openAIToolCalls([("call_2", "list_invoices", #"{"limit": 3}"#)]),
        ])
        let answer = try await Rig.make(settings: AgentSettings(smallModelResilience: true)).ask("show me the last 2 invoices")
        #expect(answer.toolCalls.count == 1)
        #expect(answer.text.hasPrefix("Showing 1–2 of 120 invoices"), "\(answer.text)")
        #expect(try await llm.requests().count == 2)
    }

    @Test("answer_slot: the answer round goes to slot 1 without the tool list, results folded into the question; preparing the next question reads the conversation into both")
    func answerSlot() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "list_invoices", #"{"limit": 2}"#)]),
            .openAIText("The last two are RE-2026-0101 and RE-2026-0100."),
            .openAIText("."),
            .openAIText("."),
        ])
        let rig = try await Rig.make(settings: AgentSettings(smallModelResilience: true), answerSlot: true)
        let answer = try await rig.ask("show me the last 2 invoices")
        #expect(answer.text == "The last two are RE-2026-0101 and RE-2026-0100.")
        await rig.agent.prepareNextQuestion(history: answer.messages)
        let bodies = try await llm.requests().map { $0["body"] as? [String: Any] ?? [:] }
        #expect(bodies.map { $0["id_slot"] as? Int } == [0, 1, 0, 1])
        #expect(bodies.map { ($0["tools"] as? [Any])?.count } == [12, nil, 12, nil])
        #expect(bodies.map { $0["tool_choice"] as? String } == [nil, nil, nil, nil])
        let answering = try await messages(ofRequest: 1)
        #expect(answering.map { $0["role"] as? String } == ["system", "user", "user"])
        let question = try #require(answering[1]["content"] as? String)
        #expect(question.hasPrefix("show me the last 2 invoices\n\nlist_invoices limit=2 returned:\nShowing 1–2 of 120 invoices"), "\(question)")
        #expect(!question.contains("• ") && !question.contains("More: "))
        #expect((answering[2]["content"] as? String)?.hasPrefix("Answer my question now") == true)
        // Tool rounds see the conversation as it is, ready for the next question's tool round; the answer slot sees
        // it folded, beginning exactly as the answer round's prompt did (so that part is not read again).
        let preparedTools = try await messages(ofRequest: 2)
        #expect(preparedTools.map { $0["role"] as? String } == ["system", "user", "assistant", "tool", "assistant"])
        let preparedAnswers = try await messages(ofRequest: 3)
        #expect(preparedAnswers.map { $0["role"] as? String } == ["system", "user", "user", "assistant"])
        #expect(preparedAnswers[1]["content"] as? String == question)
        #expect(preparedAnswers[2]["content"] as? String == answering[2]["content"] as? String)
        #expect(preparedAnswers.last?["content"] as? String == answer.text)
        #expect(bodies[2]["max_tokens"] as? Int == 1 && bodies[3]["max_tokens"] as? Int == 1)
    }

    @Test("after a change the answer is asked for as what happened; after reading, for the numbers, or the names (and what else came) where no document numbers came")
    func nudgeAfterWrite() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "create_contact", #"{"name": "Schulz Logistik GmbH"}"#)]),
            .openAIText("Created Schulz Logistik GmbH (#1037)."),
        ])
        let rig = try await Rig.make(approval: ApproveAll(), settings: AgentSettings(smallModelResilience: true))
        _ = try await rig.ask("create a contact named Schulz Logistik GmbH")
        let afterWrite = try await messages(ofRequest: 1).last?["content"] as? String
        #expect(afterWrite?.hasPrefix("Tell me now in one or two sentences what happened") == true, "\(afterWrite ?? "-")")
        try await llm.script([.openAIToolCalls([("call_1", "list_contacts", #"{"limit": 2}"#)]), .openAIText("Zwei Kontakte.")])
        _ = try await rig.ask("Zeig mir zwei Kontakte")
        let afterRead = try await messages(ofRequest: 1).last?["content"] as? String
        #expect(afterRead?.hasPrefix("Answer my question now in one or two German sentences") == true, "\(afterRead ?? "-")")
        #expect(afterRead?.contains("give the names as written there") == true, "contacts: no document numbers, dates or amounts: \(afterRead ?? "-")")
        try await llm.script([.openAIToolCalls([("call_1", "list_invoices", #"{"limit": 2}"#)]), .openAIText("Zwei Rechnungen.")])
        _ = try await rig.ask("show me two invoices")
        let afterInvoices = try await messages(ofRequest: 1).last?["content"] as? String
        #expect(afterInvoices?.hasPrefix("Answer my question now from the tool results above") == true, "\(afterInvoices ?? "-")")
        #expect(afterInvoices?.contains("name the numbers") == true, "\(afterInvoices ?? "-")")
    }

    @Test("a write's made-up optional values are left out, and the conversation shows the call as it ran")
    func madeUpOptionalValuesLeftOut() async throws {
        try await llm.script([
            .openAIToolCalls([("w", "create_contact", #"{"name": "Schulz Logistik GmbH", "street": "Musterstr. 1", "vat_id": "DE123456789"}"#)]),
            .openAIText("Created Schulz Logistik GmbH."),
        ])
        let rig = try await Rig.make(approval: ApproveAll(), settings: AgentSettings(smallModelResilience: true))
        let answer = try await rig.ask("create a contact named Schulz Logistik GmbH")
        let call = try #require(answer.toolCalls.first)
        #expect(call.arguments == ["name": "Schulz Logistik GmbH"] && call.approval == .approved)
        #expect(call.modelText.hasSuffix("\nLeft out because the user did not give them: street 'Musterstr. 1', vat id 'DE123456789'."), "\(call.modelText)")
        let stored = try #require(try rig.store.contacts(named: "Schulz Logistik GmbH").first)
        #expect(stored.street == nil && stored.vatId == nil)
        // The model reads its call as it ran, so it cannot report the VAT id as written.
        let answering = try await messages(ofRequest: 1)
        let calls = answering.compactMap { $0["tool_calls"] as? [[String: Any]] }.flatMap { $0 }
        #expect(calls.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String } == [#"{"name":"Schulz Logistik GmbH"}"#])
        #expect(call.rawArguments.contains("Musterstr. 1"), "the trace keeps what the model wrote")
    }

    @Test("a write whose required value is made up is not run, and the model is asked to ask for it, in the question's language")
    func madeUpRequiredValueRefused() async throws {
        try await llm.script([
            .openAIToolCalls([("w", "create_contact", #"{"name": "New Customer", "city": "Berlin"}"#)]),
            .openAIText("What should the new customer be called?"),
        ])
        let rig = try await Rig.make(approval: ApproveAll(), settings: AgentSettings(smallModelResilience: true))
        let answer = try await rig.ask("Please create a new customer for me.")
        #expect(answer.text == "What should the new customer be called?")
        let call = try #require(answer.toolCalls.first)
        #expect(call.outcome.isError && call.approval == .notNeeded)
        #expect(call.outcome.text.hasPrefix("create_contact was not run: the user has not given the name ('New Customer' is made up)."))
        #expect(try rig.store.contacts(named: "New Customer").isEmpty)
        let bodies = try await llm.requests().map { $0["body"] as? [String: Any] ?? [:] }
        #expect(bodies.map { $0["tool_choice"] as? String } == [nil, "none"])
        #expect(try await messages(ofRequest: 1).last?["content"] as? String == "Ask me for the name in one short question. Do not call tools.")

        // In the answer slot, in German.
        try await llm.script([
            .openAIToolCalls([("w", "create_contact", #"{"name": "Neuer Kunde"}"#)]),
            .openAIText("Wie soll der neue Kunde heißen?"),
        ])
        let slotted = try await Rig.make(approval: ApproveAll(), settings: AgentSettings(smallModelResilience: true), answerSlot: true)
        let german = try await slotted.ask("Bitte lege einen neuen Kunden an.")
        #expect(german.text == "Wie soll der neue Kunde heißen?")
        #expect(try await messages(ofRequest: 1).last?["content"] as? String == "Ask me for the name in one short German question.")
        #expect(try slotted.store.contacts(named: "Neuer Kunde").isEmpty)
    }

    @Test("after a change the server refused, the tools may not be called: the model tells the user instead of forcing it")
    func refusedWriteEndsTheTools() async throws {
        try await llm.script([
            .openAIToolCalls([("w", "create_contact", #"{"name": "Müller GmbH"}"#)]),
            .openAIText("Müller GmbH already exists (#1001)."),
        ])
        let rig = try await Rig.make(approval: ApproveAll(), settings: AgentSettings(smallModelResilience: true))
        let answer = try await rig.ask("create a contact named Müller GmbH")
        let call = try #require(answer.toolCalls.first)
        #expect(call.outcome.isError && call.outcome.text.contains("a contact named 'Müller GmbH' already exists (#1001, id 1)"))
        let bodies = try await llm.requests().map { $0["body"] as? [String: Any] ?? [:] }
        #expect(bodies.map { $0["tool_choice"] as? String } == [nil, "none"])
        #expect(try rig.store.contacts(named: "Müller GmbH").count == 1)
    }

    @Test("a read about a guessed record is refused, so the model looks it up; a guessed filter among others is left out")
    func guessedIdentifiersInTheLoop() async throws {
        try await llm.script([
            .openAIToolCalls([("g", "get_contact", #"{"id": 1, "customer_number": "1001"}"#)]),
            .openAIToolCalls([("s", "list_contacts", #"{"search": "Rheinblick"}"#)]),
            .openAIText("Hotel Rheinblick has customer number 1012."),
        ])
        let rig = try await Rig.make(settings: AgentSettings(smallModelResilience: true))
        let answer = try await rig.ask("What is the customer number of Hotel Rheinblick?")
        #expect(answer.toolCalls.map(\.name) == ["get_contact", "list_contacts"])
        let refused = try #require(answer.toolCalls.first)
        #expect(refused.outcome.isError && refused.outcome.text.hasPrefix("get_contact was not run: customer number '1001' and id 1 came from no question"))
        // The demo's list_contacts searches contacts: the refusal says to search with it.
        #expect(refused.outcome.text.hasSuffix(
            "Find it first: call list_contacts with search set to the name in the question, then call get_contact with what that returns."))
        #expect(answer.toolCalls[1].outcome.text.contains("Hotel Rheinblick (#1012"), "\(answer.toolCalls[1].outcome.text)")
        let bodies = try await llm.requests().map { $0["body"] as? [String: Any] ?? [:] }
        #expect(bodies.map { $0["tool_choice"] as? String } == [nil, nil, "none"], "after one refusal the model may still look it up")

        // Guessing on and on: after the second refusal the model must answer.
        try await llm.script([
            .openAIToolCalls([("g1", "get_contact", #"{"id": 1}"#)]), .openAIToolCalls([("g2", "get_contact", #"{"id": 2}"#)]),
            .openAIText("I could not find it."),
        ])
        let stubborn = try await rig.ask("What is the customer number of Hotel Rheinblick?")
        #expect(stubborn.toolCalls.allSatisfy(\.outcome.isError) && stubborn.text == "I could not find it.")
        let stubbornBodies = try await llm.requests().map { $0["body"] as? [String: Any] ?? [:] }
        #expect(stubbornBodies.map { $0["tool_choice"] as? String } == [nil, nil, "none"])

        try await llm.script([.openAIToolCalls([("t", "list_transactions", #"{"account_id": 1, "limit": 5}"#)]), .openAIText("Done.")])
        let transactions = try await rig.ask("Show me the last 5 bank transactions")
        let call = try #require(transactions.toolCalls.first)
        #expect(call.arguments == ["limit": 5] && !call.outcome.isError)
        #expect(call.outcome.text.hasPrefix("Showing 1–5 of 433 transactions"), "all accounts: \(call.outcome.text.prefix(80))")
    }

    @Test("a search for a name nobody said is refused and points to summarize; the tools stay offered for that call")
    func guessedSearchInTheLoop() async throws {
        try await llm.script([
            .openAIToolCalls([("g", "get_contact", #"{"customer_number": "1001"}"#)]),
            .openAIToolCalls([("s", "list_contacts", #"{"search": "Muster Digital GmbH"}"#)]),
            .openAIToolCalls([("m", "summarize", #"{"entity": "invoices", "group_by": "contact"}"#)]),
            .openAIText("Our biggest customer is Müller GmbH."),
        ])
        let rig = try await Rig.make(settings: AgentSettings(smallModelResilience: true))
        let answer = try await rig.ask("Who is our biggest customer?")
        #expect(answer.toolCalls.map(\.name) == ["get_contact", "list_contacts", "summarize"])
        let search = answer.toolCalls[1]
        #expect(search.outcome.isError && search.outcome.text == "list_contacts was not run: search 'Muster Digital GmbH' came from "
            + "no question and no result, so it is a guess. The question names no contact: to find the largest or most of them, "
            + "call summarize with group_by contact.")
        #expect(!answer.toolCalls[2].outcome.isError && answer.toolCalls[2].outcome.text.contains("Müller GmbH"))
        let bodies = try await llm.requests().map { $0["body"] as? [String: Any] ?? [:] }
        #expect(bodies.map { $0["tool_choice"] as? String } == [nil, nil, nil, "none"], "a refused search is not a second guess")
        #expect(answer.text == "Our biggest customer is Müller GmbH.")
    }

    @Test("a small model starting more calls in one round than the cap: the first six run, the stream is left for the rest")
    func callsPerRoundCapped() async throws {
        let guesses = (1...12).map { (id: "g\($0)", name: "get_invoice", arguments: #"{"id": \#(1000 + $0 * 37)}"#) }
        try await llm.script([.openAIToolCalls(guesses), .openAIText("I could not find them.")])
        let answer = try await Rig.make(settings: AgentSettings(smallModelResilience: true)).ask("Wie alt sind unsere offenen Forderungen?")
        #expect(answer.toolCalls.map(\.id) == ["g1", "g2", "g3", "g4", "g5", "g6"])
        #expect(answer.toolCalls.allSatisfy { $0.outcome.isError && MadeUpValues.isGuessRefusal($0.outcome.text) })
        let bodies = try await llm.requests().map { $0["body"] as? [String: Any] ?? [:] }
        #expect(bodies.count == 2 && bodies[1]["tool_choice"] as? String == "none", "six guesses end the tools")
        let written = try await messages(ofRequest: 1).compactMap { $0["tool_calls"] as? [[String: Any]] }.first
        #expect(written?.count == 6, "the conversation keeps only the calls that ran")
        #expect(answer.text == "I could not find them.")

        // Not for other models: every call runs.
        try await llm.script([.openAIToolCalls(guesses), .openAIText("Done.")])
        #expect(try await Rig.make().ask("Wie alt sind unsere offenen Forderungen?").toolCalls.count == 12)

        // Calls written as text, known only when the answer ends: cut to the same six.
        let tagged = (1...8).map { #"<tool_call>{"name": "get_invoice", "arguments": {"id": \#(2000 + $0)}}</tool_call>"# }
        try await llm.script([.openAIText(tagged.joined(separator: "\n")), .openAIText("None found.")])
        let asText = try await Rig.make(settings: AgentSettings(smallModelResilience: true)).ask("Wie alt sind unsere offenen Forderungen?")
        #expect(asText.toolCalls.count == 6 && asText.toolCalls.allSatisfy { $0.name == "get_invoice" })
    }

    @Test("'Only the paid ones' after a customer's invoices: the call keeps the customer, from the previous question's call")
    func followUpInTheLoop() async throws {
        try await llm.script([
            .openAIToolCalls([("c1", "list_invoices", #"{"contact_name": "Hotel Rheinblick"}"#)]), .openAIText("RE-1117, RE-1100 and RE-1027."),
            .openAIToolCalls([("c2", "list_invoices", #"{"status": "paid"}"#)]), .openAIText("RE-1027."),
        ])
        let rig = try await Rig.make(settings: AgentSettings(smallModelResilience: true, today: anchor.iso))
        let first = try await rig.ask("Show the invoices of Hotel Rheinblick")
        let second = try await rig.agent.ask("Only the paid ones, please", history: first.messages)
        let call = try #require(second.toolCalls.first)
        #expect(call.arguments == ["status": "paid", "contact_name": "Hotel Rheinblick"])
        #expect(!call.outcome.isError && call.outcome.text.contains("RE-1027") && !call.outcome.text.contains("RE-1117"), "\(call.outcome.text)")
    }

    @Test("'last month' with no dates in the call: the agent adds the month's dates, says so, and the conversation shows them")
    func namedPeriodInTheLoop() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "summarize", #"{"entity": "invoices", "group_by": "month"}"#)]),
            .openAIText("In October we invoiced 36.498,13 €."),
        ])
        let answer = try await Rig.make(settings: AgentSettings(smallModelResilience: true, today: anchor.iso)).ask(
            "How much did we invoice last month?")
        let call = try #require(answer.toolCalls.first)
        #expect(call.arguments == ["entity": "invoices", "group_by": "month", "date_from": "2026-10-01", "date_to": "2026-10-31"])
        #expect(call.outcome.text.hasPrefix("Invoices by month, 2026-10-01 to 2026-10-31:\n• 2026-10: 9 invoices · net"), "\(call.outcome.text)")
        #expect(call.outcome.text.hasSuffix(#"Dates from the question ("last month"): 2026-10-01 to 2026-10-31."#))
        let answering = try await messages(ofRequest: 1)
        let shown = (answering[2]["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: String]
        #expect(shown?["arguments"]?.contains(#""date_from":"2026-10-01""#) == true, "\(String(describing: shown))")

        // Without resilience the call runs as the model wrote it.
        try await llm.script([
            .openAIToolCalls([("call_1", "summarize", #"{"entity": "invoices", "group_by": "month"}"#)]), .openAIText("Done."),
        ])
        let plain = try await Rig.make(settings: AgentSettings(today: anchor.iso)).ask("How much did we invoice last month?")
        #expect(plain.toolCalls.first?.arguments == ["entity": "invoices", "group_by": "month"])
    }

    /// The call that ran when a small model called `tool` with `arguments` (JSON) for `question`, and then answered.
    func callThatRan(_ tool: String, _ arguments: String, for question: String) async throws -> ExecutedToolCall {
        try await llm.script([.openAIToolCalls([("call_1", tool, arguments)]), .openAIText("Done.")])
        let answer = try await Rig.make(settings: AgentSettings(smallModelResilience: true, today: anchor.iso)).ask(question)
        return try #require(answer.toolCalls.first)
    }

    @Test("'due this week' with the week as invoice dates: the agent asks for the invoices due this week instead")
    func dueThisWeekInTheLoop() async throws {
        let call = try await callThatRan(
            "list_invoices", #"{"date_from": "2026-11-23", "date_to": "2026-11-29"}"#, for: "Which invoices are due this week?")
        #expect(call.arguments == ["due_date_from": "2026-11-23", "due_date_to": "2026-11-29"])
        // What the demo ledger has due in that week, as list_invoices words it.
        #expect(call.outcome.text.hasPrefix("All "), "\(call.outcome.text)")
        #expect(call.outcome.text.contains("unpaid invoices due 2026-11-23 to 2026-11-29 (by due_date asc):"), "\(call.outcome.text)")
        #expect(call.outcome.text.hasSuffix(#"Due dates from the question ("this week"): 2026-11-23 to 2026-11-29."#))
    }

    @Test("'bills we have to pay this month' called for other income of the month: the agent asks for the bills due this month")
    func billsToPayInTheLoop() async throws {
        let call = try await callThatRan(
            "list_vouchers", #"{"date_from": "2026-11-01", "date_to": "2026-11-25", "kind": "revenue"}"#,
            for: "Which bills do we have to pay this month?")
        #expect(call.arguments == ["due_date_from": "2026-11-01", "due_date_to": "2026-11-30"])
        // The demo ledger of 2026-11-25 has paid every bill: the list says so for the due dates, of every kind.
        #expect(call.outcome.text.hasPrefix("No unpaid vouchers due 2026-11-01 to 2026-11-30 match"), "\(call.outcome.text)")
        #expect(call.outcome.text.hasSuffix(#"Due dates from the question ("this month"): 2026-11-01 to 2026-11-30."#))
    }

    @Test("'what we owe our suppliers' called as receivables: the open vouchers run instead, and the conversation shows them")
    func whatWeOweInTheLoop() async throws {
        try await llm.script([
            .openAIToolCalls([("r", "receivables_aging", #"{"as_of": "2026-11-25", "include_invoices": true}"#)]),
            .openAIText("We owe our suppliers nothing."),
        ])
        let (answer, shown) = try await askShowingCalls("What do we still owe our suppliers?")
        let call = try #require(answer.toolCalls.first)
        #expect(answer.toolCalls.count == 1 && call.name == "list_vouchers" && call.arguments == ["status": "open"])
        #expect(shown == [#"{"status":"open"}"#])
        // The demo ledger of 2026-11-25 has paid every bill; the note says what was called.
        #expect(call.outcome.text == "No open vouchers match these filters.\n(Run instead of receivables_aging as_of='2026-11-25' "
            + "include_invoices=true, which is about money customers owe us: the question asks what we owe.)")
        #expect(answer.text == "We owe our suppliers nothing.")
        let answering = try await messages(ofRequest: 1)
        let written = (answering[2]["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: String]
        #expect(written == ["name": "list_vouchers", "arguments": #"{"status":"open"}"#], "\(String(describing: written))")
        // The note is for the screen: the model reads the result of the call it is shown.
        #expect(answering[3]["content"] as? String == "No open vouchers match these filters.", "\(answering[3])")
    }

    @Test("'Forderungen' listed as open invoices, the call written three times: receivables_aging runs once instead")
    func receivablesInTheLoop() async throws {
        let open = #"{"status": "open"}"#
        try await llm.script([
            // As the offline model wrote it (six times; the stream is left at the third).
            .openAIToolCalls([("l1", "list_invoices", open), ("l2", "list_invoices", #"{"status":"open"}"#), ("l3", "list_invoices", open)]),
            .openAIText("Offen sind 73.701,01 €."),
        ])
        let answer = try await Rig.make(settings: AgentSettings(smallModelResilience: true, today: anchor.iso)).ask("Wie alt sind unsere offenen Forderungen?")
        #expect(answer.toolCalls.map(\.name) == ["receivables_aging"])
        #expect(answer.toolCalls[0].outcome.text.hasPrefix("Receivables as of 2026-11-25: 73.701,01 € outstanding"), "\(answer.toolCalls[0].outcome.text.prefix(80))")
        #expect(answer.toolCalls[0].outcome.text.hasSuffix("\n(Run instead of list_invoices status='open': the question asks for receivables.)"))
        // The conversation holds the call once; its success ends the tool rounds.
        let second = try await messages(ofRequest: 1)
        #expect((second[2]["tool_calls"] as? [Any])?.count == 1, "\(second[2])")
        let bodies = try await llm.requests().map { $0["body"] as? [String: Any] ?? [:] }
        #expect(bodies.map { $0["tool_choice"] as? String } == [nil, "none"])
    }

    @Test("a call written again in one round stutters, whatever its spacing; other arguments or tools do not")
    func stutters() {
        let a = ToolCall(id: "1", name: "list_invoices", arguments: #"{"status": "open"}"#)
        let a2 = ToolCall(id: "2", name: "list_invoices", arguments: #"{"status":"open"}"#)
        let b = ToolCall(id: "3", name: "list_invoices", arguments: #"{"status": "paid"}"#)
        let c = ToolCall(id: "4", name: "list_vouchers", arguments: #"{"status": "open"}"#)
        let stutters = { (calls: [ToolCall]) in Agent.withoutStutters(calls).count < calls.count }
        #expect(stutters([a, b, a2]) && stutters([a, a2]))
        #expect(!stutters([a, b, c]) && !stutters([a]) && !stutters([]))
        #expect(Agent.withoutStutters([a, a2, b, a, c]).map(\.id) == ["1", "3", "4"])
    }

    @Test("'invoice RE-1060' called with id 1060: the agent asks for the invoice numbered RE-1060")
    func numberForIDInTheLoop() async throws {
        let call = try await callThatRan("get_invoice", #"{"id": 1060}"#, for: "What is on invoice RE-1060?")
        #expect(call.arguments == ["number": "RE-1060"] && !call.outcome.isError)
        #expect(call.outcome.text.contains("RE-1060") && call.outcome.text.contains("Webentwicklung"), "\(call.outcome.text)")
    }

    @Test("without answer_slot or resilience, preparing the next question sends nothing")
    func prepareWithoutSlots() async throws {
        try await llm.script([])
        let history: [ChatMessage] = [.system("s"), .user("hello"), .assistant("Hi.", toolCalls: [])]
        try await Rig.make(settings: AgentSettings(smallModelResilience: true)).agent.prepareNextQuestion(history: history)
        try await Rig.make(answerSlot: true).agent.prepareNextQuestion(history: history)
        #expect(try await llm.requests().isEmpty)
    }

    @Test("without resilience a fenced call is just text")
    func off() async throws {
        try await llm.script([.openAIText("```json\n{\"name\": \"list_invoices\", \"arguments\": {}}\n```")])
        let answer = try await Rig.make().ask("show me invoices")
        #expect(answer.toolCalls.isEmpty && answer.text.contains("list_invoices"))
    }
}

@Suite("Document numbers given as ids")
struct NumberForIDTests {
    let schema: Value = ["type": "object", "properties": ["id": ["type": "integer"], "number": ["type": "string"]]]

    @Test("an id that is the last digits of a number in the question becomes that number")
    func moved() {
        #expect(ArgumentRepair.numberForID(["id": 1060], schema: schema, question: "What is on invoice RE-1060?") == ["number": "RE-1060"])
        #expect(ArgumentRepair.numberForID(["id": 42], schema: schema, question: "Zeig Beleg BE-2026-0042") == ["number": "BE-2026-0042"])
    }

    @Test("left alone: another id, a number already given, a tool without number, a question naming no such number")
    func kept() {
        #expect(ArgumentRepair.numberForID(["id": 7], schema: schema, question: "What is on invoice RE-1060?") == ["id": 7])
        let both: [String: Value] = ["id": 1060, "number": "RE-1060"]
        #expect(ArgumentRepair.numberForID(both, schema: schema, question: "RE-1060?") == both)
        let idOnly: Value = ["type": "object", "properties": ["id": ["type": "integer"]]]
        #expect(ArgumentRepair.numberForID(["id": 1060], schema: idOnly, question: "RE-1060?") == ["id": 1060])
        #expect(ArgumentRepair.numberForID(["id": 1060], schema: schema, question: "contact 1060") == ["id": 1060])
    }
}
