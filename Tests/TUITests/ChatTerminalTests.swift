import Foundation
import Ledger
import TestSupport
import Testing

/// The chat as a user meets it: the real binary in tmux, a scripted LLM on loopback (deterministic answers),
/// the built-in demo ledger in a temporary file.
final class ChatFixture {
    let llm: ScriptedLLM
    let directory: String
    let session: TmuxSession
    var ledgerPath: String { directory + "/ledger.sqlite" }

    init(steps: [Step], width: Int = 100, height: Int = 30, environment: [String: String] = [:]) async throws {
        llm = try ScriptedLLM()
        try await llm.script(steps)
        directory = try scratchDirectory("tui")
        let config = """
            default_model = "scripted"
            [models.scripted]
            provider = "openai"
            base_url = "\(llm.url("/v1"))"
            model = "scripted"
            api_key = "test-key"
            [ledger]
            anchor_date = "2026-11-25"
            """
        try config.write(toFile: directory + "/config.toml", atomically: true, encoding: .utf8)
        session = try await TmuxSession(
            arguments: [
                "chat", "--config", directory + "/config.toml", "--ledger", directory + "/ledger.sqlite", "--history",
                directory + "/history", "--today", "2026-11-25",
            ], width: width, height: height, directory: directory,
            environment: ["XDG_STATE_HOME": directory + "/state"].merging(environment) { $1 })
        try await session.waitFor(text: "Welcome to ledgerchat", timeout: 60)
        guard environment["LC_ALL"] != "C" else { return }
        try await session.waitFor("the model to be ready") { $0.first?.contains("model scripted") == true }
    }

    func ask(_ question: String) async throws {
        try await session.type(question)
        try await session.press("Enter")
    }

    /// Rows of the table under the last header line containing `header` (up to its first blank or footer line).
    static func tableRows(_ screen: [String], header: String) -> [String] {
        guard let headerIndex = screen.lastIndex(where: { $0.contains(header) }) else { return [] }
        var rows: [String] = []
        for line in screen[(headerIndex + 2)...] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("Showing") || trimmed.hasPrefix("rows ") { break }
            rows.append(trimmed)
        }
        return rows
    }
}

/// A tool-calling step, then a streamed text step.
func toolCall(_ name: String, _ arguments: String) -> Step { .openAIToolCalls([(id: "call_1", name: name, arguments: arguments)]) }

@Suite("Chat TUI end to end (tmux, scripted LLM)", .serialized)
struct ChatTerminalTests {
    @Test("\"show me the last 5 invoices\": the answer streams in and the invoices are a 5-row table")
    func lastFiveInvoices() async throws {
        // The answer arrives in two parts, the second only once the test has seen the first on screen: a fixed delay
        // (5 s) was once not enough on a machine loaded by the offline model's tests running alongside.
        let answer = Step.sse(
            [
                #"data: {"choices":[{"index":0,"delta":{"content":"These are the five newest invoices,"},"finish_reason":null}]}"# + "\n\n",
                #"data: {"choices":[{"index":0,"delta":{"content":" the newest first."},"finish_reason":null}]}"# + "\n\n"
                    + #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":300,"completion_tokens":20}}"#
                    + "\n\n" + "data: [DONE]\n\n",
            ], holdAfter: 0)
        let chat = try await ChatFixture(steps: [toolCall("list_invoices", #"{"limit":5}"#), answer])
        try await chat.ask("show me the last 5 invoices")
        let partial = try await chat.session.waitFor(text: "These are the five newest invoices,")
        #expect(!partial.joined().contains("the newest first."), "the answer was not streamed")
        try await chat.llm.release()
        let screen = try await chat.session.waitFor(text: "the newest first.")
        let rows = ChatFixture.tableRows(screen, header: "Invoice date")
        #expect(rows.count == 5, "\(screen.joined(separator: "\n"))")
        let numbers = rows.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(numbers == ["RE-1119", "RE-1118", "RE-1117", "RE-1116", "RE-1115"])
        #expect(rows.allSatisfy { $0.contains(" €") }, "money is shown in euros")
        #expect(screen.contains { $0.contains("list_invoices") && $0.contains("limit=5") && $0.contains("✓") })
        try await chat.session.waitFor("the token count of both rounds") { $0.first?.contains("tokens 400 in · 30 out") == true }
    }

    @Test("an answer naming an invoice number no tool returned gets a note under it")
    func inventedNumberNote() async throws {
        let chat = try await ChatFixture(steps: [
            toolCall("list_invoices", #"{"limit":2}"#), .openAIText("The newest are RE-1119 and RE-12633."),
        ])
        try await chat.ask("show me the last 2 invoices")
        let screen = try await chat.session.waitFor(text: "no tool returned RE-12633")
        let text = screen.joined(separator: "\n")
        #expect(text.contains("Note: no tool returned RE-12633: the model probably made it up."), "\(text)")
        #expect(!text.contains("no tool returned RE-1119"))
    }

    @Test("create_contact shows the approval card; n refuses it and the ledger is unchanged")
    func approvalRefused() async throws {
        let chat = try await ChatFixture(steps: [
            toolCall("create_contact", #"{"name":"Schäfer Bau GmbH","email":"info@schaefer.example"}"#),
            .openAIText("Okay, I did not create the contact."),
        ])
        let before = try LedgerStore(path: chat.ledgerPath).listContacts(ContactQuery()).total
        try await chat.ask("create a contact named Schäfer Bau GmbH")
        let card = try await chat.session.waitFor(text: "[y]es")
        let text = card.joined(separator: "\n")
        #expect(text.contains("Approve this change?"))
        #expect(text.contains("wants to create a contact \"Schäfer Bau GmbH\""))
        #expect(text.contains("Name:") && text.contains("Email:") && text.contains("info@schaefer.example"))
        try await chat.session.type("n")
        let after = try await chat.session.waitFor(text: "Okay, I did not create the contact.")
        #expect(after.contains { $0.contains("create_contact") && $0.contains("refused") })
        #expect(!after.joined().contains("[y]es"), "the card is gone")
        let store = try LedgerStore(path: chat.ledgerPath)
        #expect(try store.contacts(named: "Schäfer Bau GmbH").isEmpty)
        #expect(try store.listContacts(ContactQuery()).total == before)
    }

    @Test("a change refused, then reported as made: a note says nothing was changed")
    func claimedChangeNote() async throws {
        let chat = try await ChatFixture(steps: [
            toolCall("create_contact", #"{"name":"Schäfer Bau GmbH"}"#), .openAIText("I have added Schäfer Bau GmbH."),
        ])
        try await chat.ask("create a contact named Schäfer Bau GmbH")
        _ = try await chat.session.waitFor(text: "[y]es")
        try await chat.session.type("n")
        let screen = try await chat.session.waitFor(text: "Note: the answer says")
        let text = screen.joined(separator: " ")
        #expect(text.contains("Note: the answer says \"I have added Schäfer Bau GmbH.\", but no tool that changes data"), "\(text)")
        #expect(try LedgerStore(path: chat.ledgerPath).contacts(named: "Schäfer Bau GmbH").isEmpty)
    }

    @Test("resizing to 60×20 keeps the layout: status bar, transcript, input and hints, nothing wider than the window")
    func resize() async throws {
        let chat = try await ChatFixture(steps: [toolCall("list_invoices", #"{"limit":5}"#), .openAIText("Here they are.")])
        try await chat.ask("show me the last 5 invoices")
        try await chat.session.waitFor(text: "Here they are.")
        try await chat.session.resize(width: 60, height: 20)
        let screen = try await chat.session.waitFor("the 60×20 layout") { lines in
            lines.count >= 20 && lines.prefix(20).allSatisfy { $0.count <= 60 } && lines[19].hasPrefix("Enter send")
        }
        #expect(screen[0].hasPrefix(" ledgerchat │ model scripted"))
        #expect(screen[17].hasPrefix("──────"))
        #expect(screen[18].hasPrefix("›"))
        #expect(screen.contains { $0.contains("Here they are.") })
        // The table was fitted to the narrower screen: its rows still fit, money still whole.
        #expect(screen.contains { $0.contains("RE-1115") && $0.contains("1.689,80 €") }, "\(screen.joined(separator: "\n"))")
        #expect(screen.prefix(20).allSatisfy { $0.count <= 60 })
        // Still usable after the resize.
        try await chat.session.type("/help")
        try await chat.session.press("Enter")
        try await chat.session.waitFor(text: "/quit — leave ledgerchat")
    }

    @Test("/export csv writes the last table")
    func exportCSV() async throws {
        let chat = try await ChatFixture(steps: [toolCall("list_invoices", #"{"limit":5}"#), .openAIText("Done.")])
        try await chat.ask("show me the last 5 invoices")
        try await chat.session.waitFor(text: "Done.")
        let file = chat.directory + "/invoices.csv"
        try await chat.ask("/export csv \(file)")
        try await chat.session.waitFor(text: "Wrote the last table (5 rows, CSV)")
        let csv = try String(contentsOfFile: file, encoding: .utf8)
        let lines = csv.split(separator: "\r\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("Number,Contact name,Invoice date"))
        #expect(lines[1].hasPrefix("RE-1119,Autohaus Becker KG,2026-11-25"))
        #expect(lines[1].contains("\"7.650,39 €\""), "a field with a comma is quoted")
    }

    @Test("Ctrl-C during a slow stream cancels the turn and the chat stays usable")
    func cancelSlowStream() async throws {
        let slow = Step.sse(
            (1...20).map { #"data: {"choices":[{"index":0,"delta":{"content":"word\#($0) "},"finish_reason":null}]}"# + "\n\n" }
                + ["data: [DONE]\n\n"], delayMilliseconds: 700)
        let chat = try await ChatFixture(steps: [slow, .openAIText("Hello again, ready.")])
        try await chat.ask("tell me a long story")
        try await chat.session.waitFor(text: "word2")
        try await chat.session.press("C-c")
        let cancelled = try await chat.session.waitFor(text: "Cancelled.")
        #expect(!cancelled.joined().contains("word20"))
        #expect(try await chat.session.isRunning(), "Ctrl-C cancels the turn, not the program")
        // However late the key landed on a busy machine, no word arrives after it.
        func lastWord(_ screen: [String]) -> Int {
            let text = screen.joined(separator: " ")
            return (1...20).last { text.contains("word\($0) ") || text.hasSuffix("word\($0)") } ?? 0
        }
        let wordsAtCancel = lastWord(cancelled)
        try await Task.sleep(for: .seconds(1.5))
        #expect(lastWord(try await chat.session.screen()) == wordsAtCancel, "nothing more of the cancelled stream arrives")
        try await chat.ask("hello")
        try await chat.session.waitFor(text: "Hello again, ready.")
        // Ctrl-D on an empty input leaves.
        try await chat.session.press("C-d")
        try await chat.session.waitForExit()
    }

    @Test("/call list_contacts limit=3 shows 3 rows without asking the model")
    func directCall() async throws {
        let chat = try await ChatFixture(steps: [])
        try await chat.ask("/call list_contacts limit=3")
        let screen = try await chat.session.waitFor(text: "Showing 1–3 of")
        #expect(screen.contains { $0.contains("list_contacts") && $0.contains("(direct)") && $0.contains("limit=3") })
        let rows = ChatFixture.tableRows(screen, header: "Name")
        #expect(rows.count == 3, "\(screen.joined(separator: "\n"))")
        #expect(try await chat.llm.requests().isEmpty, "no model request for /call")
    }

    @Test("NO_COLOR: no colour sequences (while the same screen has them without it); reverse video remains")
    func noColor() async throws {
        func styledScreen(_ environment: [String: String]) async throws -> String {
            let chat = try await ChatFixture(steps: [toolCall("list_invoices", #"{"limit":2}"#), .openAIText("Two invoices.")], environment: environment)
            try await chat.ask("show me the last 2 invoices")
            try await chat.session.waitFor(text: "Two invoices.")
            return try await chat.session.screen(withAttributes: true).joined(separator: "\n")
        }
        func hasColour(_ styled: String) -> Bool {
            (31...37).contains { styled.contains("[\($0)m") || styled.contains(";\($0)m") || styled.contains("[\($0);") }
        }
        let coloured = try await styledScreen([:])
        #expect(hasColour(coloured), "the control screen has colours: \(coloured)")
        let plain = try await styledScreen(["NO_COLOR": "1"])
        #expect(!hasColour(plain), "colour drawn under NO_COLOR: \(plain)")
        #expect(plain.contains("[7m") || plain.contains(";7m"), "reverse video remains")
    }

    @Test("a non-UTF-8 locale gets ASCII rules and markers, and still works")
    func asciiLocale() async throws {
        let chat = try await ChatFixture(steps: [toolCall("list_invoices", #"{"limit":2}"#), .openAIText("Two invoices.")], environment: ["LANG": "C", "LC_ALL": "C"])
        let screen = try await chat.session.waitFor("the ASCII screen") { $0.contains { $0.hasPrefix("-----") } && $0.first?.contains(" | model scripted") == true }
        #expect(!screen.joined().contains("─"))
        try await chat.ask("show me the last 2 invoices")
        let answered = try await chat.session.waitFor(text: "Two invoices.")
        #expect(answered.contains { $0.hasPrefix("> list_invoices limit=2") })
        #expect(answered.contains { $0.contains("RE-1119") && $0.contains("7.650,39 E") })
    }
}
