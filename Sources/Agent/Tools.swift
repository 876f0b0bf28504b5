import LLM
import MCP

/// A tool the agent can offer to the model, as its MCP server describes it.
public struct AgentTool: Sendable, Equatable {
    public var name: String
    public var description: String
    public var inputSchema: Value
    public var outputSchema: Value?
    /// `readOnlyHint: true`: runs without asking. Anything else goes through approval.
    public var readOnly: Bool
    public var destructive: Bool
    /// The server the tool comes from, for display.
    public var server: String

    public init(
        name: String, description: String, inputSchema: Value, outputSchema: Value? = nil, readOnly: Bool, destructive: Bool = false,
        server: String
    ) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.readOnly = readOnly
        self.destructive = destructive
        self.server = server
    }

    var spec: ToolSpec { ToolSpec(name: name, description: description, parameters: inputSchema) }
}

/// What a tool returned.
public struct ToolOutcome: Sendable, Equatable {
    /// The text content, as the server wrote it for models and people.
    public var text: String
    /// The structured content, for tables.
    public var structured: Value?
    public var isError: Bool

    public init(text: String, structured: Value? = nil, isError: Bool = false) {
        self.text = text
        self.structured = structured
        self.isError = isError
    }
}

/// Where tools come from and how they run: an MCP connection, or several.
public protocol ToolRunner: Sendable {
    func listTools() async throws -> [AgentTool]
    func call(_ name: String, arguments: [String: Value]) async throws -> ToolOutcome
}

/// Decides whether a tool that may change data runs.
public protocol ApprovalHandler: Sendable {
    func approve(_ call: ToolCall, tool: AgentTool, arguments: [String: Value]) async -> Bool
}

/// Approves everything (`--yes`).
public struct ApproveAll: ApprovalHandler {
    public init() {}
    public func approve(_ call: ToolCall, tool: AgentTool, arguments: [String: Value]) async -> Bool { true }
}

/// Refuses everything that is not read-only (no way to ask the user).
public struct RefuseAll: ApprovalHandler {
    public init() {}
    public func approve(_ call: ToolCall, tool: AgentTool, arguments: [String: Value]) async -> Bool { false }
}
