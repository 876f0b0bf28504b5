import Curl
import Foundation
import MCP
import TestSupport
import Testing

@testable import LLM

/// This target's own scripted server: suites of other targets run in parallel with their own.
let scripted = try! ScriptedLLM()

func script(_ steps: [Step]) async throws { try await scripted.script(steps) }

func receivedRequests() async throws -> [[String: Any]] { try await scripted.requests() }

/// Sleeps are recorded instead of waited for, so retry tests run instantly.
struct SleepRecorder {
    let recorded = Locked<[Duration]>([])
    var delays: [Duration] { recorded.current }
    var sleep: @Sendable (Duration) async throws -> Void { { [recorded] delay in recorded.withLock { $0.append(delay) } } }
}

func profile(_ kind: ProviderKind, attempts: Int = 3, recorder: SleepRecorder = SleepRecorder(), baseURL: String? = nil) -> ModelProfile {
    ModelProfile(
        name: "scripted-\(kind.rawValue)", provider: kind,
        baseURL: baseURL ?? (kind == .openai ? scripted.url("/v1") : scripted.url("")), model: "test-model",
        apiKey: "sk-test-PLANTED-KEY", temperature: 0, maxTokens: 256,
        timeouts: CurlTimeouts(connect: .seconds(2), total: .seconds(20), idle: .seconds(5)),
        retry: RetryPolicy(maxAttempts: attempts, sleep: recorder.sleep))
}

let listInvoicesTool = ToolSpec(
    name: "list_invoices", description: "Lists invoices, newest first.",
    parameters: .object(["type": "object", "properties": .object(["limit": .object(["type": "integer"])])]))

@Suite("Model providers against a scripted LLM server", .serialized)
struct ProviderTests {
    // MARK: OpenAI-compatible

    @Test("OpenAI stream: text deltas, usage, and the request on the wire")
    func openAIText() async throws {
        try await script([
            .sse([
                #"data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"# + "\n\n",
                #"data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hallo"},"finish_reason":null}]}"# + "\n\n",
                #"data: {"id":"c1","choices":[{"index":0,"delta":{"content":" Welt"},"finish_reason":null}]}"# + "\n\n",
                #"data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\n",
                #"data: {"id":"c1","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"# + "\n\n",
                "data: [DONE]\n\n",
            ])
        ])
        let provider = profile(.openai).makeProvider()
        let response = try await ChatResponse.collect(
            from: provider, ChatRequest(messages: [.system("Be brief."), .user("Sag hallo")], tools: [listInvoicesTool]))
        #expect(response.text == "Hallo Welt")
        #expect(response.usage == Usage(inputTokens: 12, outputTokens: 3))
        #expect(response.finishReason == .stop)

        let request = try #require(try await receivedRequests().first)
        #expect(request["path"] as? String == "/v1/chat/completions")
        #expect((request["headers"] as? [String: String])?["Authorization"] == "Bearer sk-test-PLANTED-KEY")
        let body = try #require(request["body"] as? [String: Any])
        #expect(body["model"] as? String == "test-model")
        #expect(body["stream"] as? Bool == true)
        #expect((body["stream_options"] as? [String: Bool])?["include_usage"] == true)
        #expect((body["messages"] as? [[String: Any]])?.map { $0["role"] as? String } == ["system", "user"])
        let tool = try #require((body["tools"] as? [[String: Any]])?.first)
        #expect(tool["type"] as? String == "function")
        #expect((tool["function"] as? [String: Any])?["name"] as? String == "list_invoices")
    }

    @Test("OpenAI stream: parallel tool calls with arguments split across chunks")
    func openAIToolCalls() async throws {
        try await script([
            .sse([
                #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"list_invoices","arguments":""}}]},"finish_reason":null}]}"# + "\n\n",
                #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"li"}}]},"finish_reason":null}]}"# + "\n\n",
                #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_company_info","arguments":"{}"}}]},"finish_reason":null}]}"# + "\n\n",
                #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"mit\": 5}"}}]},"finish_reason":null}]}"# + "\n\n",
                #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":700,"completion_tokens":30,"prompt_tokens_details":{"cached_tokens":640}}}"# + "\n\n",
                "data: [DONE]\n\n",
            ])
        ])
        var events: [ChatEvent] = []
        for try await event in profile(.openai).makeProvider().send(ChatRequest(messages: [.user("last 5 invoices")], tools: [listInvoicesTool])) {
            events.append(event)
        }
        #expect(events.contains(.toolCallStart(index: 0, id: "call_a", name: "list_invoices")))
        #expect(events.contains(.toolCallArgumentsDelta(index: 0, fragment: "{\"li")))
        var response = ChatResponse()
        events.forEach { response.apply($0) }
        #expect(response.toolCalls == [
            ToolCall(id: "call_a", name: "list_invoices", arguments: #"{"limit": 5}"#),
            ToolCall(id: "call_b", name: "get_company_info", arguments: "{}"),
        ])
        #expect(response.finishReason == .toolCalls)
        #expect(response.usage == Usage(inputTokens: 700, outputTokens: 30, cachedInputTokens: 640), "llama-server's and OpenAI's cached count")
        #expect(events.last == .finish(.toolCalls))
        #expect(events.filter { if case .toolCallEnd = $0 { return true } else { return false } }.count == 2)
    }

    @Test("OpenAI without streaming: the same events from one JSON answer")
    func openAIJSON() async throws {
        try await script([
            .json(
                #"{"id":"c2","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"list_invoices","arguments":"{\"limit\":5}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":9,"completion_tokens":4}}"#)
        ])
        let response = try await ChatResponse.collect(
            from: profile(.openai).makeProvider(), ChatRequest(messages: [.user("x")], tools: [listInvoicesTool], stream: false))
        #expect(response.toolCalls == [ToolCall(id: "call_1", name: "list_invoices", arguments: #"{"limit":5}"#)])
        #expect(response.usage == Usage(inputTokens: 9, outputTokens: 4))
        let body = try #require(try await receivedRequests().first?["body"] as? [String: Any])
        #expect(body["stream"] as? Bool == false && body["stream_options"] == nil)
    }

    @Test("assistant tool calls and tool results go back in OpenAI's shape")
    func openAIHistory() throws {
        let provider = OpenAIProvider(profile: profile(.openai))
        let body = try provider.requestBody(
            ChatRequest(messages: [
                .user("q"), .assistant("", toolCalls: [ToolCall(id: "call_1", name: "list_invoices", arguments: "{}")]),
                .tool("call_1", "Showing 1–5 of 120 invoices"),
            ]))
        let messages = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["messages"] as? [[String: Any]])
        #expect(messages[1]["content"] is NSNull)
        #expect(((messages[1]["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: String])?["name"] == "list_invoices")
        #expect(messages[2]["role"] as? String == "tool" && messages[2]["tool_call_id"] as? String == "call_1")
    }

    // MARK: Anthropic

    @Test("Anthropic stream: text, a tool_use built from input_json_delta, usage, headers")
    func anthropicStream() async throws {
        try await script([
            .sse([
                "event: message_start\ndata: " + #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":472,"output_tokens":2}}}"# + "\n\n",
                "event: content_block_start\ndata: " + #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"# + "\n\n",
                "event: ping\ndata: " + #"{"type": "ping"}"# + "\n\n",
                "event: content_block_delta\ndata: " + #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Ich schaue nach."}}"# + "\n\n",
                "event: content_block_stop\ndata: " + #"{"type":"content_block_stop","index":0}"# + "\n\n",
                "event: content_block_start\ndata: " + #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01","name":"list_invoices","input":{}}}"# + "\n\n",
                "event: content_block_delta\ndata: " + #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"# + "\n\n",
                "event: content_block_delta\ndata: " + #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"limit\": "}}"# + "\n\n",
                "event: content_block_delta\ndata: " + #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"5}"}}"# + "\n\n",
                "event: content_block_stop\ndata: " + #"{"type":"content_block_stop","index":1}"# + "\n\n",
                "event: message_delta\ndata: " + #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}"# + "\n\n",
                "event: message_stop\ndata: " + #"{"type":"message_stop"}"# + "\n\n",
            ])
        ])
        let response = try await ChatResponse.collect(
            from: profile(.anthropic).makeProvider(),
            ChatRequest(messages: [.system("You are an accountant."), .user("letzte 5 Rechnungen")], tools: [listInvoicesTool]))
        #expect(response.text == "Ich schaue nach.")
        #expect(response.toolCalls == [ToolCall(id: "toolu_01", name: "list_invoices", arguments: #"{"limit": 5}"#)])
        #expect(response.usage == Usage(inputTokens: 472, outputTokens: 89))
        #expect(response.finishReason == .toolCalls)

        let request = try #require(try await receivedRequests().first)
        #expect(request["path"] as? String == "/v1/messages")
        let headers = try #require(request["headers"] as? [String: String])
        #expect(headers["x-api-key"] == "sk-test-PLANTED-KEY")
        #expect(headers["anthropic-version"] == "2023-06-01")
        let body = try #require(request["body"] as? [String: Any])
        #expect(body["system"] as? String == "You are an accountant.")
        #expect(body["max_tokens"] as? Int == 256)
        #expect((body["tools"] as? [[String: Any]])?.first?["input_schema"] != nil)
    }

    @Test("Anthropic history: tool_use blocks out, consecutive tool_result blocks in one user message")
    func anthropicHistory() throws {
        let body = try AnthropicProvider(profile: profile(.anthropic)).requestBody(
            ChatRequest(messages: [
                .system("s"), .user("q"),
                .assistant("", toolCalls: [ToolCall(id: "t1", name: "a", arguments: #"{"x":1}"#), ToolCall(id: "t2", name: "b", arguments: "not json")]),
                .tool("t1", "one"), .tool("t2", "unknown tool b", isError: true),
            ]))
        let messages = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "user"])
        let uses = try #require(messages[1]["content"] as? [[String: Any]])
        #expect(uses.map { $0["type"] as? String } == ["tool_use", "tool_use"])
        #expect((uses[0]["input"] as? [String: Int])?["x"] == 1)
        #expect((uses[1]["input"] as? [String: Any])?.isEmpty == true)
        let results = try #require(messages[2]["content"] as? [[String: Any]])
        #expect(results.map { $0["tool_use_id"] as? String } == ["t1", "t2"])
        #expect(results[1]["is_error"] as? Bool == true)
    }

    @Test("Anthropic without streaming")
    func anthropicJSON() async throws {
        try await script([
            .json(
                #"{"id":"msg_2","type":"message","role":"assistant","content":[{"type":"text","text":"Hier:"},{"type":"tool_use","id":"toolu_9","name":"list_invoices","input":{"limit":5}}],"stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":20}}"#)
        ])
        let response = try await ChatResponse.collect(
            from: profile(.anthropic).makeProvider(), ChatRequest(messages: [.user("x")], tools: [listInvoicesTool], stream: false))
        #expect(response.text == "Hier:")
        #expect(response.toolCalls == [ToolCall(id: "toolu_9", name: "list_invoices", arguments: #"{"limit":5}"#)])
        #expect(response.finishReason == .toolCalls)
    }

    // MARK: Failures and retries

    @Test("429 with Retry-After, then success: retried after the server's delay", arguments: [ProviderKind.openai, .anthropic])
    func rateLimited(kind: ProviderKind) async throws {
        let success: Step =
            kind == .openai
            ? .json(#"{"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}"#)
            : .json(#"{"content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}"#)
        try await script([.json(#"{"error":{"message":"Rate limit reached"}}"#, status: 429, headers: ["Retry-After": "2"]), success])
        let recorder = SleepRecorder()
        let response = try await ChatResponse.collect(
            from: profile(kind, recorder: recorder).makeProvider(), ChatRequest(messages: [.user("x")], stream: false))
        #expect(response.text == "ok")
        #expect(response.retries == 1)
        #expect(recorder.delays == [.seconds(2)])
    }

    @Test("500 until the tries run out: a clear error quoting the API")
    func serverErrors() async throws {
        let failure = Step.json(#"{"error":{"message":"upstream exploded"}}"#, status: 500)
        try await script([failure, failure, failure])
        let recorder = SleepRecorder()
        let error = await #expect(throws: LLMError.self) {
            _ = try await ChatResponse.collect(from: profile(.openai, attempts: 3, recorder: recorder).makeProvider(), ChatRequest(messages: [.user("x")]))
        }
        #expect(error == .api(model: "scripted-openai", status: 500, message: "upstream exploded", attempts: 3))
        #expect(error?.description == "scripted-openai answered HTTP 500 after 3 tries: upstream exploded.")
        #expect(recorder.delays.count == 2)
        #expect(recorder.delays[1] >= recorder.delays[0] / 2)  // backoff grows (with jitter)
        #expect(try await receivedRequests().count == 3)
    }

    @Test("404 model not found is not retried and says what to check")
    func modelNotFound() async throws {
        try await script([.json(#"{"error":{"message":"model 'gpt-9' not found","type":"invalid_request_error"}}"#, status: 404)])
        let error = await #expect(throws: LLMError.self) {
            _ = try await ChatResponse.collect(from: profile(.openai).makeProvider(), ChatRequest(messages: [.user("x")]))
        }
        #expect(error?.description.contains("model 'gpt-9' not found") == true)
        #expect(error?.description.contains("Check the model name and base_url") == true)
        #expect(try await receivedRequests().count == 1)
    }

    @Test("the warning for an answer cut at max_tokens names the limit and the config key that raises it")
    func cutOffWarning() {
        let local = ModelProfile(name: "local", provider: .local, baseURL: "http://127.0.0.1", model: "local", maxTokens: 512)
        #expect(
            local.cutOffWarning
                == "The answer stops at the model's limit of 512 tokens, so it is incomplete. Ask for less at once, or raise max_tokens "
                + "in a [models.local] section with provider = \"local\" in the config (see config.example.toml).")
        let remote = ModelProfile(name: "gpt", provider: .openai, baseURL: "https://api.openai.com/v1", model: "gpt-4o-mini")
        #expect(remote.cutOffWarning.hasPrefix("The answer stops at the model's token limit, so it is incomplete."))
        #expect(remote.cutOffWarning.contains("raise max_tokens in [models.gpt] in the config"))
    }

    @Test("a stream cut before anything arrived is retried")
    func cutBeforeContent() async throws {
        try await script([
            .sse([#"data: {"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"# + "\n\n"], cutAfter: 1),
            .sse([#"data: {"choices":[{"index":0,"delta":{"content":"second try"},"finish_reason":"stop"}]}"# + "\n\n", "data: [DONE]\n\n"]),
        ])
        let response = try await ChatResponse.collect(from: profile(.openai).makeProvider(), ChatRequest(messages: [.user("x")]))
        #expect(response.text == "second try")
        #expect(response.retries == 1)
    }

    @Test("a stream cut mid-answer is a clear error, not a silent half answer", arguments: [ProviderKind.openai, .anthropic])
    func cutMidAnswer(kind: ProviderKind) async throws {
        let partial =
            kind == .openai
            ? [#"data: {"choices":[{"index":0,"delta":{"content":"Die letzten"},"finish_reason":null}]}"# + "\n\n"]
            : [
                "event: message_start\ndata: " + #"{"type":"message_start","message":{"usage":{"input_tokens":5}}}"# + "\n\n",
                "event: content_block_delta\ndata: " + #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Die letzten"}}"# + "\n\n",
            ]
        try await script([.sse(partial, cutAfter: partial.count)])
        var text = ""
        let error = await #expect(throws: LLMError.self) {
            for try await event in profile(kind).makeProvider().send(ChatRequest(messages: [.user("x")])) {
                if case .textDelta(let delta) = event { text += delta }
            }
        }
        #expect(text == "Die letzten")
        guard case .incomplete = error else {
            Issue.record("expected .incomplete, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("stopped mid-answer") == true)
    }

    @Test("nothing listening: a transport error after every try")
    func unreachable() async throws {
        let recorder = SleepRecorder()
        let error = await #expect(throws: LLMError.self) {
            _ = try await ChatResponse.collect(
                from: profile(.openai, attempts: 2, recorder: recorder, baseURL: "http://127.0.0.1:9/v1").makeProvider(),
                ChatRequest(messages: [.user("x")]))
        }
        #expect(error?.description.hasPrefix("Could not reach scripted-openai after 2 tries") == true, "\(String(describing: error))")
        #expect(recorder.delays.count == 1)
    }

    @Test("cost from configured prices")
    func cost() {
        var model = profile(.openai)
        #expect(model.cost(of: Usage(inputTokens: 1000, outputTokens: 1000)) == nil)
        model.inputPricePerMillion = 2.5
        model.outputPricePerMillion = 10
        #expect(model.cost(of: Usage(inputTokens: 1_000_000, outputTokens: 100_000)) == 3.5)
    }
}
