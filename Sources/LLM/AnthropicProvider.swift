import Curl
import Foundation
import MCP

/// Anthropic Messages, streamed or not: `tool_use` blocks out, `tool_result` blocks back, `input_json_delta`
/// argument fragments. `llama-server` speaks it too.
public struct AnthropicProvider: ChatProvider {
    public let profile: ModelProfile
    /// Messages requires a limit; used when the profile sets none.
    static let defaultMaxTokens = 4096

    public init(profile: ModelProfile) { self.profile = profile }

    public func send(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        var headers = [HeaderField("anthropic-version", "2023-06-01")]
        if let key = profile.apiKey, !key.isEmpty { headers.append(HeaderField("x-api-key", key)) }
        return RequestRunner(profile: profile).send(
            path: "/v1/messages", headers: headers, encode: { try requestBody(request) }, readStream: Self.readStream,
            readMessage: Self.readMessage)
    }

    func requestBody(_ request: ChatRequest) throws -> Data {
        let system = request.messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
        var body: [String: Any] = [
            "model": profile.model, "max_tokens": profile.maxTokens ?? Self.defaultMaxTokens,
            "messages": Self.wire(request.messages.filter { $0.role != .system }), "stream": request.stream,
        ]
        if !system.isEmpty { body["system"] = system }
        if !request.tools.isEmpty {
            body["tools"] = try request.tools.map { tool in
                ["name": tool.name, "description": tool.description, "input_schema": try jsonObject(tool.parameters)] as [String: Any]
            }
            if request.toolChoice == .none { body["tool_choice"] = ["type": "none"] }
        }
        if let temperature = profile.temperature { body["temperature"] = temperature }
        return try WireJSON.encode(body)
    }

    /// Messages alternate user/assistant; consecutive tool results travel together in one user message.
    static func wire(_ messages: [ChatMessage]) -> [[String: Any]] {
        var wire: [[String: Any]] = []
        for message in messages {
            switch message.role {
            case .system: continue
            case .user: wire.append(["role": "user", "content": message.content])
            case .assistant:
                var blocks: [[String: Any]] = []
                if !message.content.isEmpty { blocks.append(["type": "text", "text": message.content]) }
                for call in message.toolCalls {
                    // The model's arguments go back as it wrote them when they parse; otherwise as an empty object.
                    let input = WireJSON.object(call.arguments) ?? [:]
                    blocks.append(["type": "tool_use", "id": call.id, "name": call.name, "input": input])
                }
                wire.append(["role": "assistant", "content": blocks])
            case .tool:
                let block: [String: Any] = [
                    "type": "tool_result", "tool_use_id": message.toolCallID ?? "", "content": message.content, "is_error": message.isError,
                ]
                if var last = wire.last, last["role"] as? String == "user", var content = last["content"] as? [[String: Any]],
                    content.allSatisfy({ $0["type"] as? String == "tool_result" })
                {
                    content.append(block)
                    last["content"] = content
                    wire[wire.count - 1] = last
                } else {
                    wire.append(["role": "user", "content": [block]])
                }
            }
        }
        return wire
    }

    /// Reads the event stream: message_start, content_block_start/delta/stop, message_delta, message_stop.
    static func readStream(_ response: CurlResponse, model: String, emit: @Sendable (ChatEvent) -> Void) async throws {
        var toolIndex: [Int: Int] = [:]  // content block index → tool call index
        var inputTokens = 0
        var outputTokens = 0
        var finish: FinishReason = .stop
        var stopped = false
        do {
            for try await event in response.body.serverSentEvents() {
                guard let payload = WireJSON.object(event.data) else { continue }
                switch payload["type"] as? String ?? event.event {
                case "message_start":
                    let usage = (payload["message"] as? [String: Any])?["usage"] as? [String: Any]
                    inputTokens = usage?["input_tokens"] as? Int ?? 0
                case "content_block_start":
                    let block = payload["content_block"] as? [String: Any] ?? [:]
                    if block["type"] as? String == "tool_use", let index = payload["index"] as? Int {
                        let number = toolIndex.count
                        toolIndex[index] = number
                        emit(.toolCallStart(index: number, id: block["id"] as? String ?? "toolu_\(number)", name: block["name"] as? String ?? ""))
                    } else if let text = block["text"] as? String, !text.isEmpty {
                        emit(.textDelta(text))
                    }
                case "content_block_delta":
                    let delta = payload["delta"] as? [String: Any] ?? [:]
                    if let text = delta["text"] as? String, !text.isEmpty { emit(.textDelta(text)) }
                    if let fragment = delta["partial_json"] as? String, !fragment.isEmpty, let index = payload["index"] as? Int,
                        let number = toolIndex[index]
                    {
                        emit(.toolCallArgumentsDelta(index: number, fragment: fragment))
                    }
                case "content_block_stop":
                    if let index = payload["index"] as? Int, let number = toolIndex[index] { emit(.toolCallEnd(index: number)) }
                case "message_delta":
                    if let reason = (payload["delta"] as? [String: Any])?["stop_reason"] as? String { finish = stopReason(reason) }
                    if let usage = payload["usage"] as? [String: Any] { outputTokens = usage["output_tokens"] as? Int ?? outputTokens }
                case "message_stop":
                    stopped = true
                case "error":
                    let error = payload["error"] as? [String: Any] ?? [:]
                    let message = error["message"] as? String ?? "\(error)"
                    let failure = LLMError.api(model: model, status: 200, message: message, attempts: 1)
                    // "overloaded_error" is Anthropic's way of saying 529 inside a stream.
                    if error["type"] as? String == "overloaded_error" { throw RetryableFailure(error: failure, retryAfter: nil) }
                    throw failure
                default: break  // ping and future events
                }
                if stopped { break }
            }
        } catch let error as CurlError {
            throw RetryableFailure(error: .incomplete(model: model, detail: error.description), retryAfter: nil)
        }
        guard stopped else {
            throw RetryableFailure(error: .incomplete(model: model, detail: "the stream ended without message_stop"), retryAfter: nil)
        }
        emit(.usage(Usage(inputTokens: inputTokens, outputTokens: outputTokens)))
        emit(.finish(finish))
    }

    static func readMessage(_ data: Data, model: String, emit: @Sendable (ChatEvent) -> Void) throws {
        guard let object = WireJSON.object(data), let content = object["content"] as? [[String: Any]] else {
            throw LLMError.malformed(model: model, detail: "no content in \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        var number = 0
        for block in content {
            switch block["type"] as? String {
            case "text":
                if let text = block["text"] as? String, !text.isEmpty { emit(.textDelta(text)) }
            case "tool_use":
                emit(.toolCallStart(index: number, id: block["id"] as? String ?? "toolu_\(number)", name: block["name"] as? String ?? ""))
                let input = block["input"] ?? [String: Any]()
                emit(.toolCallArgumentsDelta(index: number, fragment: String(decoding: (try? WireJSON.encode(input)) ?? Data("{}".utf8), as: UTF8.self)))
                emit(.toolCallEnd(index: number))
                number += 1
            default: break
            }
        }
        if let usage = object["usage"] as? [String: Any] {
            emit(.usage(Usage(inputTokens: usage["input_tokens"] as? Int ?? 0, outputTokens: usage["output_tokens"] as? Int ?? 0)))
        }
        emit(.finish(stopReason(object["stop_reason"] as? String ?? "end_turn")))
    }

    static func stopReason(_ text: String) -> FinishReason {
        switch text {
        case "end_turn", "stop_sequence": return .stop
        case "tool_use": return .toolCalls
        case "max_tokens": return .length
        case "refusal": return .contentFilter
        default: return .other
        }
    }
}
