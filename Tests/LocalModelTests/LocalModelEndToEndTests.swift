import AccountingServer
import Agent
import Curl
import Foundation
import LLM
import Ledger
import MCP
import MCPClient
import Testing
import TestSupport

/// The real offline model (Qwen2.5-Coder-1.5B through llama-server, from `make local-model`) answering questions
/// about the demo ledger, as `ask` does. One llama-server serves the whole suite; the questions run one at a time.
@Suite("Local model end to end", .serialized, .localModelTurn)
struct LocalModelEndToEndTests {
    static let anchor = LedgerDate(iso: "2026-11-25")!

    struct Run {
        let answer: AgentAnswer
        let store: LedgerStore
    }

    func ask(_ question: String) async throws -> Run {
        _ = try LocalModelFiles.locate()  // a missing model fails here, naming `make local-model`
        let store = try LedgerStore()
        try DemoLedger.generate(into: store, seed: 42, anchor: Self.anchor)
        let service = AccountingService(store: store, options: AccountingServerOptions(today: { Self.anchor }))
        let profile = ModelProfile(
            name: "local", provider: .local, baseURL: "http://127.0.0.1", model: "local", temperature: 0, maxTokens: LocalModelServer.answerTokenLimit,
            timeouts: CurlTimeoutsForLocal.value, chatTemplate: SystemPrompt.path(of: "qwen2.5-tools.jinja"))
        let agent = Agent(
            provider: profile.makeProvider(), tools: MCPToolRunner(connections: [BuiltinServer(service: service)]), approval: ApproveAll(),
            settings: AgentSettings(smallModelResilience: true))
        let system = try SystemPrompt.forModel(smallModel: true, company: DemoLedger.companyName, today: Self.anchor.iso)
        return Run(answer: try await agent.ask(question, history: [.system(system)]), store: store)
    }

    func invoiceNumbers(in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"\bRE-\d+\b"#)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
    }

    let newestFive = ["RE-1119", "RE-1118", "RE-1117", "RE-1116", "RE-1115"]

    @Test("show me the last 5 invoices → list_invoices with limit 5 and no status; the answer names the 5 newest")
    func lastFive() async throws {
        let run = try await ask("show me the last 5 invoices")
        let call = try #require(run.answer.toolCalls.first)
        #expect(call.name == "list_invoices")
        #expect(call.arguments?["limit"] == 5 && call.arguments?["status"] == nil, "\(String(describing: call.arguments))")
        #expect(Set(invoiceNumbers(in: run.answer.text)).isSuperset(of: newestFive), "\(run.answer.text)")
        // The call was chosen in the tool-round slot, whose prompt holds the tool list (~2,700 tokens); the answer
        // was written in the answer slot, from a prompt without it (system prompt, question, call, result, nudge).
        let slots = try await promptTokensPerSlot()
        #expect(slots.count == 2 && slots[0] > 2500 && (300..<1500).contains(slots[1]), "prompt tokens per slot: \(slots)")
    }

    /// How long the last prompt of each of llama-server's slots was (its `/slots` endpoint).
    func promptTokensPerSlot() async throws -> [Int] {
        let baseURL = try await LocalModelServer.shared.ensureRunning(template: SystemPrompt.path(of: "qwen2.5-tools.jinja"), progress: { _ in })
        let (response, data) = try await Curl.data(CurlRequest(url: LocalModelServer.root(of: baseURL) + "/slots"))
        #expect(response.status == 200)
        let slots = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return slots.sorted { ($0["id"] as? Int ?? 0) < ($1["id"] as? Int ?? 0) }.map { $0["n_prompt_tokens"] as? Int ?? 0 }
    }

    @Test("Zeig mir die letzten 5 Rechnungen → the same call, and the answer is in German")
    func lastFiveGerman() async throws {
        let run = try await ask("Zeig mir die letzten 5 Rechnungen")
        let call = try #require(run.answer.toolCalls.first)
        #expect(call.name == "list_invoices")
        #expect(call.arguments?["limit"] == 5 && call.arguments?["status"] == nil, "\(String(describing: call.arguments))")
        #expect(Set(invoiceNumbers(in: run.answer.text)).isSuperset(of: newestFive), "\(run.answer.text)")
        let german = ["die", "der", "sind", "rechnungen", "letzten", "und"]
        let words = Set(run.answer.text.lowercased().split { !$0.isLetter }.map(String.init))
        #expect(words.intersection(german).count >= 2, "not German: \(run.answer.text)")
    }

    @Test("which invoices are overdue? → only overdue invoices in the answer")
    func overdue() async throws {
        let run = try await ask("which invoices are overdue?")
        var query = InvoiceQuery(asOf: Self.anchor)
        query.overdueOnly = true
        query.limit = 200
        let overdue = try run.store.listInvoices(query).items.map(\.number)
        let named = Set(invoiceNumbers(in: run.answer.text))
        #expect(!named.isEmpty, "answer: \(run.answer.text) calls: \(run.answer.toolCalls.map { "\($0.name) \($0.rawArguments) error=\($0.outcome.isError)" })")
        #expect(named.isSubset(of: Set(overdue)), "named \(named.sorted()), overdue \(overdue)")
    }

    @Test("create a contact named Müller GmbH (approved) → it exists in the ledger exactly once")
    func createContact() async throws {
        let run = try await ask("create a contact named Müller GmbH")
        #expect(run.answer.toolCalls.contains { $0.name == "create_contact" && $0.arguments?["name"] == "Müller GmbH" })
        var query = ContactQuery()
        query.search = "Müller GmbH"
        query.limit = 200
        let matches = try run.store.listContacts(query).items.filter { $0.name == "Müller GmbH" }
        #expect(matches.count == 1)
    }

    /// The chat template writes an earlier call back exactly as the model wrote it, so llama-server's prompt cache
    /// still holds the call when its result is sent (otherwise the call and everything after it is read again).
    @Test("the chat template renders the model's own tool call back byte for byte")
    func templateRendersCallsAsWritten() async throws {
        _ = try LocalModelFiles.locate()
        let baseURL = try await LocalModelServer.shared.ensureRunning(
            template: SystemPrompt.path(of: "qwen2.5-tools.jinja"), progress: { _ in })
        let root = LocalModelServer.root(of: baseURL)
        let system = try SystemPrompt.forModel(smallModel: true, company: DemoLedger.companyName, today: Self.anchor.iso)
        let tool: [String: Any] = [
            "type": "function",
            "function": [
                "name": "list_invoices", "description": "Lists sales invoices, newest first.",
                "parameters": [
                    "type": "object",
                    "properties": [
                        "limit": ["type": "integer", "description": "Maximum number of items to return"],
                        "status": ["type": "string", "enum": ["draft", "open", "paid"]],
                    ],
                ],
            ],
        ]
        func post(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
            let request = CurlRequest(
                url: root + path, method: "POST", headers: [HeaderField("Content-Type", "application/json")],
                body: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), timeouts: CurlTimeoutsForLocal.value)
            let (response, data) = try await Curl.data(request)
            #expect(response.status == 200, "\(path): \(String(decoding: data, as: UTF8.self))")
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let question: [[String: Any]] = [["role": "system", "content": system], ["role": "user", "content": "show me the last 5 invoices"]]
        let prompt = try #require(try await post("/apply-template", ["messages": question, "tools": [tool]])["prompt"] as? String)
        let written = try #require(
            // In the answer slot: the tool-round slot keeps the full tool list the other tests' questions start with.
            try await post("/completion", ["prompt": prompt, "temperature": 0, "n_predict": 80, "cache_prompt": true, "id_slot": 1])["content"]
                as? String)
        // The call as llama-server hands it to a client: name, and the arguments as a JSON string.
        let fenced = try #require(written.split(separator: "```").first { $0.hasPrefix("json") }, "the model wrote: \(written)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(fenced.dropFirst("json".count).utf8)) as? [String: Any], "the model wrote: \(written)")
        let arguments = String(decoding: try JSONSerialization.data(withJSONObject: object["arguments"] ?? [:]), as: UTF8.self)
        let call: [String: Any] = [
            "role": "assistant", "content": "",
            "tool_calls": [["id": "call_1", "type": "function", "function": ["name": object["name"] ?? "", "arguments": arguments]]],
        ]
        let result: [String: Any] = ["role": "tool", "tool_call_id": "call_1", "content": "Showing 1–5 of 120 invoices"]
        let withCall = try #require(
            try await post("/apply-template", ["messages": question + [call, result], "tools": [tool]])["prompt"] as? String)
        let expected = prompt + written
        let same = zip(withCall.unicodeScalars, expected.unicodeScalars).prefix { $0 == $1 }.count
        func after(_ text: String) -> String { String(text.unicodeScalars.dropFirst(same).prefix(80)).debugDescription }
        #expect(
            withCall.hasPrefix(expected),
            "differs after \(same) of \(expected.unicodeScalars.count) characters: rendered \(after(withCall)), written \(after(expected))")
    }

    @Test("hello → no tool call")
    func hello() async throws {
        let run = try await ask("hello")
        #expect(run.answer.toolCalls.isEmpty)
        #expect(!run.answer.text.isEmpty)
    }
}

enum CurlTimeoutsForLocal {
    /// A cold start reads the whole prompt at ~50 tokens/s: allow minutes between bytes.
    static let value = CurlTimeouts(connect: .seconds(10), total: nil, idle: .seconds(600))
}
