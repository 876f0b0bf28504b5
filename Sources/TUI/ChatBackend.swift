import Agent
import LLM
import MCP

/// A model ready to chat: its provider, the agent settings and system prompt that go with it.
public struct ChatModel: Sendable {
    public var name: String
    public var provider: any ChatProvider
    public var settings: AgentSettings
    public var systemPrompt: String
    /// Dollars for a usage, when the profile has prices.
    public var cost: @Sendable (Usage) -> Double?
    /// What to tell the user when an answer stopped at the model's token limit (`ModelProfile.cutOffWarning`).
    public var cutOffWarning: String

    public init(
        name: String, provider: any ChatProvider, settings: AgentSettings, systemPrompt: String, cost: @escaping @Sendable (Usage) -> Double?,
        cutOffWarning: String
    ) {
        self.cutOffWarning = cutOffWarning
        self.name = name
        self.provider = provider
        self.settings = settings
        self.systemPrompt = systemPrompt
        self.cost = cost
    }
}

/// One MCP server as /servers and the status bar show it.
public struct ServerSummary: Sendable, Equatable {
    public var name: String
    public var up: Bool
    public var detail: String
    public var toolCount: Int

    public init(name: String, up: Bool, detail: String, toolCount: Int) {
        self.name = name
        self.up = up
        self.detail = detail
        self.toolCount = toolCount
    }
}

/// What the chat needs from the rest of ledgerchat: models, MCP servers, the demo ledger's tool set. The executable
/// provides it from the configuration; tests can provide their own.
public protocol ChatBackend: Sendable {
    /// Model profile names, for /model.
    var modelNames: [String] { get }
    /// The model to chat with (nil: the default); `progress` reports slow starts such as the local model's.
    func model(named: String?, progress: @escaping @Sendable (String) -> Void) async throws -> ChatModel
    /// The tools of every server, routed by name.
    func toolRunner() async -> any ToolRunner
    func servers() async -> [ServerSummary]
    /// The built-in ledger's tool set ("poc" or "full"), nil when there is no built-in ledger.
    func toolset() async -> String?
    func setToolset(_ name: String) async throws
    func welcome() async -> Welcome
    func shutdown() async
}
