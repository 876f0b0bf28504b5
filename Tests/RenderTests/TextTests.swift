import Testing

@testable import Render

@Suite("Styled text: wrapping, sanitising, Markdown, slicing, CSV")
struct TextTests {
    @Test("wrapping breaks at spaces and never splits a wide character; every line fits")
    func wrapWide() {
        let lines = TextWrap.wrap("Rechnung für 東京デザイン株式会社 über 1.234,56 € 👍", width: 12)
        #expect(lines.allSatisfy { $0.width <= 12 }, "\(lines.map(\.text))")
        #expect(lines.map(\.text).joined(separator: " ").replacingOccurrences(of: " ", with: "")
            == "Rechnungfür東京デザイン株式会社über1.234,56€👍")
        #expect(lines[0].text == "Rechnung für")
        // An odd width: a two-cell character that would stick out moves to the next line instead.
        let odd = TextWrap.wrap("東京東京東", width: 5)
        #expect(odd.map(\.text) == ["東京", "東京", "東"])
        #expect(DisplayWidth.of("👍") == 2)
    }

    @Test("wrapping keeps tones and explicit newlines")
    func wrapTones() {
        let lines = TextWrap.wrap([StyledSpan("bold words ", .strong), StyledSpan("plain\nnext", .normal)], width: 40)
        #expect(lines.count == 2)
        #expect(lines[0].spans == [StyledSpan("bold words ", .strong), StyledSpan("plain", .normal)])
        #expect(lines[1].text == "next")
    }

    @Test("escape sequences, control characters and bidi overrides are removed before drawing")
    func sanitising() {
        #expect(Sanitizer.clean("red \u{1B}[31mtext\u{1B}[0m") == "red text")
        #expect(Sanitizer.clean("title\u{1B}]0;owned\u{07}ok") == "titleok")
        #expect(Sanitizer.clean("clip\u{1B}]52;c;ZXZpbA==\u{1B}\\board") == "clipboard")
        #expect(Sanitizer.clean("a\u{9B}2Jb") == "ab")  // C1 CSI: clear screen
        #expect(Sanitizer.clean("line\rover") == "line\nover")
        #expect(Sanitizer.clean("tab\there") == "tab    here")
        #expect(Sanitizer.clean("bell\u{07}\u{08}\u{7F}") == "bell")
        #expect(Sanitizer.clean("evil\u{202E}txt.exe") == "eviltxt.exe")
        #expect(Sanitizer.clean("keep\nlines") == "keep\nlines")
        #expect(Sanitizer.clean("one\ntwo", keepNewlines: false) == "one two")
        #expect(Sanitizer.clean("Grüße 東京 👍🏽") == "Grüße 東京 👍🏽")
        #expect(Sanitizer.clean("cut \u{1B}[") == "cut ")
    }

    @Test("money keeps its format through tables: right-aligned, € sign, German separators, negative amounts")
    func money() {
        let table = Table(columns: [.init("Item"), .init("Gross", alignment: .right)], rows: [["a", "1.234,56 €"], ["credit", "-0,99 €"]])
        let lines = TableLayout.lines(table, width: 40)
        #expect(lines[2] == "a       1.234,56 €")
        #expect(lines[3] == "credit     -0,99 €")
        #expect(TableRenderer.format(.int(-123_456_789), as: .money) == "-1.234.567,89 €")
        #expect(TableRenderer.format(.int(5), as: .money) == "0,05 €")
    }

    @Test("truncation ends in … and respects wide characters")
    func truncation() {
        #expect(DisplayWidth.truncate("Weber Maschinenbau GmbH", to: 10) == "Weber Mas…")
        #expect(DisplayWidth.truncate("東京デザイン", to: 6) == "東京…")
        #expect(DisplayWidth.of(DisplayWidth.truncate("東京デザイン", to: 6)) == 5)
        #expect(DisplayWidth.truncate("short", to: 10) == "short")
        #expect(DisplayWidth.truncate("abc", to: 1) == "…")
    }

    @Test("horizontal slices keep columns in place; a cut wide character becomes a space")
    func slicing() {
        #expect(DisplayWidth.slice("abcdef", from: 2, width: 3) == "cde")
        #expect(DisplayWidth.slice("東京abc", from: 1, width: 3) == " 京")
        #expect(DisplayWidth.slice("ab東京", from: 0, width: 3) == "ab ")
    }

    @Test("when too narrow, text columns leave before money, and the first column stays")
    func dropOrder() {
        let table = Table(
            columns: [.init("Number"), .init("Contact", shrinkable: true), .init("Date"), .init("Gross", alignment: .right)],
            rows: [["RE-2026-0001", "Autohaus Becker KG", "2026-11-25", "7.650,39 €"]])
        let lines = TableLayout.lines(table, width: 32)
        #expect(lines[2] == "RE-2026-0001  7.650,39 €")
        #expect(lines.last == "(2 more columns need a wider screen: Contact, Date)")
    }

    @Test("light Markdown: headings, bold, code, lists, links as text, pipe tables laid out")
    func markdown() {
        let text = """
            # Overdue
            **3 invoices** are overdue, see `list_invoices`:
            - RE-1 from [Becker](https://example.com)
            1. first

            | Number | Gross |
            |---|---:|
            | RE-2026-0001 | 1,00 € |
            """
        let lines = Markdown.lines(text, width: 60)
        #expect(lines[0] == StyledLine("Overdue", .heading))
        #expect(lines[1].spans[0] == StyledSpan("3 invoices", .strong))
        #expect(lines[1].spans.contains(StyledSpan("list_invoices", .code)))
        #expect(lines[2].text == "• RE-1 from Becker (https://example.com)")
        #expect(lines[3].text == "1. first")
        #expect(lines[5].text == "Number         Gross")
        #expect(lines[7].text == "RE-2026-0001  1,00 €")
        #expect(!lines.contains { $0.text.contains("|") || $0.text.contains("**") })
    }

    @Test("CSV export quotes fields with commas and quotes; CRLF line ends")
    func csv() {
        let table = Table(columns: [.init("Name"), .init("Gross")], rows: [["Becker \"KG\"", "7.650,39 €"], ["Plain", "1"]])
        #expect(table.csv() == "Name,Gross\r\n\"Becker \"\"KG\"\"\",\"7.650,39 €\"\r\nPlain,1\r\n")
    }
}
