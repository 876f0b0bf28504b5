import Curl
import Foundation
import MCP

/// Who wrote a message in a conversation.
public enum ChatRole: String, Sendable, Codable {
    case system, user, assistant, tool
}

/// A tool call the model asked for. `arguments` is the raw JSON text the model wrote, parsed only when run,
/// so that malformed arguments can be reported back to the model instead of failing the turn.
public struct ToolCall: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// `arguments` as a JSON object, or nil when they are not one.
    public var decodedArguments: [String: Value]? {
        try? JSONDecoder().decode([String: Value].self, from: Data(arguments.utf8))
    }
}

/// One message of a conversation, in a provider-neutral form.
public struct ChatMessage: Sendable, Codable, Equatable {
    public var role: ChatRole
    public var content: String
    /// Calls an assistant message made.
    public var toolCalls: [ToolCall]
    /// For a tool message: which call it answers.
    public var toolCallID: String?
    /// For a tool message: whether the result is an error.
    public var isError: Bool

    public init(role: ChatRole, content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil, isError: Bool = false) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.isError = isError
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: text) }
    public static func assistant(_ text: String, toolCalls: [ToolCall] = []) -> ChatMessage {
        ChatMessage(role: .assistant, content: text, toolCalls: toolCalls)
    }
    public static func tool(_ callID: String, _ text: String, isError: Bool = false) -> ChatMessage {
        ChatMessage(role: .tool, content: text, toolCallID: callID, isError: isError)
    }
}

/// A tool offered to the model.
public struct ToolSpec: Sendable, Equatable {
    public var name: String
    public var description: String
    /// JSON Schema of the arguments.
    public var parameters: Value

    public init(name: String, description: String, parameters: Value) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// What one model request asks for.
public struct ChatRequest: Sendable {
    public var messages: [ChatMessage]
    public var tools: [ToolSpec]
    /// Whether the model may call the tools. `.none` lists them without letting the model call any, so the prompt
    /// keeps the same beginning as the rounds before: a local server reuses what it already computed for it.
    public var toolChoice: ToolChoice
    public var stream: Bool
    /// Where a server with several prompt caches keeps this prompt; only providers whose `cachesAnswersApart` is
    /// true use it.
    public var cacheSlot: CacheSlot?
    /// Overrides the profile's `max_tokens` (1 for a request that only reads a prompt into the cache).
    public var maxTokens: Int?

    public init(
        messages: [ChatMessage], tools: [ToolSpec] = [], toolChoice: ToolChoice = .auto, stream: Bool = true, cacheSlot: CacheSlot? = nil,
        maxTokens: Int? = nil
    ) {
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.stream = stream
        self.cacheSlot = cacheSlot
        self.maxTokens = maxTokens
    }
}

/// The two prompt caches of a local llama-server (its slots, `-np 2`). Rounds that may call tools start with the
/// long tool list; rounds that must answer from results are sent without it, to their own slot. Each slot then
/// still holds its prompt's computed beginning for the next request of its kind, and an answer reads the results
/// next to a short prompt: on two cores a token costs ~11 ms to read next to 900 tokens but ~19 ms next to 3,500.
public enum CacheSlot: Int, Sendable {
    case toolRounds = 0
    case answers = 1
}

/// Whether a model may call the tools of a request.
public enum ToolChoice: String, Sendable {
    /// The model decides.
    case auto
    /// The model must answer in text.
    case none
}

/// Token counts of one model response.
public struct Usage: Sendable, Equatable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Of `inputTokens`, how many the server found already computed in its prompt cache (OpenAI's
    /// `prompt_tokens_details.cached_tokens`, which llama-server reports too); nil when the server does not say.
    public var cachedInputTokens: Int?

    public init(inputTokens: Int, outputTokens: Int, cachedInputTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    /// Two rounds' counts together; the cached count is known only if one of them said it.
    public static func + (left: Usage, right: Usage) -> Usage {
        let cached: Int? = left.cachedInputTokens == nil && right.cachedInputTokens == nil
            ? nil : (left.cachedInputTokens ?? 0) + (right.cachedInputTokens ?? 0)
        return Usage(inputTokens: left.inputTokens + right.inputTokens, outputTokens: left.outputTokens + right.outputTokens, cachedInputTokens: cached)
    }
}

/// Why the model stopped.
public enum FinishReason: String, Sendable, Equatable, Codable {
    case stop, toolCalls = "tool_calls", length, contentFilter = "content_filter", other
}

/// What a provider reports while a response streams in. Every provider, streamed or not, produces the same events.
public enum ChatEvent: Sendable, Equatable {
    case textDelta(String)
    case toolCallStart(index: Int, id: String, name: String)
    case toolCallArgumentsDelta(index: Int, fragment: String)
    case toolCallEnd(index: Int)
    case usage(Usage)
    case finish(FinishReason)
    /// The request is being tried again after a retryable failure (attempt counts from 2).
    case retrying(attempt: Int, after: Duration, reason: String)
}

/// A chat model endpoint.
public protocol ChatProvider: Sendable {
    /// Sends the conversation and streams the answer as events.
    func send(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error>
    /// Whether the server keeps requests of each `CacheSlot` in a cache of their own, so that a request that may
    /// not call tools is cheaper without the tool list. False unless a provider says otherwise.
    var cachesAnswersApart: Bool { get }
}

extension ChatProvider {
    public var cachesAnswersApart: Bool { false }
}

/// A complete response, put together from events.
public struct ChatResponse: Sendable, Equatable {
    public var text: String = ""
    public var toolCalls: [ToolCall] = []
    public var usage: Usage?
    public var finishReason: FinishReason?
    public var retries = 0

    public init() {}

    /// Folds one event in.
    public mutating func apply(_ event: ChatEvent) {
        switch event {
        case .textDelta(let text): self.text += text
        case .toolCallStart(let index, let id, let name):
            while toolCalls.count <= index { toolCalls.append(ToolCall(id: "", name: "", arguments: "")) }
            toolCalls[index].id = id
            toolCalls[index].name = name
        case .toolCallArgumentsDelta(let index, let fragment):
            while toolCalls.count <= index { toolCalls.append(ToolCall(id: "", name: "", arguments: "")) }
            toolCalls[index].arguments += fragment
        case .toolCallEnd: break
        case .usage(let usage): self.usage = usage
        case .finish(let reason): finishReason = reason
        case .retrying: retries += 1
        }
    }

    /// Sends a request and collects the whole answer.
    public static func collect(from provider: any ChatProvider, _ request: ChatRequest) async throws -> ChatResponse {
        var response = ChatResponse()
        for try await event in provider.send(request) { response.apply(event) }
        return response
    }
}
