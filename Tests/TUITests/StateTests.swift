import Agent
import Foundation
import MCP
import Render
import TestSupport
import Testing

@testable import TUI

@Suite("Keys, editing and the screen, without a terminal")
struct StateTests {
    @Test("the decoder reads UTF-8, arrows in xterm and SS3 spellings, Alt-Enter, wheel, and bracketed paste")
    func decoding() {
        var decoder = KeyDecoder()
        #expect(decoder.feed(Array("aü東".utf8)) == [.character("a"), .character("ü"), .character("東")])
        #expect(decoder.feed([0x1B, 0x5B, 0x41, 0x1B, 0x4F, 0x42, 0x1B, 0x5B, 0x35, 0x7E]) == [.up, .down, .pageUp])
        #expect(decoder.feed([0x1B, 0x0D, 0x0D, 0x03, 0x04, 0x17]) == [.newline, .enter, .control("c"), .control("d"), .deleteWordBack])
        #expect(decoder.feed(Array("\u{1B}[<64;10;5M\u{1B}[<65;10;5M".utf8)) == [.wheelUp, .wheelDown])
        #expect(decoder.feed(Array("\u{1B}[1;5D\u{1B}[3~\u{1B}[H\u{1B}[4~\u{1B}[Z".utf8)) == [.wordLeft, .delete, .home, .end, .shiftTab])
        // A multi-byte character split across reads.
        let euro = Array("€".utf8)
        #expect(decoder.feed([euro[0]]).isEmpty)
        #expect(decoder.feed(Array(euro[1...])) == [.character("€")])
        // Paste, split in the middle of its end marker: one paste, newlines kept, nothing sent.
        #expect(decoder.feed(Array("\u{1B}[200~line one\r\nline two\u{1B}[20".utf8)).isEmpty)
        #expect(decoder.feed(Array("1~x".utf8)) == [.paste("line one\nline two"), .character("x")])
        // A lone ESC waits for the quiet period.
        #expect(decoder.feed([0x1B]).isEmpty)
        #expect(decoder.hasPending)
        #expect(decoder.flush() == [.escape])
    }

    @Test("editing works on characters: umlauts, CJK and emoji are one step; words; lines")
    func editing() {
        var editor = LineEditor("Grüße 東京 👍🏽")
        editor.backspace()
        #expect(editor.text == "Grüße 東京 ")
        editor.deleteWordBack()
        #expect(editor.text == "Grüße ")
        editor.home()
        editor.right()
        editor.right()
        editor.insert("x")
        #expect(editor.text == "Grxüße ")
        editor.end()
        editor.insert("\nzweite")
        let movedUp = editor.lineUp()
        let movedAgain = editor.lineUp()
        #expect(movedUp && !movedAgain)
        let layout = LineEditor("東京東京").layout(width: 8, prompt: "› ")
        #expect(layout.lines == ["› 東京", "  東京"])
        #expect(layout.cursorRow == 1 && layout.cursorColumn == 6)
    }

    @Test("history: ↑/↓ walk earlier inputs, the draft comes back, entries survive a restart")
    func history() throws {
        let path = scratchPath("history")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var state = ChatState(history: InputHistory(path: path))
        for question in ["first", "zweite\nZeile"] {
            for character in question { _ = state.handle(character == "\n" ? .newline : .character(character)) }
            _ = state.handle(.enter)
        }
        _ = state.handle(.character("d"))
        _ = state.handle(.up)
        #expect(state.editor.text == "zweite\nZeile")
        _ = state.handle(.up)  // inside a multi-line entry ↑ first moves up a line
        _ = state.handle(.up)
        #expect(state.editor.text == "first")
        _ = state.handle(.down)
        _ = state.handle(.down)
        _ = state.handle(.down)
        #expect(state.editor.text == "d")
        let reloaded = InputHistory(path: path)
        #expect(reloaded.entries == ["first", "zweite\nZeile"])
    }

    @Test("Enter sends, a slash runs a command, Tab completes it; Esc cancels a running turn; approval takes y or n")
    func effects() {
        var state = ChatState()
        for character in "hello" { _ = state.handle(.character(character)) }
        #expect(state.handle(.enter) == [.send("hello")])
        #expect(state.editor.isEmpty)
        for character in "/ex" { _ = state.handle(.character(character)) }
        _ = state.handle(.tab)
        #expect(state.editor.text == "/export ")
        for character in "csv out.csv" { _ = state.handle(.character(character)) }
        #expect(state.handle(.enter) == [.command(.export(format: .csv, path: "out.csv"))])
        state.turnRunning = true
        #expect(state.handle(.control("c")) == [.cancelTurn])
        #expect(state.handle(.escape) == [.cancelTurn])
        state.approval = ApprovalRequest(id: 7, toolName: "create_contact", server: "demo", destructive: false, arguments: [:])
        #expect(state.handle(.character("x")).isEmpty)
        #expect(state.flash != nil)
        #expect(state.handle(.character("n")) == [.answerApproval(id: 7, approved: false)])
        #expect(state.approval == nil)
        state.turnRunning = false
        #expect(state.handle(.control("d")) == [.quit])
        for character in "/nonsense" { _ = state.handle(.character(character)) }
        #expect(state.handle(.enter).isEmpty)
        if case .notice(let text, _) = state.entries.last?.kind { #expect(text.contains("Unknown command /nonsense")) } else { Issue.record("no notice") }
    }

    @Test("slash commands parse with their arguments and say what to type when wrong")
    func slashCommands() throws {
        #expect(try SlashCommand.parse("/call list_contacts limit=3").get() == .call(tool: "list_contacts", arguments: ["limit=3"]))
        #expect(try SlashCommand.parse("/model big").get() == .model("big"))
        #expect(throws: SlashCommandError.self) { try SlashCommand.parse("/export pdf x").get() }
        #expect(throws: SlashCommandError.self) { try SlashCommand.parse("/call list_contacts three").get() }
        #expect(SlashCommand.completions(for: "/t") == ["tools", "toolset", "trace"])
        #expect(SlashCommand.complete("/to") == "/tools")
        #expect(SlashCommand.complete("/he") == "/help ")
    }

    /// A transcript with a finished tool call whose result is an invoice table.
    func stateWithTable(rows: Int) -> ChatState {
        var state = ChatState()
        state.status.model = "scripted"
        state.append(.user("show me the invoices"))
        state.startTool(id: "c1", name: "list_invoices", arguments: #"{"limit":5}"#)
        let items: [Value] = (0..<rows).map { index in
            ["number": .string("RE-2026-\(String(format: "%04d", rows - index))"), "contact_name": "Café Zimt & Zucker \u{1B}[31m",
             "invoice_date": "2026-11-25", "gross_cents": .int(100_000 + index)]
        }
        let call = ExecutedToolCall(
            id: "c1", name: "list_invoices", rawArguments: #"{"limit":5}"#, arguments: ["limit": 5],
            outcome: ToolOutcome(text: "…", structured: ["items": .array(items), "summary": .string("Showing 1–\(rows) of \(rows) invoices")]),
            modelText: "", duration: .milliseconds(12), round: 1, approval: .notNeeded)
        state.finishTool(call, outputSchema: nil)
        state.appendAnswerText("Here **they** are.")
        state.finishAnswer(finalText: nil)
        return state
    }

    @Test("the screen: status bar, collapsed tool call, table with money, answer, rule, input, hints")
    func screen() {
        var state = stateWithTable(rows: 3)
        let buffer = ScreenRenderer().render(&state, rows: 24, columns: 80)
        let lines = (0..<24).map { buffer.text(row: $0) }
        #expect(lines[0].hasPrefix(" ledgerchat │ model scripted"))
        #expect(lines.contains("▸ list_invoices limit=5 · 12 ms · ✓"))
        #expect(lines.contains { $0.contains("RE-2026-0003") && $0.contains("1.000,00 €") && $0.contains("Café Zimt & Zucker") })
        #expect(!lines.joined().contains("\u{1B}"), "escape sequences from tools are removed")
        #expect(lines.contains("Here they are."))
        #expect(lines[21].hasPrefix("────"))
        #expect(lines[22] == "›")
        #expect(lines[23].hasPrefix("Enter send"))
        #expect(buffer.cursor?.row == 22 && buffer.cursor?.column == 2)
    }

    @Test("Tab selects the tool call, Enter expands it with labelled arguments, v shows raw JSON")
    func toolBlocks() {
        var state = stateWithTable(rows: 3)
        let renderer = ScreenRenderer()
        _ = state.handle(.tab)
        #expect(state.selection == 1)
        _ = state.handle(.enter)
        var text = renderer.render(&state, rows: 30, columns: 80).text
        #expect(text.contains("▾ list_invoices"))
        #expect(text.contains("    limit: 5"))
        _ = state.handle(.character("v"))
        text = renderer.render(&state, rows: 40, columns: 80).text
        #expect(text.contains("\"gross_cents\" : 100000"))
        _ = state.handle(.escape)
        #expect(state.selection == nil)
        _ = state.handle(.character("a"))
        #expect(state.editor.text == "a")
    }

    @Test("long tables page 20 rows at a time; wide ones scroll sideways")
    func paging() {
        var state = stateWithTable(rows: 45)
        let renderer = ScreenRenderer()
        var text = renderer.render(&state, rows: 40, columns: 80).text
        #expect(text.contains("rows 1–20 of 45"))
        #expect(text.contains("RE-2026-0045") && !text.contains("RE-2026-0025"))
        _ = state.handle(.tab)
        _ = state.handle(.character("]"))
        _ = state.handle(.character("]"))
        _ = state.handle(.character("]"))
        text = renderer.render(&state, rows: 40, columns: 80).text
        #expect(text.contains("rows 41–45 of 45"))
        var narrow = stateWithTable(rows: 3)
        _ = narrow.handle(.tab)
        _ = narrow.handle(.right)
        let scrolled = renderer.render(&narrow, rows: 24, columns: 40).text
        #expect(scrolled.contains("1.000,00 €"), "scrolled right, the money column comes into view: \(scrolled)")
    }

    @Test("the approval card says what will happen, lists the arguments, and is red for destructive tools")
    func approvalCard() {
        var state = ChatState()
        state.approval = ApprovalRequest(
            id: 1, toolName: "delete_invoice", server: "demo", destructive: true, arguments: ["number": "RE-2026-0001"])
        let buffer = ScreenRenderer().render(&state, rows: 24, columns: 80)
        let text = buffer.text
        #expect(text.contains("Destructive change: approve?"))
        #expect(text.contains("The assistant wants to delete an invoice \"RE-2026-0001\". This removes or"))
        #expect(text.contains("cannot be undone."))
        #expect(text.contains("Number: RE-2026-0001"))
        #expect(text.contains("[y]es  /  [n]o"))
        #expect(buffer.cells.contains { $0.tone == .danger })
        #expect(buffer.cursor == nil)
    }

    @Test("PgUp scrolls back through a long transcript and says how much is below")
    func scrolling() {
        var state = ChatState()
        for index in 0..<100 { state.append(.user("question \(index)")) }
        let renderer = ScreenRenderer()
        var text = renderer.render(&state, rows: 24, columns: 80).text
        #expect(text.contains("question 99") && !text.contains("question 80"))
        _ = state.handle(.pageUp)
        text = renderer.render(&state, rows: 24, columns: 80).text
        #expect(!text.contains("question 99") && text.contains("more lines below"))
        for _ in 0..<100 { _ = state.handle(.pageUp) }
        text = renderer.render(&state, rows: 24, columns: 80).text
        #expect(text.contains("question 0"), "scrolling stops at the top")
    }

    @Test("too small a window says so instead of drawing garbage")
    func tooSmall() {
        var state = ChatState()
        #expect(ScreenRenderer().render(&state, rows: 5, columns: 30).text.contains("Window too small"))
    }
}
