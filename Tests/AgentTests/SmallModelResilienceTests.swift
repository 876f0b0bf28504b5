import Foundation
import LLM
import MCP
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

    @Test("cleaning drops empty strings and nulls and converts numbers and booleans written as strings")
    func cleaning() {
        let cleaned = ArgumentRepair.clean(
            ["name": "X", "status": "", "limit": "5", "amount": " 12.5", "overdue": "true", "city": .null, "other": 3.0], schema: schema)
        #expect(cleaned == ["name": "X", "limit": 5, "amount": 12.5, "overdue": true, "other": 3.0])
        #expect(ArgumentRepair.clean(["limit": 5.0], schema: schema) == ["limit": 5])
        #expect(ArgumentRepair.clean(["limit": "five"], schema: schema) == ["limit": "five"])
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

    @Test("German questions are recognised for the answer nudge")
    func language() {
        #expect(Agent.looksGerman("Zeig mir die letzten 5 Rechnungen"))
        #expect(Agent.looksGerman("Welche Rechnungen sind überfällig?"))
        #expect(!Agent.looksGerman("show me the last 5 invoices"))
        #expect(!Agent.looksGerman("hello"))
    }
}

/// The resilience in the loop, with the scripted model writing what small models write. An extension of the
/// serialized `AgentTests`, because both script the same scripted server.
extension AgentTests {
    @Test("a fenced text call runs; a schema violation gets one corrective error; then the tools may not be called")
    func fencedCallWithCorrection() async throws {
        try await llm.script([
            .openAIText("```json\n{\"name\": \"list_invoices\", \"arguments\": {\"status\": \"unpaid\", \"limit\": \"5\", \"contact_name\": \"\"}}\n```"),
            .openAIText("```json\n{\"name\": \"list_invoices\", \"arguments\": {\"status\": \"open\", \"limit\": \"5\"}}\n```"),
            .openAIText("Es gibt offene Rechnungen."),
        ])
        let answer = try await Rig.make(settings: AgentSettings(smallModelResilience: true)).ask("Welche Rechnungen sind offen?")
        #expect(answer.text == "Es gibt offene Rechnungen.")
        #expect(answer.toolCalls.count == 2)
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
        // The last request carries the nudge, in the user's language.
        let last = try await messages(ofRequest: 2)
        #expect((last.last?["content"] as? String)?.hasPrefix("Beantworte meine Frage") == true)
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

    @Test("answer_slot: the answer round goes to slot 1 without the tool list; preparing the next question reads the conversation into both")
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
        #expect(answering.map { $0["role"] as? String } == ["system", "user", "assistant", "tool", "user"])
        #expect((answering.last?["content"] as? String)?.hasPrefix("Answer my question now") == true)
        // The conversation as the next question will continue it, without the nudge; only the prompt is wanted.
        for index in [2, 3] {
            let prepared = try await messages(ofRequest: index)
            #expect(prepared.map { $0["role"] as? String } == ["system", "user", "assistant", "tool", "assistant"])
            #expect(prepared.last?["content"] as? String == answer.text)
            #expect(bodies[index]["max_tokens"] as? Int == 1)
        }
    }

    @Test("after a change the answer is asked for as what happened, with names and numbers; after reading, as numbers")
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
        #expect(afterRead?.hasPrefix("Beantworte meine Frage jetzt auf Deutsch") == true && afterRead?.contains("nenne die Nummern") == true)
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
