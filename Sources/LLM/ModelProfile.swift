import Curl
import Foundation

/// Which wire format a model endpoint speaks.
public enum ProviderKind: String, Sendable, CaseIterable {
    /// OpenAI Chat Completions: OpenAI, llama.cpp's llama-server, Ollama, vLLM, LM Studio, OpenRouter.
    case openai
    /// Anthropic Messages.
    case anthropic
    /// The offline model: a llama-server that ledgerchat starts and stops, spoken to as `openai`.
    case local
}

/// A configured model: where it is, how to call it, what it costs.
public struct ModelProfile: Sendable {
    public var name: String
    public var provider: ProviderKind
    /// e.g. `https://api.openai.com/v1`, `http://127.0.0.1:8080/v1`, `https://api.anthropic.com`.
    public var baseURL: String
    public var model: String
    public var apiKey: String?
    public var temperature: Double?
    public var maxTokens: Int?
    public var contextWindow: Int?
    /// Price per million input and output tokens, in dollars.
    public var inputPricePerMillion: Double?
    public var outputPricePerMillion: Double?
    /// Sent with every request, e.g. `HTTP-Referer` for OpenRouter.
    public var headers: [HeaderField]
    public var timeouts: CurlTimeouts
    public var retry: RetryPolicy
    /// Turn tool calls written as text into real ones, clean arguments, correct schema violations once (for small
    /// models; on by default for `local`).
    public var smallModelResilience: Bool
    /// For `local`: the chat template file llama-server uses.
    public var chatTemplate: String?
    /// The server is llama.cpp's llama-server with two slots (`-np 2`): small-model answer rounds go to slot 1
    /// without the tool list, tool rounds to slot 0 (see `CacheSlot`). On by default for `local`, which starts it so.
    public var answerSlot: Bool

    public init(
        name: String, provider: ProviderKind, baseURL: String, model: String, apiKey: String? = nil,
        temperature: Double? = nil, maxTokens: Int? = nil, contextWindow: Int? = nil, inputPricePerMillion: Double? = nil,
        outputPricePerMillion: Double? = nil, headers: [HeaderField] = [], timeouts: CurlTimeouts = CurlTimeouts(total: nil, idle: .seconds(120)),
        retry: RetryPolicy = RetryPolicy(), smallModelResilience: Bool? = nil, chatTemplate: String? = nil, answerSlot: Bool? = nil
    ) {
        self.smallModelResilience = smallModelResilience ?? (provider == .local)
        self.answerSlot = answerSlot ?? (provider == .local)
        self.chatTemplate = chatTemplate
        self.name = name
        self.provider = provider
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.apiKey = apiKey
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.contextWindow = contextWindow
        self.inputPricePerMillion = inputPricePerMillion
        self.outputPricePerMillion = outputPricePerMillion
        self.headers = headers
        self.timeouts = timeouts
        self.retry = retry
    }

    /// What a usage cost in dollars, when prices are configured.
    public func cost(of usage: Usage) -> Double? {
        guard let input = inputPricePerMillion, let output = outputPricePerMillion else { return nil }
        return (Double(usage.inputTokens) * input + Double(usage.outputTokens) * output) / 1_000_000
    }

    /// What to tell the user when an answer stopped at this model's token limit (`FinishReason.length`), with the
    /// key that raises it.
    public var cutOffWarning: String {
        let limit = maxTokens.map { "the model's limit of \($0) tokens" } ?? "the model's token limit"
        let key = provider == .local
            ? "max_tokens in a [models.\(name)] section with provider = \"local\""
            : "max_tokens in [models.\(name)]"
        return "The answer stops at \(limit), so it is incomplete. Ask for less at once, or raise \(key) in the config (see config.example.toml)."
    }

    /// The provider for this profile. `progress` hears about slow preparations (starting the local model).
    public func makeProvider(progress: @escaping @Sendable (String) -> Void = { _ in }) -> any ChatProvider {
        switch provider {
        case .openai: return OpenAIProvider(profile: self)
        case .anthropic: return AnthropicProvider(profile: self)
        case .local: return LocalModelProvider(profile: self, template: chatTemplate, progress: progress)
        }
    }
}

/// When and how often a failed request is tried again.
public struct RetryPolicy: Sendable {
    /// Tries in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Waits between tries; replaceable so tests need not sleep.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.sleep = sleep
    }

    /// Exponential backoff with full jitter, or the server's `Retry-After` when it gave one.
    public func delay(beforeAttempt attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay) }
        let exponential = baseDelay * (1 << min(attempt - 2, 16))
        let capped = min(exponential, maxDelay)
        return capped * Double.random(in: 0.5...1.0)
    }
}

/// A model request that failed for good, with the API's own words where it gave any.
public enum LLMError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The API answered with an error status.
    case api(model: String, status: Int, message: String, attempts: Int)
    /// The endpoint could not be reached or the connection broke.
    case transport(model: String, detail: String, attempts: Int)
    /// The answer was not in the expected format.
    case malformed(model: String, detail: String)
    /// A streamed answer stopped before it was complete.
    case incomplete(model: String, detail: String)

    public var description: String {
        switch self {
        case .api(let model, let status, let message, let attempts):
            let hint: String
            switch status {
            case 401, 403: hint = " Check the api_key of this model in the config."
            case 404: hint = " Check the model name and base_url."
            case 429: hint = " The API is rate limiting; wait a moment or use another model."
            default: hint = ""
            }
            return "\(model) answered HTTP \(status)\(attempts > 1 ? " after \(attempts) tries" : ""): \(message).\(hint)"
        case .transport(let model, let detail, let attempts):
            return "Could not reach \(model)\(attempts > 1 ? " after \(attempts) tries" : ""): \(detail)"
        case .malformed(let model, let detail): return "\(model) sent an answer ledgerchat cannot read: \(detail)"
        case .incomplete(let model, let detail): return "\(model) stopped mid-answer: \(detail). Try again."
        }
    }

    public var errorDescription: String? { description }
}

extension Duration {
    static func * (duration: Duration, factor: Double) -> Duration {
        let (seconds, attoseconds) = duration.components
        let total = (Double(seconds) + Double(attoseconds) / 1e18) * factor
        return .milliseconds(Int64((total * 1000).rounded()))
    }
}
