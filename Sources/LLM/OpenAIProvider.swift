import Curl
import Foundation
import MCP

/// OpenAI Chat Completions, streamed or not, as spoken by OpenAI, llama.cpp's `llama-server`, Ollama, vLLM,
/// LM Studio and OpenRouter.
public struct OpenAIProvider: ChatProvider {
    public let profile: ModelProfile

    public init(profile: ModelProfile) { self.profile = profile }

    public var cachesAnswersApart: Bool { profile.answerSlot }

    public func send(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        var headers: [HeaderField] = []
        if let key = profile.apiKey, !key.isEmpty { headers.append(HeaderField("Authorization", "Bearer \(key)")) }
        return RequestRunner(profile: profile).send(
            path: "/chat/completions", headers: headers, encode: { try requestBody(request) }, readStream: Self.readStream,
            readMessage: Self.readMessage)
    }

    func requestBody(_ request: ChatRequest) throws -> Data {
        var body: [String: Any] = ["model": profile.model, "messages": request.messages.map(Self.wire), "stream": request.stream]
        if request.stream { body["stream_options"] = ["include_usage": true] }
        if !request.tools.isEmpty {
            body["tools"] = try Self.wire(request.tools)
            if request.toolChoice == .none { body["tool_choice"] = "none" }
        }
        if let temperature = profile.temperature { body["temperature"] = temperature }
        if let maxTokens = request.maxTokens ?? profile.maxTokens { body["max_tokens"] = maxTokens }
        // llama-server's own field: which slot (prompt cache) serves the request.
        if profile.answerSlot, let slot = request.cacheSlot { body["id_slot"] = slot.rawValue }
        return try WireJSON.encode(body)
    }

    static func wire(_ tools: [ToolSpec]) throws -> [[String: Any]] {
        try tools.map { tool in
            [
                "type": "function",
                "function": ["name": tool.name, "description": tool.description, "parameters": try jsonObject(tool.parameters)],
            ] as [String: Any]
        }
    }

    static func wire(_ message: ChatMessage) -> [String: Any] {
        switch message.role {
        case .system, .user: return ["role": message.role.rawValue, "content": message.content]
        case .assistant:
            var wire: [String: Any] = ["role": "assistant", "content": message.content.isEmpty && !message.toolCalls.isEmpty ? NSNull() : message.content]
            if !message.toolCalls.isEmpty {
                wire["tool_calls"] = message.toolCalls.map { call in
                    ["id": call.id, "type": "function", "function": ["name": call.name, "arguments": call.arguments]] as [String: Any]
                }
            }
            return wire
        case .tool: return ["role": "tool", "tool_call_id": message.toolCallID ?? "", "content": message.content]
        }
    }

    /// Reads `data:` chunks until `[DONE]`: content deltas, tool calls assembled by index, finish reason, usage.
    static func readStream(_ response: CurlResponse, model: String, emit: @Sendable (ChatEvent) -> Void) async throws {
        var started: [Int: Bool] = [:]
        var finish: FinishReason?
        var done = false
        do {
            for try await event in response.body.serverSentEvents() {
                if event.data == "[DONE]" {
                    done = true
                    break
                }
                guard let chunk = WireJSON.object(event.data) else {
                    throw LLMError.malformed(model: model, detail: "a stream chunk is not JSON: \(event.data.prefix(200))")
                }
                if let error = chunk["error"] as? [String: Any] {
                    throw LLMError.api(model: model, status: 200, message: error["message"] as? String ?? "\(error)", attempts: 1)
                }
                for choice in chunk["choices"] as? [[String: Any]] ?? [] {
                    let delta = choice["delta"] as? [String: Any] ?? [:]
                    if let text = delta["content"] as? String, !text.isEmpty { emit(.textDelta(text)) }
                    for call in delta["tool_calls"] as? [[String: Any]] ?? [] {
                        let index = call["index"] as? Int ?? started.count
                        let function = call["function"] as? [String: Any] ?? [:]
                        if started[index] == nil {
                            started[index] = true
                            emit(.toolCallStart(index: index, id: call["id"] as? String ?? "call_\(index)", name: function["name"] as? String ?? ""))
                        }
                        if let fragment = function["arguments"] as? String, !fragment.isEmpty {
                            emit(.toolCallArgumentsDelta(index: index, fragment: fragment))
                        }
                    }
                    if let reason = choice["finish_reason"] as? String { finish = finishReason(reason) }
                }
                if let usage = chunk["usage"] as? [String: Any] { emit(.usage(Self.usage(usage))) }
            }
        } catch let error as CurlError {
            throw RetryableFailure(error: .incomplete(model: model, detail: error.description), retryAfter: nil)
        }
        guard done || finish != nil else {
            throw RetryableFailure(error: .incomplete(model: model, detail: "the stream ended without [DONE]"), retryAfter: nil)
        }
        for index in started.keys.sorted() { emit(.toolCallEnd(index: index)) }
        emit(.finish(finish ?? .stop))
    }

    /// Reads a non-streamed completion into the same events.
    static func readMessage(_ data: Data, model: String, emit: @Sendable (ChatEvent) -> Void) throws {
        guard let object = WireJSON.object(data), let choice = (object["choices"] as? [[String: Any]])?.first,
            let message = choice["message"] as? [String: Any]
        else { throw LLMError.malformed(model: model, detail: "no choices[0].message in \(String(decoding: data.prefix(200), as: UTF8.self))") }
        if let text = message["content"] as? String, !text.isEmpty { emit(.textDelta(text)) }
        for (index, call) in (message["tool_calls"] as? [[String: Any]] ?? []).enumerated() {
            let function = call["function"] as? [String: Any] ?? [:]
            emit(.toolCallStart(index: index, id: call["id"] as? String ?? "call_\(index)", name: function["name"] as? String ?? ""))
            if let arguments = function["arguments"] as? String {
                emit(.toolCallArgumentsDelta(index: index, fragment: arguments))
            } else if let arguments = function["arguments"], let data = try? WireJSON.encode(arguments) {
                emit(.toolCallArgumentsDelta(index: index, fragment: String(decoding: data, as: UTF8.self)))
            }
            emit(.toolCallEnd(index: index))
        }
        if let usage = object["usage"] as? [String: Any] { emit(.usage(Self.usage(usage))) }
        emit(.finish(finishReason(choice["finish_reason"] as? String ?? "stop")))
    }

    static func usage(_ usage: [String: Any]) -> Usage {
        Usage(
            inputTokens: usage["prompt_tokens"] as? Int ?? 0, outputTokens: usage["completion_tokens"] as? Int ?? 0,
            cachedInputTokens: (usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int)
    }

    static func finishReason(_ text: String) -> FinishReason {
        switch text {
        case "stop": return .stop
        case "tool_calls", "function_call": return .toolCalls
        case "length": return .length
        case "content_filter": return .contentFilter
        default: return .other
        }
    }
}

/// A JSON Schema `Value` as the plain object `JSONSerialization` writes.
func jsonObject(_ value: Value) throws -> Any {
    try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value), options: [.fragmentsAllowed])
}
