import MCP
import MCPClient
import Synchronization

/// Tools from MCP servers, for the agent. A tool keeps the name its server gives it; only when two servers offer
/// the same name are both called `server__tool`. A server that cannot be reached contributes no tools (its status
/// says why) instead of failing the question.
///
/// Calls are routed by the catalog the last `listTools()` built, so a call does not list every server again (which
/// would also retry every server that is down).
public final class MCPToolRunner: ToolRunner {
    public let connections: [any ToolServer]
    private typealias Route = (server: any ToolServer, toolName: String)
    private let routes = Mutex<[String: Route]?>(nil)

    public init(connections: [any ToolServer]) { self.connections = connections }

    /// The agent's name for each tool, with the server and the server's own name for it.
    public func catalog() async -> [(name: String, server: any ToolServer, tool: Tool)] {
        var offered: [(server: any ToolServer, tool: Tool)] = []
        await withTaskGroup(of: (Int, [Tool]).self) { group in
            for (index, connection) in connections.enumerated() {
                group.addTask { (index, (try? await connection.tools()) ?? []) }
            }
            var byIndex: [Int: [Tool]] = [:]
            for await (index, tools) in group { byIndex[index] = tools }
            for index in connections.indices {
                for tool in byIndex[index] ?? [] { offered.append((connections[index], tool)) }
            }
        }
        var counts: [String: Int] = [:]
        for entry in offered { counts[entry.tool.name, default: 0] += 1 }
        var seen: Set<String> = []
        var catalog: [(name: String, server: any ToolServer, tool: Tool)] = []
        for entry in offered {
            let name = counts[entry.tool.name, default: 0] > 1 ? "\(entry.server.name)__\(entry.tool.name)" : entry.tool.name
            // A server listing one name twice keeps the first.
            guard seen.insert(name).inserted else { continue }
            catalog.append((name, entry.server, entry.tool))
        }
        return catalog
    }

    public func listTools() async throws -> [AgentTool] {
        let catalog = await catalog()
        let table = Dictionary(catalog.map { ($0.name, ($0.server, $0.tool.name)) }, uniquingKeysWith: { first, _ in first })
        routes.withLock { $0 = table }
        return catalog.map { entry in
            AgentTool(
                name: entry.name, description: entry.tool.description ?? "", inputSchema: entry.tool.inputSchema,
                outputSchema: entry.tool.outputSchema, readOnly: entry.tool.annotations.readOnlyHint == true,
                destructive: entry.tool.annotations.destructiveHint ?? false, server: entry.server.name)
        }
    }

    public func call(_ name: String, arguments: [String: Value]) async throws -> ToolOutcome {
        var route = routes.withLock { $0?[name] }
        if route == nil, routes.withLock({ $0 == nil }) {
            _ = try await listTools()
            route = routes.withLock { $0?[name] }
        }
        guard let route else { return ToolOutcome(text: "Unknown tool '\(name)'.", isError: true) }
        let result = try await route.server.call(route.toolName, arguments: arguments)
        let text = result.content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }.joined(separator: "\n")
        return ToolOutcome(text: text, structured: result.structuredContent, isError: result.isError ?? false)
    }
}
