import MCP
import Testing

@testable import Render

let invoiceItemSchema: Value = [
    "type": "object",
    "required": ["id", "number", "contact_name", "invoice_date", "status", "gross_cents", "overdue"],
    "properties": [
        "id": ["type": "integer"], "number": ["type": "string"], "contact_name": ["type": "string"],
        "invoice_date": ["type": "string", "format": "date"], "status": ["type": "string"],
        "gross_cents": ["type": "integer", "format": "money-cents"], "overdue": ["type": "boolean"],
    ],
]

let pageSchema: Value = [
    "type": "object", "required": ["items", "total", "summary"],
    "properties": ["items": ["type": "array", "items": invoiceItemSchema], "total": ["type": "integer"], "summary": ["type": "string"]],
]

func invoice(_ number: String, _ contact: String, _ cents: Int, status: String = "paid") -> Value {
    ["id": 1, "number": .string(number), "contact_name": .string(contact), "invoice_date": "2026-11-20", "status": .string(status),
     "gross_cents": .int(cents), "overdue": false]
}

let page: Value = [
    "items": [invoice("RE-2026-0101", "Autohaus Becker KG", 765_039), invoice("RE-2026-0100", "Weber Maschinenbau GmbH", 255_731, status: "partially_paid"), invoice("RE-2026-0099", "東京デザイン株式会社", 99)],
    "total": 120, "summary": "Showing 1–3 of 120 invoices",
]

@Suite("Tables from structured content")
struct RenderTests {
    @Test("columns follow the schema; ids hidden; money right-aligned with € and separators; summary as footer")
    func invoiceTable() throws {
        let tables = TableRenderer.tables(from: page, schema: pageSchema)
        #expect(tables.count == 1)
        let lines = TableLayout.lines(tables[0], width: 120)
        #expect(lines[0] == "Number        Contact name             Invoice date  Status               Gross  Overdue")
        #expect(lines[2] == "RE-2026-0101  Autohaus Becker KG       2026-11-20    paid            7.650,39 €  no")
        #expect(lines[3].contains("partially paid"))
        #expect(lines[4].contains("     0,99 €"))
        #expect(lines.last == "Showing 1–3 of 120 invoices")
    }

    @Test("wide characters take two cells, so columns still line up")
    func wideCharacters() throws {
        let lines = TableLayout.lines(TableRenderer.tables(from: page, schema: pageSchema)[0], width: 120)
        let grossColumnEnd = DisplayWidth.of(String(lines[2].prefix(upTo: lines[2].range(of: "€")!.upperBound)))
        let wideRowEnd = DisplayWidth.of(String(lines[4].prefix(upTo: lines[4].range(of: "€")!.upperBound)))
        #expect(grossColumnEnd == wideRowEnd)
        #expect(DisplayWidth.of("東京") == 4)
        #expect(DisplayWidth.of("Grüße") == 5)
        #expect(DisplayWidth.of("e\u{301}") == 1)  // e + combining acute
    }

    @Test("too wide: text columns give way with …, numbers and dates stay whole")
    func fitting() throws {
        let lines = TableLayout.lines(TableRenderer.tables(from: page, schema: pageSchema)[0], width: 70)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 70 }, "\(lines)")
        #expect(lines[2].contains("2026-11-20") && lines[2].contains("7.650,39 €"))
        #expect(lines.joined().contains("…"))
    }

    @Test("very narrow: trailing columns are dropped, and the table says so")
    func dropping() throws {
        let lines = TableLayout.lines(TableRenderer.tables(from: page, schema: pageSchema)[0], width: 30)
        #expect(lines.filter { $0.hasPrefix("(") }.first?.contains("more columns need a wider screen") == true)
        #expect(lines.dropLast(2).allSatisfy { DisplayWidth.of($0) <= 30 }, "\(lines)")
    }

    @Test("a single record becomes a field/value table; its lists follow")
    func record() throws {
        let result: Value = [
            "invoice": invoice("RE-2025-0001", "Praxis Dr. Wagner", 9_496),
            "lines": [["position": 1, "description": "Hosting Business-Paket", "quantity": 2, "unit_price_cents": 3_990]],
            "payments": [],
        ]
        let tables = TableRenderer.tables(from: result, schema: nil)
        #expect(tables.map(\.title) == ["Invoice", "Lines"])
        #expect(tables[0].rows.contains(["Gross", "94,96 €"]))
        // Without a schema the fields come alphabetically.
        #expect(tables[1].rows == [["Hosting Business-Paket", "1", "2", "39,90 €"]])
    }

    @Test("an empty list shows no table, not a field/value table of its paging fields")
    func emptyList() {
        let empty: Value = ["items": [], "total": 0, "offset": 0, "limit": 25, "has_more": false, "summary": "No invoices match these filters."]
        #expect(TableRenderer.tables(from: empty, schema: pageSchema).isEmpty)
        #expect(TableRenderer.tables(from: empty, schema: nil).isEmpty)
        // The schema tells where records go when the list is not called items.
        let transactionsSchema: Value = [
            "type": "object", "properties": ["transactions": ["type": "array", "items": ["type": "object"]], "total": ["type": "integer"]],
        ]
        #expect(TableRenderer.tables(from: ["transactions": [], "total": 0], schema: transactionsSchema).isEmpty)
        // An empty list of plain values beside a record's fields is no list of records: the fields still show.
        let tagged = TableRenderer.tables(from: ["name": "Muster Digital GmbH", "tags": []], schema: nil)
        #expect(tagged.count == 1 && tagged[0].rows == [["Name", "Muster Digital GmbH"]], "\(tagged)")
    }

    @Test("flat results (company info) are one field/value table")
    func flat() {
        let tables = TableRenderer.tables(from: ["name": "Muster Digital GmbH", "city": "Köln"], schema: nil)
        #expect(tables.count == 1 && tables[0].rows == [["City", "Köln"], ["Name", "Muster Digital GmbH"]])
    }

    @Test func helpers() {
        #expect(TableRenderer.format(.int(-123_456_789), as: .money) == "-1.234.567,89 €")
        #expect(TableRenderer.humanize("outstanding_cents") == "Outstanding")
        #expect(DisplayWidth.truncate("Weber Maschinenbau GmbH", to: 10) == "Weber Mas…")
        #expect(DisplayWidth.truncate("東京デザイン", to: 5) == "東京…")
    }
}
