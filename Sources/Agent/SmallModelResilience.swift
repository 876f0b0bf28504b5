import Foundation
import LLM
import MCP

/// Tool calls a model wrote as text instead of using the API's tool-call field, which small models do: a
/// ```` ```json ```` fence, `<tool_call>…</tool_call>` tags, or a bare `{"name": …, "arguments": …}` object.
/// Only objects naming a known tool count, so ordinary JSON in an answer is left alone.
public enum TextToolCalls {
    public struct Found: Sendable, Equatable {
        public var calls: [(name: String, arguments: String)]
        /// The text around the calls, trimmed (often empty).
        public var remainingText: String

        public static func == (lhs: Found, rhs: Found) -> Bool {
            lhs.remainingText == rhs.remainingText && lhs.calls.map(\.name) == rhs.calls.map(\.name)
                && lhs.calls.map(\.arguments) == rhs.calls.map(\.arguments)
        }
    }

    public static func extract(from text: String, toolNames: Set<String>) -> Found? {
        var calls: [(name: String, arguments: String)] = []
        var remaining = text
        // Fences and tags first: they say where the call is.
        for pattern in [#"```(?:json|tool_call)?\s*(\{[\s\S]*?\})\s*```"#, #"<tool_call>\s*(\{[\s\S]*?\})\s*</tool_call>"#] {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            let whole = remaining as NSString
            var removals: [NSRange] = []
            for match in regex.matches(in: remaining, range: NSRange(location: 0, length: whole.length)) {
                let body = whole.substring(with: match.range(at: 1))
                if let call = call(in: body, toolNames: toolNames) {
                    calls.append(call)
                    removals.append(match.range)
                }
            }
            for range in removals.reversed() { remaining = (remaining as NSString).replacingCharacters(in: range, with: "") }
        }
        if calls.isEmpty {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("{"), trimmed.hasSuffix("}"), let call = call(in: trimmed, toolNames: toolNames) {
                calls.append(call)
                remaining = ""
            }
        }
        guard !calls.isEmpty else { return nil }
        return Found(calls: calls, remainingText: remaining.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `{"name": "...", "arguments": {...}}` (also "parameters", or arguments as a JSON string) naming a known tool.
    static func call(in json: String, toolNames: Set<String>) -> (name: String, arguments: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let name = object["name"] as? String, toolNames.contains(name)
        else { return nil }
        let arguments = object["arguments"] ?? object["parameters"] ?? [String: Any]()
        if let text = arguments as? String { return (name, text) }
        guard JSONSerialization.isValidJSONObject(arguments), let data = try? JSONSerialization.data(withJSONObject: arguments, options: [.sortedKeys])
        else { return (name, "{}") }
        return (name, String(decoding: data, as: UTF8.self))
    }
}

/// Cleans a small model's arguments against the tool's input schema, then checks them.
public enum ArgumentRepair {
    /// Empty strings and nulls dropped (models send them for optional fields they mean to leave out), so is an
    /// optional 0 the schema does not allow (`limit: 0`, meant as "no limit": corrected to "at least 1", the offline
    /// model asked for one bank account and answered with its balance alone), and numbers or booleans written as
    /// strings converted where the schema asks for them.
    public static func clean(_ arguments: [String: Value], schema: Value) -> [String: Value] {
        let properties = schema.objectValue?["properties"]?.objectValue ?? [:]
        let required = Set(requiredKeys(schema))
        var cleaned: [String: Value] = [:]
        for (key, value) in arguments {
            switch value {
            case .null: continue
            case .string(let text) where text.trimmingCharacters(in: .whitespaces).isEmpty: continue
            case .string(let text):
                cleaned[key] = typed(text, schema: properties[key]) ?? value
            case .double(let number) where Set(typeNames(properties[key])).contains("integer") && number == number.rounded():
                cleaned[key] = .int(Int(number))
            default:
                cleaned[key] = value
            }
        }
        return cleaned.filter { key, value in !(value == .int(0) && !required.contains(key) && minimum(of: properties[key]) > 0) }
    }

    /// A property's `minimum`, or 0.
    static func minimum(of property: Value?) -> Double {
        let minimum = property?.objectValue?["minimum"]
        return minimum?.doubleValue ?? minimum?.intValue.map(Double.init) ?? 0
    }

    /// Date arguments (names with "date" in them) that all equal today, dropped when the question does not speak of
    /// today. Small models copy the system prompt's "Today is …" into `date_from` and `date_to` for "recently" or "the
    /// last 5" and then find nothing: in every compare run, "What did we pay for hosting recently?" and "Show me the
    /// last 5 bank transactions" asked for today alone and answered that there was nothing. Required ones stay.
    public static func droppingCopiedToday(
        _ arguments: [String: Value], today: String, question: String, schema: Value = .object([:])
    ) -> [String: Value] {
        let required = Set(requiredKeys(schema))
        let dates = arguments.filter { $0.key.lowercased().contains("date") && !required.contains($0.key) }
        guard !dates.isEmpty, dates.values.allSatisfy({ $0.stringValue == today }) else { return arguments }
        let asked = question.lowercased()
        let parts = today.split(separator: "-")
        let germanDate = parts.count == 3 ? "\(parts[2]).\(parts[1])." : today
        guard !["today", "heute", "heutig", today, germanDate].contains(where: { asked.contains($0) }) else { return arguments }
        return arguments.filter { dates[$0.key] == nil }
    }

    /// A read's date arguments (keys with "date" in them, not required) dropped when no question of the conversation
    /// says anything about time (`timeWords`, English and German, a month's name or a year). Why: asked "Who is our
    /// biggest customer?", the offline model added `date_from`/`date_to` for the current month to `summarize` and
    /// named the month's largest customer as the biggest. Any word about time keeps the dates (also `NamedPeriod`'s
    /// business, which writes over them when the question names one period).
    public static func droppingUnaskedDates(_ arguments: [String: Value], schema: Value, questions: [String]) -> [String: Value] {
        let required = Set(requiredKeys(schema))
        let dates = arguments.keys.filter { $0.lowercased().contains("date") && !required.contains($0) }
        guard !dates.isEmpty else { return arguments }
        let year = { (word: String) in word.count == 4 && (word.hasPrefix("19") || word.hasPrefix("20")) && Int(word) != nil }
        let timely = speaks(questions, of: timeWords) || questions.flatMap(wordList).contains(where: year)
        return timely ? arguments : arguments.filter { !dates.contains($0.key) }
    }

    /// Beginnings of words that speak of time, lower case without accents (`MadeUpValues.words`). Broad on purpose:
    /// a word that is not about time here ("this invoice", "invoices from Müller") only keeps the model's dates.
    static let timeWords = [
        "today", "yesterday", "tomorrow", "recent", "last", "past", "this", "since", "until", "till", "before", "after",
        "between", "from", "during", "ago", "week", "month", "quarter", "year", "day", "date", "period", "q1", "q2", "q3",
        "q4", "ytd", "now", "current", "previous", "next", "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december", "heute", "gestern", "morgen", "letzt", "vergangen",
        "dies", "seit", "bis", "vor", "nach", "zwischen", "woche", "monat", "quartal", "jahr", "tag", "datum", "zeitraum",
        "kurzlich", "neulich", "zuletzt", "aktuell", "januar", "februar", "marz", "mai", "juni", "juli", "oktober",
        "dezember", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "okt", "oct", "nov", "dez", "dec",
    ]

    /// A read's `status`, `direction`, `kind` or `category` filter (one of the schema's choices, not required) dropped
    /// when no question of the conversation says anything about what it filters by (`choiceFilters`). Why: the offline
    /// model filters lists nobody asked to filter — "What are our three largest invoices by amount?" got `status:
    /// "open"` in 3 of 3 compare runs and the answer named the largest open invoices; "Show me all invoices for Autohaus Becker" and "the newest
    /// invoices number 6 to 10" got it too; "Show me the last 5 bank transactions" got `direction: "incoming"` or
    /// `"outgoing"` in compare runs and listed five of one kind. Any word about it keeps the filter, even one that
    /// does not match its value ("which have not been paid?" is rightly `open`): the filter's words (English and
    /// German) and the words of its choices. A question about what we owe (`OwedMoney`: "Welche Rechnungen müssen wir
    /// noch bezahlen?") asks about a state, unpaid.
    public static func droppingUnaskedChoices(_ arguments: [String: Value], schema: Value, questions: [String]) -> [String: Value] {
        let required = Set(requiredKeys(schema))
        var kept = arguments
        for (key, words) in choiceFilters where arguments[key]?.stringValue != nil && !required.contains(key) {
            guard let choices = choices(of: key, in: schema), !(key == "status" && questions.contains(where: OwedMoney.asksWhatWeOwe))
            else { continue }
            let other = choices.flatMap { (choiceWords[$0] ?? []) + (categoryWords[$0] ?? []) }
            // Those words also end German compounds ("Serverkosten", "Privatkunden").
            let inCompounds = other.filter { $0.count >= 4 }
            let compounded = questions.flatMap(wordList).contains { word in inCompounds.contains { word.contains($0) } }
            if !compounded && !speaks(questions, of: words + choices.flatMap(wordList) + other) { kept[key] = nil }
        }
        return kept
    }

    /// A read's `status` set to the one state the question names (`namedStates`), when the model chose another of the
    /// schema's choices. Why: asked "Which bills are still unpaid?", the offline model called `list_vouchers` with
    /// `status: "draft"` and answered "There are no unpaid bills." (one was open). Two states named ("paid or open"),
    /// none, or one the schema does not offer change nothing.
    public static func agreeingStatus(_ arguments: [String: Value], schema: Value, question: String) -> [String: Value] {
        guard let current = arguments["status"]?.stringValue, let choices = choices(of: "status", in: schema) else { return arguments }
        let named = namedStates(question).filter(choices.contains)
        guard named.count == 1, let state = named.first, state != current else { return arguments }
        var agreed = arguments
        agreed["status"] = .string(state)
        return agreed
    }

    /// The document states a question names, as status choices: "unpaid", "offen", "not yet paid", "overdue" → open;
    /// "paid", "bezahlt" → paid; "partially paid", "teilweise bezahlt" → partially_paid; drafts; cancelled.
    static func namedStates(_ question: String) -> Set<String> {
        let words = wordList(question)
        var named = Set<String>()
        for (index, word) in words.enumerated() {
            let before = words[max(0, index - 3)..<index]
            if begins(word, with: ["partial", "partly", "teilweise", "teilbezahlt"]) {
                named.insert("partially_paid")
            } else if begins(word, with: ["paid", "settled", "bezahlt", "gezahlt", "beglichen"]) {
                if before.last.map({ begins($0, with: ["partial", "partly", "teil"]) }) == true { continue }
                let negated = before.contains { ["not", "t", "never", "nicht", "nie", "kein", "keine"].contains($0) }
                named.insert(negated ? "open" : "paid")
            } else if begins(word, with: ["open", "unpaid", "outstanding", "unsettled", "offen", "unbezahlt", "ausstehend", "overdue", "uberfallig"]) {
                named.insert("open")
            } else if begins(word, with: ["draft", "entwurf", "entwurfe"]) {
                named.insert("draft")
            } else if begins(word, with: ["cancel", "storn"]) {
                named.insert("cancelled")
            }
        }
        return named
    }

    /// A read's `category` (an optional choice of the schema) set to the one choice the question names, when the
    /// model left it out and searches for no one by name. Why: asked "How many customers do we have?", the offline
    /// model listed every contact and answered 36 (22 are customers, the rest suppliers, partners and prospects).
    /// A choice is named by itself, its plural or a word of `categoryWords` ("Kunden", "clients", "Lieferanten");
    /// two named ("customers or suppliers") set nothing.
    public static func addingNamedCategory(_ arguments: [String: Value], schema: Value, question: String) -> [String: Value] {
        guard arguments["category"] == nil, arguments["search"] == nil, !requiredKeys(schema).contains("category"),
            let choices = choices(of: "category", in: schema)
        else { return arguments }
        let spoken = Set(wordList(question))
        let named = choices.filter { choice in
            let names = [choice, choice + "s"] + (categoryWords[choice] ?? [])
            return names.contains { spoken.contains(MadeUpValues.words($0)) }
        }
        guard named.count == 1 else { return arguments }
        var added = arguments
        added["category"] = .string(named[0])
        return added
    }

    /// A read's choice of which records to go through (a choice `recordWords` knows: `invoices`, `vouchers`,
    /// `transactions`) set to the one kind of records the question names, when the model chose another. Why: asked
    /// "Welche Ausgaben hatten wir im Oktober?", the offline model called `summarize` with `entity: invoices` and gave
    /// October's revenue as the expenses. Two kinds named ("payments not matched to an invoice"), or none, change nothing.
    /// A word about tax (`taxWords`) names none: "Umsatzsteuer" (VAT) is not "Umsatz" (revenue). A question about what
    /// we owe (`OwedMoney.asksWhatWeOwe`) names vouchers whatever else it says: the "Rechnungen" we must pay are bills.
    public static func choosingNamedRecords(_ arguments: [String: Value], schema: Value, question: String) -> [String: Value] {
        let spoken = wordList(question).filter { !begins($0, with: taxWords) }
        let weOwe = OwedMoney.asksWhatWeOwe(question)
        var chosen = arguments
        for (key, value) in arguments {
            guard let current = value.stringValue, recordWords[current] != nil, let choices = choices(of: key, in: schema),
                choices.contains(current)
            else { continue }
            let named = weOwe && choices.contains("vouchers")
                ? ["vouchers"] : choices.filter { choice in spoken.contains { begins($0, with: recordWords[choice] ?? []) } }
            if named.count == 1, named[0] != current { chosen[key] = .string(named[0]) }
        }
        return chosen
    }

    /// A read's grouping by tax rate (`group_by: tax_rate`) when the question says nothing about tax, replaced by the
    /// grouping by contact where the schema offers it (largest first, with the total). Why: asked "What are our biggest
    /// expenses?" and "Was sind unsere größten Ausgaben?", the offline model called `summarize` with `group_by:
    /// tax_rate` and answered "The biggest expenses are 19% with 162 vouchers …"; by contact, the largest are named.
    public static func replacingUnaskedTaxGrouping(_ arguments: [String: Value], schema: Value, question: String) -> [String: Value] {
        var replaced = arguments
        for (key, value) in arguments where value.stringValue == "tax_rate" {
            guard let choices = choices(of: key, in: schema), choices.contains("contact"), !speaks([question], of: taxWords) else { continue }
            replaced[key] = "contact"
        }
        return replaced
    }

    /// Beginnings of words that speak of tax, as `MadeUpValues.words` writes them: "MwSt." → "mwst", "Steuersatz".
    static let taxWords = ["tax", "vat", "rate", "steuer", "mwst", "ust", "umsatzsteuer", "mehrwertsteuer", "satz", "percent", "prozent"]

    /// Beginnings of words that name a kind of records, English and German, as `MadeUpValues.words` writes them:
    /// "Ausgaben" → "ausgaben", "Umsätze" → "umsatze", "Überweisungen" → "uberweisungen". Not "bill" ("billed" is
    /// invoiced), "bank" ("bank fees" are vouchers) or "Einnahmen" (income from invoices or from any payment).
    static let recordWords: [String: [String]] = [
        "invoices": ["invoice", "rechnung", "revenue", "umsatz", "sales", "earn", "verdien", "faktur"],
        "vouchers": [
            "voucher", "beleg", "receipt", "quittung", "cost", "kosten", "expens", "ausgab", "spend", "spent", "ausgegeben",
            "supplier", "lieferant", "vendor", "eingangsrechnung", "debt", "payable", "verbindlichkeit",
        ],
        "transactions": [
            "transaction", "transaktion", "payment", "zahlung", "uberweis", "transfer", "lastschrift", "gutschrift", "kontoumsatz",
            "kontobeweg",
        ],
    ]

    /// Other words for the usual contact categories, English and German, as `MadeUpValues.words` writes them.
    static let categoryWords: [String: [String]] = [
        "customer": ["client", "clients", "kunde", "kunden", "kundinnen"],
        "supplier": ["vendor", "vendors", "lieferant", "lieferanten"],
        "prospect": ["lead", "leads", "interessent", "interessenten"],
        "partner": ["partnern"],
    ]

    /// A follow-up's read given whom the previous question's call of the same tool was about (`subjectKeys`), when
    /// the model left that out. Why: asked "Show the invoices of Hotel Rheinblick", then "Only the paid ones, please",
    /// the offline model called `list_invoices` with `status: paid` alone in every compare run and named the newest
    /// paid invoices of all customers. A follow-up is a short question (eight words at most) that points back
    /// ("ones", "those", "them", "only", "davon", "nur", …); a call with any subject of its own is left alone ("And
    /// for Müller GmbH?").
    public static func inheritingSubject(_ arguments: [String: Value], earlier: [String: Value]?, question: String) -> [String: Value] {
        guard let earlier, !subjectKeys.contains(where: { arguments[$0] != nil }) else { return arguments }
        let words = wordList(question)
        guard words.count <= 8, words.contains(where: backReferences.contains) else { return arguments }
        var inherited = arguments
        for key in subjectKeys { inherited[key] = inherited[key] ?? earlier[key] }
        return inherited
    }

    /// The arguments that name whom or what a list is about.
    static let subjectKeys = ["contact_name", "contact_id", "search"]

    /// Words a follow-up points back with, as `MadeUpValues.words` writes them.
    static let backReferences: Set<String> = [
        "ones", "those", "them", "these", "they", "their", "only", "just", "davon", "diese", "dieser", "denen", "nur", "welche",
    ]

    /// The choice filters `droppingUnaskedChoices` judges, with the beginnings of words that ask for them whatever the
    /// choice (`choiceWords` adds those of each choice the schema offers). Why `kind`: asked "Which bills do we have to
    /// pay this month?", the offline model called `list_vouchers` with `kind: "revenue"` and found no bills to pay.
    /// Why `category`: asked "Which supplier bills are still open?", it added `category: "rent"` and answered that
    /// none were open (one was).
    static let choiceFilters: [(key: String, words: [String])] = [
        ("status", stateWords), ("direction", directionWords), ("kind", ["kind", "type", "sort", "art", "typ"]),
        ("category", ["categor", "kategor"]),
    ]

    /// Beginnings of words that ask for one choice of a `kind` or `category` filter (vouchers' and contacts'), beyond
    /// the choice's own words and the contact categories' `categoryWords`, as `MadeUpValues.words` writes them. "Bills" asks for no kind: a bill to pay is a cost,
    /// and the kind the model added unasked was the other one.
    static let choiceWords: [String: [String]] = [
        "expense": ["expens", "cost", "spend", "spent", "purchas", "kosten", "ausgab", "aufwand", "einkauf"],
        "revenue": ["income", "earn", "sale", "sold", "refund", "einnahm", "erlos", "ertrag", "verkauf", "erstatt", "gutschrift"],
        "organisation": ["organi", "compan", "firm", "business", "corporat", "unternehm", "gmbh"],
        "person": ["people", "individual", "private", "privat", "leute", "mensch"],
        "rent": ["miete", "lease", "pacht", "buro", "office"],
        "phone_internet": ["telefon", "mobil", "handy", "dsl", "telekom"],
        "hosting": ["host", "server", "domain", "cloud", "rechenzentrum"],
        "software": ["licen", "lizenz", "subscription", "abo", "saas"],
        "fuel": ["petrol", "gas", "diesel", "tank", "benzin", "sprit", "kraftstoff", "car", "auto"],
        "travel": ["trip", "journey", "flight", "flug", "hotel", "train", "bahn", "reise", "taxi"],
        "tax_advice": ["accountant", "advis", "steuerberat", "berat"],
        "insurance": ["insur", "versicher"],
        "bank_fees": ["fee", "gebuhr", "kontofuhr"],
        "vat_prepayment": ["prepay", "vorauszahl", "mwst", "ust", "umsatzsteuer", "steuer"],
        "payroll": ["salar", "wage", "staff", "employee", "lohn", "lohne", "gehalt", "gehalter", "personal", "mitarbeit"],
        "office_supplies": ["supplies", "supply", "bedarf", "schreibwar", "material", "paper", "papier", "buro", "burobedarf"],
        "hardware": ["computer", "laptop", "rechner", "monitor", "gerat", "device"],
        "marketing": ["market", "advert", "werbung", "anzeige", "campaign", "kampagne"],
        "meals": ["meal", "food", "lunch", "dinner", "restaurant", "essen", "bewirt"],
        "postage": ["post", "porto", "versand", "shipping", "stamp", "briefmark"],
        "other_income": ["income", "einnahm", "erlos", "sonstig"],
    ]

    /// Whether any of `questions` has a word beginning with one of `stateWords`.
    static func speaksOfState(_ questions: [String]) -> Bool {
        speaks(questions, of: stateWords)
    }

    /// Whether any of `questions` has a word (`MadeUpValues.words`) beginning with one of `stems`.
    static func speaks(_ questions: [String], of stems: [String]) -> Bool {
        questions.flatMap(wordList).contains { begins($0, with: stems) }
    }

    /// Whether `word` begins with one of `stems`.
    static func begins(_ word: String, with stems: [String]) -> Bool {
        stems.contains { word.hasPrefix($0) }
    }

    /// Beginnings of words that speak of a document's or payment's state, lower case without accents
    /// (`MadeUpValues.words`): "unpaid", "bezahlt", "überfällig" → "uberfallig", "Entwürfe" → "entwurfe", "storniert".
    static let stateWords = [
        "open", "unpaid", "paid", "outstanding", "owe", "owing", "due", "overdue", "settled", "unsettled", "draft", "cancel",
        "partial", "partly", "pending", "status", "state", "matched", "unmatched", "linked", "booked", "receivable",
        "offen", "unbezahlt", "bezahlt", "gezahlt", "beglichen", "ausstehend", "fallig", "uberfallig", "schuld", "entwurf",
        "storn", "teil", "zustand", "zugeordnet", "gebucht", "mahn",
    ]

    /// Beginnings of words that speak of which way money went (`MadeUpValues.words`): "received", "spent", "paid",
    /// "Zahlungseingänge" → "zahlungseingange", "Lastschriften", "Ausgaben".
    static let directionWords = [
        "incoming", "outgoing", "inflow", "outflow", "income", "receiv", "deposit", "credit", "debit", "withdraw", "spent",
        "spend", "pay", "paid", "cost", "expens", "fee", "charge", "purchas", "bought", "refund", "revenue", "earn", "sale",
        "eingang", "eingeh", "ausgang", "ausgeh", "einnahm", "ausgab", "einzahl", "eingezahlt", "zahl", "gezahlt", "bezahlt",
        "uberweis", "gutschrift", "lastschrift", "abbuch", "abgebucht", "kosten", "erhalten", "bekommen", "erstatt",
    ]

    /// The first way `arguments` break `schema`, said so that the model can fix its call; nil when they fit.
    public static func violation(_ arguments: [String: Value], schema: Value) -> String? {
        let object = schema.objectValue ?? [:]
        let properties = object["properties"]?.objectValue ?? [:]
        for name in requiredKeys(schema) where arguments[name] == nil {
            return "\(name) is required\(describe(properties[name]))."
        }
        if object["additionalProperties"] == .bool(false) {
            for key in arguments.keys.sorted() where properties[key] == nil {
                return "\(key) is not a parameter; the parameters are \(properties.keys.sorted().joined(separator: ", "))."
            }
        }
        for key in arguments.keys.sorted() {
            guard let value = arguments[key], let property = properties[key]?.objectValue else { continue }
            if case .array(let choices)? = property["enum"], !choices.contains(value) {
                let allowed = choices.map { $0.stringValue ?? "\($0)" }.joined(separator: ", ")
                return "\(key) must be one of \(allowed); got \(show(value))."
            }
            let types = Set(typeNames(.object(property)))
            if !types.isEmpty && !types.contains(where: { matches(value, type: $0) }) {
                return "\(key) must be \(types.sorted().joined(separator: " or ")); got \(show(value))."
            }
            if let number = value.doubleValue ?? value.intValue.map(Double.init) {
                if let minimum = property["minimum"]?.doubleValue ?? property["minimum"]?.intValue.map(Double.init), number < minimum {
                    return "\(key) must be at least \(show(property["minimum"]!)); got \(show(value))."
                }
                if let maximum = property["maximum"]?.doubleValue ?? property["maximum"]?.intValue.map(Double.init), number > maximum {
                    return "\(key) must be at most \(show(property["maximum"]!)); got \(show(value))."
                }
            }
        }
        return nil
    }

    /// An `id` the model took from a document number of the question becomes that `number`, where the tool takes
    /// both: asked "What is on invoice RE-1060?", the offline model called `get_invoice` with `id: 1060` — ids are the
    /// ledger's own, and the user named the document. Matched on the number's last digits ("RE-2026-0042" for 42).
    public static func numberForID(_ arguments: [String: Value], schema: Value, question: String) -> [String: Value] {
        let properties = schema.objectValue?["properties"]?.objectValue ?? [:]
        guard properties["number"] != nil, arguments["number"] == nil, let id = arguments["id"]?.intValue else { return arguments }
        let named = Set(UnverifiedReferences.references(in: question).filter { number in
            number.split(separator: "-").last.flatMap { Int($0) } == id
        })
        guard named.count == 1, let number = named.first else { return arguments }
        var moved = arguments
        moved["id"] = nil
        moved["number"] = .string(number)
        return moved
    }

    /// The names a schema's `required` lists.
    static func requiredKeys(_ schema: Value) -> [String] {
        schema.objectValue?["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The choices (`enum`) of the schema's property `key`, as strings; nil when it has none.
    static func choices(of key: String, in schema: Value) -> [String]? {
        schema.objectValue?["properties"]?.objectValue?[key]?.objectValue?["enum"]?.arrayValue?.compactMap(\.stringValue)
    }

    /// `text` as `MadeUpValues.words`, one by one.
    static func wordList(_ text: String) -> [String] {
        MadeUpValues.words(text).split(separator: " ").map(String.init)
    }

    /// The JSON types a schema allows (`type`, a list of types, or the types of `anyOf`/`oneOf` branches).
    public static func typeNames(_ schema: Value?) -> [String] {
        guard let object = schema?.objectValue else { return [] }
        if let type = object["type"]?.stringValue { return [type] }
        if case .array(let list)? = object["type"] { return list.compactMap(\.stringValue) }
        for key in ["anyOf", "oneOf"] {
            if case .array(let options)? = object[key] { return options.flatMap { typeNames($0) } }
        }
        return []
    }

    /// `text` as the type `schema` asks for: kept as a string where strings are allowed (or nothing is said),
    /// else an integer, number, boolean, or JSON for arrays and objects (a comma list for arrays); nil when it is
    /// none of those. Shared by argument cleaning and `tools call --arg key=value`.
    public static func typed(_ text: String, schema: Value?) -> Value? {
        let types = Set(typeNames(schema))
        if types.isEmpty || types.contains("string") { return .string(text) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if types.contains("integer"), let number = Int(trimmed) { return .int(number) }
        if types.contains("number"), let number = Double(trimmed) { return .double(number) }
        if types.contains("boolean") {
            switch trimmed.lowercased() {
            case "true", "yes": return .bool(true)
            case "false", "no": return .bool(false)
            default: break
            }
        }
        if types.contains("array") || types.contains("object"), let value = try? JSONDecoder().decode(Value.self, from: Data(trimmed.utf8)) {
            return value
        }
        if types.contains("array") { return .array(trimmed.split(separator: ",").map { .string(String($0)) }) }
        return nil
    }

    static func matches(_ value: Value, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double),
            ("array", .array), ("object", .object), ("null", .null):
            return true
        default: return false
        }
    }

    static func describe(_ property: Value?) -> String {
        guard case .array(let choices)? = property?.objectValue?["enum"] else { return "" }
        return " (one of \(choices.map { $0.stringValue ?? "\($0)" }.joined(separator: ", ")))"
    }

    /// A value as messages quote it: strings in single quotes, whole numbers without ".0", lists and objects as JSON.
    public static func show(_ value: Value) -> String {
        switch value {
        case .string(let text): return "'\(text)'"
        case .int(let number): return String(number)
        case .double(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): return String(flag)
        case .null: return "null"
        default:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
        }
    }
}

/// Values in a call that the model made up, found before the call runs.
///
/// Why: asked to "create a contact named Schulz Logistik GmbH", the offline model adds `street: "Musterstr. 1"` and
/// `vat_id: "DE123456789"`; asked to "create a new customer" without a name, it names it "New Customer" or
/// "Supplier Name" — in every compare run, whatever the prompt says. Such values must not reach the books: the agent
/// leaves out made-up optional values of a write (and tells the model so in the result), and refuses a write whose
/// required value is made up, after which the model is asked to ask the user for it. In reads, it looks for guessed
/// identifiers (`guessedIdentifiers`).
public enum MadeUpValues {
    /// The keys of `arguments` whose values are made up, sorted: free-text strings (not choices from an `enum`, not
    /// dates) that appear in none of `said` (the user's messages and the tool results so far; compared without case,
    /// accents and punctuation, word for word), or that consist only of words the tool's own schema uses — "New
    /// Customer" in "Please create a new customer" was said, but it is a placeholder, not a name.
    public static func keys(in arguments: [String: Value], tool: AgentTool, said: [String]) -> [String] {
        let properties = tool.inputSchema.objectValue?["properties"]?.objectValue ?? [:]
        let texts = arguments.compactMapValues { value -> String? in
            guard case .string(let text) = value else { return nil }
            return words(text)
        }.filter { key, spoken in
            let property = properties[key]?.objectValue ?? [:]
            let format = property["format"]?.stringValue ?? ""
            return !spoken.isEmpty && property["enum"] == nil && !key.lowercased().contains("date") && !format.hasPrefix("date")
        }
        guard !texts.isEmpty else { return [] }
        let heard = heard(said)
        let ownWords = vocabulary(of: tool)
        return texts.keys.sorted().filter { key in
            let spoken = texts[key]!
            return !heard.contains(" " + spoken + " ") || spoken.split(separator: " ").allSatisfy { ownWords.contains(String($0)) }
        }
    }

    /// The keys of a read's identifier arguments (`id`, `…_id`, `number`, `…_number`) whose value appears in none of
    /// `said`, sorted. Why: asked "What is the customer number of Hotel Rheinblick?", the offline model called
    /// `get_contact` with `id: 1, customer_number: "1001"` — another customer's — and answered with that one's number;
    /// asked for "the last 5 bank transactions", it picked `account_id: 1`. An identifier comes from the user or from
    /// a result, or it is a guess.
    public static func guessedIdentifiers(in arguments: [String: Value], said: [String]) -> [String] {
        let identifiers = arguments.compactMapValues { value -> String? in
            switch value {
            case .int(let number): return String(number)
            case .string(let text): return words(text)
            default: return nil
            }
        }.filter { key, spoken in
            let name = key.lowercased()
            return !spoken.isEmpty && (name == "id" || name.hasSuffix("_id") || name == "number" || name.hasSuffix("_number"))
        }
        guard !identifiers.isEmpty else { return [] }
        let heard = heard(said)
        return identifiers.keys.sorted().filter { !heard.contains(" " + identifiers[$0]! + " ") }
    }

    /// The error a read gets when identifiers in it are guesses (`guessedIdentifiers`). With a `finder` (a read tool
    /// that searches records of the same kind), it says to search with it: told "find the right one first (for
    /// example by name with a list or search tool)", the offline model asked for "What is the customer number of Hotel
    /// Rheinblick?" listed the first ten customers, none of them Hotel Rheinblick, and answered with a made-up number.
    public static func guessRefusal(tool: String, guessed: [String: Value], finder: String? = nil) -> String {
        let refused = "\(tool) was not run: \(listed(guessed, separator: " and ")) came from no question and no result, so "
            + "\(guessed.count == 1 ? "it is a guess" : "they are guesses"). "
        guard let finder else {
            return refused + "Find the right one first (for example by name with a list or search tool), then call \(tool) with what that returns."
        }
        return refused + "Find it first: call \(finder) with search set to the name in the question, then call \(tool) with what that returns."
    }

    /// Whether `toolResult` is a `guessRefusal`.
    public static func isGuessRefusal(_ toolResult: String) -> Bool {
        toolResult.contains(" was not run: ") && toolResult.contains(" came from no question and no result, so ")
    }

    /// The `search` text of a read when none of its words (legal forms such as "GmbH" aside) is in a question or a
    /// result: a name the model made up. Why: asked "Who is our biggest customer?" and refused its guessed customer
    /// number, the offline model searched the contacts for "Muster Digital GmbH" — our own company, from the system
    /// prompt — found none and answered "There are no customers" (and the same for "Which customer has the most open
    /// invoices?"). One word heard is enough ("Becker" for "Autohaus Becker KG", "Hotel" for "hotels").
    public static func guessedSearch(in arguments: [String: Value], said: [String]) -> String? {
        guard let search = arguments["search"]?.stringValue else { return nil }
        let wanted = ArgumentRepair.wordList(search).filter { $0.count >= 3 && !legalForms.contains($0) }
        guard !wanted.isEmpty else { return nil }
        let heardWords = Set(said.flatMap(ArgumentRepair.wordList))
        let isHeard = { (word: String) in
            heardWords.contains(word) || heardWords.contains { $0.hasPrefix(word) || ($0.count >= 4 && word.hasPrefix($0)) }
        }
        return wanted.contains(where: isHeard) ? nil : search
    }

    /// Words of company names that name no one, as `words` writes them.
    static let legalForms: Set<String> = ["gmbh", "mbh", "ltd", "inc", "llc", "corp", "und", "and", "the", "der", "die", "das", "partner"]

    /// The error a read gets for a made-up `search` text (`guessedSearch`): the question names no one, so the model is
    /// pointed to the tool that compares them all (`aggregator`). Told this, the offline model called `summarize` with
    /// `group_by: contact` for "Who is our biggest customer?", "Wer ist unser größter Kunde?" and "Which customer has
    /// the most open invoices?" (replayed rounds); told to search "if the question names one, else summarize", it
    /// searched for the made-up name again.
    public static func searchRefusal(tool: String, search: String, among tools: [AgentTool]) -> String {
        let refused = "\(tool) was not run: search '\(search)' came from no question and no result, so it is a guess. "
        guard let (aggregator, group) = aggregator(for: tool, among: tools) else {
            return refused + "The question names no one: call \(tool) without search to list them."
        }
        return refused + "The question names no \(group): to find the largest or most of them, call \(aggregator) with group_by \(group)."
    }

    /// A read tool that groups by the thing `tool` is about (a `group_by` choice of that name): `summarize` with
    /// `contact` for `list_contacts`.
    static func aggregator(for tool: String, among tools: [AgentTool]) -> (tool: String, group: String)? {
        let wanted = things(tool)
        for candidate in tools.sorted(by: { $0.name < $1.name }) where candidate.readOnly && candidate.name != tool {
            let choices = ArgumentRepair.choices(of: "group_by", in: candidate.inputSchema) ?? []
            if let group = choices.sorted().first(where: wanted.contains) { return (candidate.name, group) }
        }
        return nil
    }

    /// The things a tool is about: the words of its name after the verb, singular (`list_contacts` → contact).
    static func things(_ name: String) -> Set<String> {
        Set(ChangeTalk.nameParts(name).dropFirst().map { $0.hasSuffix("s") ? String($0.dropLast()) : $0 })
    }

    /// Another read tool about the same thing as `tool` that takes a `search` text: `list_contacts` for `get_contact`
    /// (the words after the verb, singular, shared).
    public static func finder(for tool: String, among tools: [AgentTool]) -> String? {
        let wanted = things(tool)
        guard !wanted.isEmpty else { return nil }
        return tools.filter { candidate in
            candidate.readOnly && candidate.name != tool && !things(candidate.name).isDisjoint(with: wanted)
                && candidate.inputSchema.objectValue?["properties"]?.objectValue?["search"]?.objectValue?["type"] == "string"
        }.map(\.name).sorted().first
    }

    /// The error a call gets when its required `key` is made up. `askedFor(in:)` reads it back.
    public static func refusal(tool: String, key: String, value: Value) -> String {
        "\(tool) was not run: the user has not given the \(spoken(key)) (\(ArgumentRepair.show(value)) is made up). "
            + "Ask the user for the \(spoken(key)); do not make one up."
    }

    /// What the model should ask the user for, when `toolResult` is a `refusal`.
    public static func askedFor(in toolResult: String) -> String? {
        guard toolResult.contains(" was not run: the user has not given the "), let start = toolResult.range(of: "Ask the user for the "),
            let end = toolResult.range(of: "; do not make one up.", range: start.upperBound..<toolResult.endIndex)
        else { return nil }
        return String(toolResult[start.upperBound..<end.lowerBound])
    }

    /// The line added to a result when optional values were left out.
    public static func note(leftOut: [String: Value]) -> String {
        "Left out because the user did not give them: \(listed(leftOut, separator: ", "))."
    }

    /// `vat id 'DE123456789', street 'Musterstr. 1'`: the values with their keys in words, sorted by key.
    static func listed(_ values: [String: Value], separator: String) -> String {
        values.keys.sorted().map { "\(spoken($0)) \(ArgumentRepair.show(values[$0]!))" }.joined(separator: separator)
    }

    static func spoken(_ key: String) -> String { key.replacingOccurrences(of: "_", with: " ") }

    /// All of `said` as `words`, with a space at either end, so that a value's words are found whole.
    static func heard(_ said: [String]) -> String { " " + said.map(words).joined(separator: " ") + " " }

    /// `text`'s letters and digits, lower case and without accents, as words joined by single spaces.
    static func words(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split { !($0.isLetter || $0.isNumber) }.joined(separator: " ")
    }

    /// Every word of the tool's name, description, parameter names, descriptions and choices.
    static func vocabulary(of tool: AgentTool) -> Set<String> {
        var texts = [tool.name, tool.description]
        for (name, property) in tool.inputSchema.objectValue?["properties"]?.objectValue ?? [:] {
            texts.append(name)
            texts.append(property.objectValue?["description"]?.stringValue ?? "")
            texts += property.objectValue?["enum"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return Set(texts.flatMap { words($0).split(separator: " ").map(String.init) })
    }
}

/// Tool specs made short for small models: every token of the tool list is read on every request, and a 1.5B
/// model on two cores reads about 50 tokens a second. The first sentence of each description is kept; parameters
/// keep type, choices and a short hint (limits are still checked, by `ArgumentRepair` and the server).
public enum CompactToolSpecs {
    public static func compact(_ spec: ToolSpec) -> ToolSpec {
        ToolSpec(name: spec.name, description: firstSentence(spec.description), parameters: compact(schema: spec.parameters))
    }

    static func firstSentence(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        if let end = flat.range(of: ". ") { return String(flat[..<end.lowerBound]) + "." }
        return flat
    }

    static func compact(schema: Value) -> Value {
        guard case .object(var object) = schema else { return schema }
        for key in object.keys where key.hasPrefix("x-") || key == "$schema" || key == "additionalProperties" { object[key] = nil }
        if case .object(let properties)? = object["properties"] {
            object["properties"] = .object(
                properties.mapValues { property in
                    guard case .object(let field) = property else { return property }
                    // Types, choices and a short hint carry the meaning; limits and formats are checked anyway.
                    var kept: [String: Value] = [:]
                    for key in ["type", "enum", "items"] { kept[key] = field[key] }
                    if let description = field["description"]?.stringValue, description.count <= 60 { kept["description"] = .string(description) }
                    return .object(kept)
                })
        }
        return .object(object)
    }
}
