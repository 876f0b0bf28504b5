import MCP
import MCPClient

/// Tools from MCP servers, for the agent. Tool names are kept as the servers give them; a name offered by two
/// servers is taken from the first.
public struct MCPToolRunner: ToolRunner {
    public let connections: [any ToolServer]

    public init(connections: [any ToolServer]) { self.connections = connections }

    public func listTools() async throws -> [AgentTool] {
        var tools: [AgentTool] = []
        var seen: Set<String> = []
        for connection in connections {
            for tool in try await connection.tools() where seen.insert(tool.name).inserted {
                tools.append(
                    AgentTool(
                        name: tool.name, description: tool.description ?? "", inputSchema: tool.inputSchema, outputSchema: tool.outputSchema,
                        readOnly: tool.annotations.readOnlyHint == true, destructive: tool.annotations.destructiveHint ?? false,
                        server: connection.name))
            }
        }
        return tools
    }

    public func call(_ name: String, arguments: [String: Value]) async throws -> ToolOutcome {
        for connection in connections where try await connection.tools().contains(where: { $0.name == name }) {
            let result = try await connection.call(name, arguments: arguments)
            let text = result.content.compactMap { content -> String? in
                if case .text(let text, _, _) = content { return text }
                return nil
            }.joined(separator: "\n")
            return ToolOutcome(text: text, structured: result.structuredContent, isError: result.isError ?? false)
        }
        return ToolOutcome(text: "Unknown tool '\(name)'.", isError: true)
    }
}
