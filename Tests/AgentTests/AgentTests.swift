import AccountingServer
import Curl
import Foundation
import LLM
import Ledger
import MCP
import MCPClient
import TestSupport
import Testing

@testable import Agent

/// This target's own scripted server: suites of other targets run in parallel with their own.
let llm = try! ScriptedLLM()
let anchor = LedgerDate(iso: "2026-11-25")!

/// An agent wired as `ask` wires it: the scripted model over libcurl, the demo ledger through in-process MCP.
struct Rig {
    let store: LedgerStore
    let agent: Agent

    static func make(
        provider kind: ProviderKind = .openai, approval: any ApprovalHandler = RefuseAll(), settings: AgentSettings = AgentSettings(),
        attempts: Int = 3, answerSlot: Bool = false
    ) async throws -> Rig {
        let store = try LedgerStore()
        try DemoLedger.generate(into: store, seed: 42, anchor: anchor)
        let service = AccountingService(store: store, options: AccountingServerOptions(today: { anchor }))
        let (_, transport) = try await service.connectInProcess()
        let connection = try await MCPConnection.connect(name: "demo", transport: transport)
        let profile = ModelProfile(
            name: "scripted", provider: kind, baseURL: kind == .openai ? llm.url("/v1") : llm.url(""), model: "m", apiKey: "sk-PLANTED",
            timeouts: CurlTimeouts(connect: .seconds(2), total: .seconds(20), idle: .seconds(5)),
            retry: RetryPolicy(maxAttempts: attempts, sleep: { _ in }), answerSlot: answerSlot)
        let agent = Agent(
            provider: profile.makeProvider(), tools: MCPToolRunner(connections: [connection]), approval: approval, settings: settings)
        return Rig(store: store, agent: agent)
    }

    func ask(_ question: String) async throws -> AgentAnswer {
        try await agent.ask(question, history: [.system("You are the accounting assistant of Muster Digital GmbH.")])
    }
}

/// The messages the model received in request number `index`.
func messages(ofRequest index: Int) async throws -> [[String: Any]] {
    let requests = try await llm.requests()
    return (requests[index]["body"] as? [String: Any])?["messages"] as? [[String: Any]] ?? []
}

@Suite("Agent loop against a scripted LLM and the demo ledger", .serialized)
struct AgentTests {
    @Test("an answer without any tool call")
    func noToolCall() async throws {
        try await llm.script([.openAIText("Hallo! Wie kann ich helfen?")])
        let answer = try await Rig.make().ask("hallo")
        #expect(answer.text == "Hallo! Wie kann ich helfen?")
        #expect(answer.toolCalls.isEmpty && answer.rounds == 1)
        let request = try #require(try await llm.requests().first?["body"] as? [String: Any])
        #expect((request["tools"] as? [Any])?.count == 12)
    }

    @Test("one tool round: the call runs against the ledger and the model gets the text result")
    func oneRound() async throws {
        try await llm.script([
            .openAIToolCalls([("call_1", "list_invoices", #"{"limit": 5}"#)], usage: (700, 20)),
            .openAIText("Die letzten 5 Rechnungen sind RE-1119 bis RE-1115.", usage: (1200, 30)),
        ])
        let answer = try await Rig.make().ask("show me the last 5 invoices")
        #expect(answer.rounds == 2)
        #expect(answer.usage == Usage(inputTokens: 1900, outputTokens: 50))
        let call = try #require(answer.toolCalls.first)
        #expect(call.name == "list_invoices" && call.arguments == ["limit": 5] && !call.outcome.isError)
        #expect(call.outcome.structured.flatMap { value in
            if case .object(let object) = value, case .array(let items)? = object["items"] { return items.count } else { return nil }
        } == 5)
        let second = try await messages(ofRequest: 1)
        #expect(second.map { $0["role"] as? String } == ["system", "user", "assistant", "tool"])
        #expect(second[3]["tool_call_id"] as? String == "call_1")
        #expect((second[3]["content"] as? String)?.hasPrefix("Showing 1–5 of 120 invoices") == true)
        #expect(((second[2]["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: String])?["arguments"] == #"{"limit": 5}"#)
    }

    @Test("two rounds, then the answer")
    func twoRounds() async throws {
        try await llm.script([
            .openAIToolCalls([("c1", "list_contacts", #"{"search": "Müller"}"#)]),
            .openAIToolCalls([("c2", "get_contact", #"{"customer_number": "1001"}"#)]),
            .openAIText("Müller GmbH hat offene Rechnungen."),
        ])
        let answer = try await Rig.make().ask("Was schuldet uns Müller?")
        #expect(answer.rounds == 3)
        #expect(answer.toolCalls.map(\.name) == ["list_contacts", "get_contact"])
        #expect(answer.toolCalls.map(\.round) == [1, 2])
    }

    @Test("parallel calls run together and come back in order")
    func parallel() async throws {
        try await llm.script([
            .openAIToolCalls([("a", "list_bank_accounts", "{}"), ("b", "receivables_aging", #"{"include_invoices": false}"#), ("c", "get_company_info", "{}")]),
            .openAIText("Alles im Blick."),
        ])
        let answer = try await Rig.make().ask("Wie stehen wir da?")
        #expect(answer.toolCalls.map(\.id) == ["a", "b", "c"])
        #expect(answer.toolCalls.allSatisfy { !$0.outcome.isError })
        let second = try await messages(ofRequest: 1)
        #expect(second.suffix(3).map { $0["tool_call_id"] as? String } == ["a", "b", "c"])
    }

    @Test("an unknown tool and unparsable arguments go back to the model as tool errors")
    func badCalls() async throws {
        try await llm.script([
            .openAIToolCalls([("u", "list_unicorns", "{}"), ("j", "list_invoices", #"{"limit": 5"#)]),
            .openAIText("Entschuldigung."),
        ])
        let answer = try await Rig.make().ask("x")
        #expect(answer.toolCalls.allSatisfy { $0.outcome.isError })
        #expect(answer.toolCalls[0].modelText.contains("Unknown tool 'list_unicorns'. Available tools: create_contact, get_company_info"))
        #expect(answer.toolCalls[1].modelText.contains("not a valid JSON object"))
        #expect(answer.toolCalls[1].arguments == nil)
        #expect(answer.text == "Entschuldigung.")
    }

    @Test("invalid arguments reach the server, whose fix-it error goes back to the model")
    func serverSideError() async throws {
        try await llm.script([
            .openAIToolCalls([("s", "list_invoices", #"{"status": "unpaid"}"#)]),
            .openAIToolCalls([("t", "list_invoices", #"{"status": "open"}"#)]),
            .openAIText("Offene Rechnungen: …"),
        ])
        let answer = try await Rig.make().ask("unbezahlte Rechnungen")
        #expect(answer.toolCalls[0].outcome.isError)
        #expect(answer.toolCalls[0].modelText.contains("status must be one of draft, open, partially_paid, paid, cancelled; got 'unpaid'"))
        #expect(!answer.toolCalls[1].outcome.isError)
    }

    @Test("an identical call repeated with identical arguments is stopped")
    func repeatedCall() async throws {
        try await llm.script([
            .openAIToolCalls([("1", "list_invoices", #"{"limit":5}"#)]),
            .openAIToolCalls([("2", "list_invoices", #"{ "limit" : 5 }"#)]),
            .openAIText("Fertig."),
        ])
        let answer = try await Rig.make().ask("x")
        #expect(!answer.toolCalls[0].outcome.isError)
        #expect(answer.toolCalls[1].outcome.isError)
        #expect(answer.toolCalls[1].modelText.contains("already made with the same arguments"))
    }

    @Test("max_rounds stops a model that never answers")
    func maxRounds() async throws {
        try await llm.script((1...3).map { .openAIToolCalls([("c\($0)", "list_invoices", #"{"offset": \#($0)}"#)]) })
        let rig = try await Rig.make(settings: AgentSettings(maxRounds: 3))
        let error = await #expect(throws: AgentError.self) { _ = try await rig.ask("x") }
        #expect(error?.description.contains("did not answer within 3 rounds (3 tool calls)") == true)
        #expect(try await llm.requests().count == 3)
    }

    @Test("an answer that stopped at max_tokens is marked cut off; one the model ended is not")
    func cutOff() async throws {
        try await llm.script([
            .openAIToolCalls([("c", "summarize", #"{"entity": "invoices", "group_by": "month"}"#)]),
            .openAIText("January 7.186,41 €, February", finishReason: "length"),
        ])
        let cut = try await Rig.make().ask("revenue per month?")
        #expect(cut.cutOff && cut.text == "January 7.186,41 €, February" && cut.rounds == 2)
        try await llm.script([.openAIText("Hello!")])
        #expect(try await Rig.make().ask("hello").cutOff == false)
    }

    @Test("a write refused by approval changes nothing, and the model is told")
    func approvalRefused() async throws {
        try await llm.script([
            .openAIToolCalls([("w", "create_contact", #"{"name": "Müller GmbH & Co. KG"}"#)]),
            .openAIText("Ich habe den Kontakt nicht angelegt."),
        ])
        let rig = try await Rig.make(approval: RefuseAll())
        let answer = try await rig.ask("create a contact named Müller GmbH & Co. KG")
        #expect(answer.toolCalls.first?.approval == .refused)
        #expect(answer.toolCalls.first?.modelText.contains("The user declined to run create_contact; nothing was changed") == true)
        #expect(try rig.store.contacts(named: "Müller GmbH & Co. KG").isEmpty)
    }

    @Test("an approved write happens exactly once")
    func approvalGranted() async throws {
        try await llm.script([
            .openAIToolCalls([("w", "create_contact", #"{"name": "Neukunde AG"}"#)]),
            .openAIText("Angelegt."),
        ])
        let rig = try await Rig.make(approval: ApproveAll())
        let answer = try await rig.ask("lege Neukunde AG an")
        #expect(answer.toolCalls.first?.approval == .approved)
        #expect(try rig.store.contacts(named: "Neukunde AG").count == 1)
    }

    @Test("read-only tools never ask for approval")
    func readOnlyNoApproval() async throws {
        try await llm.script([.openAIToolCalls([("r", "list_contacts", "{}")]), .openAIText("ok")])
        let approval = CountingApproval()
        let answer = try await Rig.make(approval: approval).ask("x")
        #expect(approval.asked.current == 0)
        #expect(answer.toolCalls.first?.approval == .notNeeded && !(answer.toolCalls.first?.outcome.isError ?? true))
    }

    @Test("429 with Retry-After, then the answer: the agent reports the retry")
    func retried() async throws {
        try await llm.script([.json(#"{"error":{"message":"slow down"}}"#, status: 429, headers: ["Retry-After": "1"]), .openAIText("Da bin ich.")])
        let events = Locked<[AgentEvent]>([])
        let answer = try await Rig.make().agent.ask("hi", history: []) { event in events.withLock { $0.append(event) } }
        #expect(answer.text == "Da bin ich.")
        #expect(answer.retries == 1)
        #expect(events.current.filter { if case .retrying = $0 { return true } else { return false } }.count == 1)
    }

    @Test("500 until the retries run out: a clear error")
    func retriesExhausted() async throws {
        let failure = Step.json(#"{"error":{"message":"internal error"}}"#, status: 500)
        try await llm.script([failure, failure])
        let rig = try await Rig.make(attempts: 2)
        let error = await #expect(throws: LLMError.self) { _ = try await rig.ask("x") }
        #expect(error?.description == "scripted answered HTTP 500 after 2 tries: internal error.")
    }

    @Test("the Anthropic wire format runs the same loop")
    func anthropicRound() async throws {
        func event(_ name: String, _ json: String) -> String { "event: \(name)\ndata: \(json)\n\n" }
        try await llm.script([
            .sse([
                event("message_start", #"{"type":"message_start","message":{"usage":{"input_tokens":500}}}"#),
                event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"list_invoices","input":{}}}"#),
                event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"overdue\": tr"}}"#),
                event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"ue}"}}"#),
                event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
                event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":15}}"#),
                event("message_stop", #"{"type":"message_stop"}"#),
            ]),
            .sse([
                event("message_start", #"{"type":"message_start","message":{"usage":{"input_tokens":900}}}"#),
                event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"7 Rechnungen sind überfällig."}}"#),
                event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}"#),
                event("message_stop", #"{"type":"message_stop"}"#),
            ]),
        ])
        let answer = try await Rig.make(provider: .anthropic).ask("which invoices are overdue?")
        #expect(answer.text == "7 Rechnungen sind überfällig.")
        #expect(answer.toolCalls.first?.arguments == ["overdue": true])
        #expect(answer.usage == Usage(inputTokens: 1400, outputTokens: 24))
        let second = try await messages(ofRequest: 1)
        let results = try #require(second.last?["content"] as? [[String: Any]])
        #expect(results.first?["type"] as? String == "tool_result" && results.first?["tool_use_id"] as? String == "toolu_1")
    }
}

@Suite("Model view of tool results")
struct ModelViewTests {
    @Test("short results pass unchanged; long ones are cut at a line with an explicit note")
    func budget() {
        #expect(ModelView.bound("short", budgetTokens: 100) == "short")
        let rows = (1...400).map { "• RE-2026-\($0) · Müller GmbH · 1.234,56 € · paid" }
        let text = "Showing 1–400 of 400 invoices:\n" + rows.joined(separator: "\n")
        let bounded = ModelView.bound(text, budgetTokens: 500)
        #expect(bounded.count <= 2000 + 100)
        #expect(bounded.hasPrefix("Showing 1–400 of 400 invoices:\n• RE-2026-1 "))
        #expect(bounded.hasSuffix("rows; call again with a filter or offset for more]"))
        let shown = bounded.split(separator: "\n").filter { $0.hasPrefix("• ") }.count
        #expect(bounded.contains("[showing \(shown) of 400 rows;"))
    }
}

/// Declines every write, counting how often it was asked.
struct CountingApproval: ApprovalHandler {
    let asked = Locked(0)
    func approve(_ call: ToolCall, tool: AgentTool, arguments: [String: Value]) async -> Bool {
        asked.withLock { $0 += 1 }
        return false
    }
}
