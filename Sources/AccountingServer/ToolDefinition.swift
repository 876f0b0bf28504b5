import Ledger
import MCP

/// What a tool hands back: compact text for a model or a person, and the same data as structured content.
struct ToolOutput {
    var text: String
    var structured: Value?
}

/// What a running tool may use.
struct ToolContext {
    var store: LedgerStore
    var today: LedgerDate
}

/// One tool: its MCP description and the code that answers it.
struct ToolDefinition: Sendable {
    let tool: Tool
    /// The argument names the input schema declares; anything else is refused with a list of these.
    let argumentNames: Set<String>
    let run: @Sendable (ToolArguments, ToolContext) throws -> ToolOutput

    var writes: Bool { tool.annotations.readOnlyHint != true }

    init(
        name: String, title: String, description: String, input: Value, output: Value?, writes: Bool = false,
        run: @escaping @Sendable (ToolArguments, ToolContext) throws -> ToolOutput
    ) {
        let annotations = Tool.Annotations(
            title: title, readOnlyHint: !writes, destructiveHint: false, idempotentHint: !writes, openWorldHint: false)
        self.tool = Tool(
            name: name, title: title, description: description, inputSchema: input, annotations: annotations,
            outputSchema: output)
        if case .object(let schema) = input, case .object(let properties)? = schema["properties"] {
            self.argumentNames = Set(properties.keys)
        } else {
            self.argumentNames = []
        }
        self.run = run
    }
}

/// Which set of tools the server offers.
public enum Toolset: String, Sendable, CaseIterable {
    /// Every accounting tool with typed filters and structured results.
    case full
    /// Exactly the six text-only tools of the original proof of concept, kept as a comparison baseline.
    case poc

    var definitions: [ToolDefinition] {
        switch self {
        case .full: return FullToolset.definitions
        case .poc: return ProofOfConceptToolset.definitions
        }
    }
}

/// Text helpers shared by the toolsets.
enum Text {
    static func money(_ cents: Int) -> String { Money.format(cents: cents) }

    /// A choice as words: `partially_paid` → "partially paid".
    static func spoken(_ choice: String) -> String { choice.replacingOccurrences(of: "_", with: " ") }

    /// The list's noun with the filters the model chose, as words: "invoices" with status open → "open invoices".
    /// Named in the summary line, which is also the table's footer: the user sees which items a model chose, and a
    /// small model reads "All 16 open invoices" as the answer to "how many open invoices".
    static func noun(_ plural: String, filters: String?...) -> String {
        (filters.compactMap { $0.map(spoken) } + [plural]).joined(separator: " ")
    }


    /// "Showing 1–5 of 118 invoices", "All 16 invoices" when nothing is left out, or why nothing is shown.
    ///
    /// Why "All 16": asked "How many open invoices do we have?", the offline model read "Showing 1–16 of 16 invoices"
    /// and answered 15 (counting the rows, not reading the total).
    static func pageSummary<Item>(_ page: Page<Item>, noun: String) -> String {
        if page.total == 0 { return "No \(noun) match these filters." }
        if page.items.isEmpty {
            return "No \(noun) on this page: offset \(page.offset) is past the last of \(page.total) \(noun)."
        }
        if page.offset == 0 && page.items.count == page.total {
            // The nouns are regular plurals ("invoices", "check accounts").
            return page.total == 1 ? "1 \(noun.dropLast())" : "All \(page.total) \(noun)"
        }
        return "Showing \(page.offset + 1)–\(page.offset + page.items.count) of \(page.total) \(noun)"
    }

    /// The summary line, the bullet lines, and how to get the rest.
    static func list<Item>(_ page: Page<Item>, noun: String, heading: String? = nil, line: (Item) -> String) -> String {
        var text = pageSummary(page, noun: noun)
        if let heading, page.total > 0 { text += " (\(heading))" }
        text += page.total > 0 ? ":" : ""
        for item in page.items { text += "\n• " + line(item) }
        if page.hasMore {
            text += "\nMore: call again with offset \(page.offset + page.items.count) to see the next \(noun)."
        }
        return text
    }
}

/// A list's due-date filter (`due_date_from`/`due_date_to`) and what it means for the list's order and summary, the
/// same for invoices and vouchers.
struct DueRange {
    let from: LedgerDate?
    let to: LedgerDate?

    init(_ from: LedgerDate?, _ to: LedgerDate?) { (self.from, self.to) = (from, to) }

    var isSet: Bool { from != nil || to != nil }

    /// The sort and order asked for, else — asked what falls due — the soonest due first, else the newest first.
    func ordering<Sort>(_ sort: Sort?, _ order: SortOrder?, byDue: Sort, otherwise: Sort) -> (Sort, SortOrder) {
        (sort ?? (isSet ? byDue : otherwise), order ?? (isSet && sort == nil ? .asc : .desc))
    }

    /// The status named in the summary: the one asked for, else "unpaid" where the range lists unpaid ones only.
    func status(_ asked: String?) -> String? { asked ?? (isSet ? "unpaid" : nil) }

    /// The filter as words after the noun: " due 2026-11-30 to 2026-12-06", " due on or after 2026-12-01",
    /// " due by 2026-12-06", or nothing without one.
    var words: String {
        switch (from, to) {
        case (let from?, let to?): from == to ? " due \(from.iso)" : " due \(from.iso) to \(to.iso)"
        case (let from?, nil): " due on or after \(from.iso)"
        case (nil, let to?): " due by \(to.iso)"
        case (nil, nil): ""
        }
    }
}
