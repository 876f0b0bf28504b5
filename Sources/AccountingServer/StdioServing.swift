import MCP

/// Serves the accounting tools over stdio: JSON-RPC on stdin/stdout, logs on stderr only.
public enum AccountingStdioServer {
    /// Runs until the client closes stdin.
    public static func run(service: AccountingService) async throws {
        let server = await service.makeServer(session: "stdio")
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }
}
