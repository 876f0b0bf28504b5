import MCP

/// One MCP server as ledgerchat uses it: the tools it offers and a way to call them. Implemented by a client
/// over any transport (`MCPConnection`) and by the built-in demo ledger (`BuiltinServer`).
public protocol ToolServer: Sendable {
    /// The server's name in ledgerchat's configuration, e.g. "demo".
    var name: String { get }
    /// Every tool the server offers.
    func tools() async throws -> [Tool]
    /// Calls a tool and keeps the whole result, `structuredContent` included.
    func call(_ name: String, arguments: [String: Value]) async throws -> CallTool.Result
    /// Ends the session; later calls fail.
    func disconnect() async
    /// Whether it can be used now, and if not, why.
    func currentStatus() async -> ServerStatus
}
