import MCP

/// A connection to one MCP server, over any swift-sdk transport (in-process today; stdio and Streamable HTTP
/// come with the server registry).
public actor MCPConnection {
    /// The server's name in ledgerchat's configuration, e.g. "demo".
    public nonisolated let name: String
    private let client: Client
    private var cachedTools: [Tool]?

    private init(name: String, client: Client) {
        self.name = name
        self.client = client
    }

    /// Connects and initialises: the protocol handshake happens here.
    public static func connect(name: String, transport: any Transport) async throws -> MCPConnection {
        let client = Client(name: "ledgerchat", version: "0.1.0")
        _ = try await client.connect(transport: transport)
        return MCPConnection(name: name, client: client)
    }

    /// Every tool the server offers, following `nextCursor` pages.
    public func tools() async throws -> [Tool] {
        if let cachedTools { return cachedTools }
        var tools: [Tool] = []
        var cursor: String?
        repeat {
            let page = try await client.listTools(cursor: cursor)
            tools += page.tools
            cursor = page.nextCursor
        } while cursor != nil
        cachedTools = tools
        return tools
    }

    /// Calls a tool and keeps the whole result, `structuredContent` included (the SDK's `callTool` drops it).
    public func call(_ name: String, arguments: [String: Value]) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
    }

    public func disconnect() async {
        await client.disconnect()
    }
}
