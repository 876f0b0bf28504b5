import AccountingServer
import Agent
import Config
import Foundation
import Ledger
import MCP
import MCPClient
import TestSupport
import Testing

@Suite("Server registry")
struct RegistryTests {
    let anchor = LedgerDate(iso: "2026-11-25")!

    func service(toolset: Toolset = .full) throws -> AccountingService {
        let store = try LedgerStore()
        try DemoLedger.generate(into: store, seed: 42, anchor: anchor)
        return AccountingService(store: store, options: AccountingServerOptions(toolset: toolset, today: { [anchor] in anchor }))
    }

    @Test("Claude Desktop files in both forms, unknown keys accepted, mistakes named")
    func claudeDesktop() throws {
        let json = """
            {"mcpServers": {
              "files": {"command": "npx", "args": ["-y", "server-files", "/tmp"], "env": {"DEBUG": "1"}},
              "remote": {"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer abc"}},
              "old": {"command": "x", "disabled": true}
            }}
            """
        let servers = try ServerCatalog.claudeDesktopServers(Data(json.utf8), file: "desktop.json")
        #expect(servers["files"]?.command == "npx" && servers["files"]?.args == ["-y", "server-files", "/tmp"] && servers["files"]?.env == ["DEBUG": "1"])
        #expect(servers["remote"]?.url == "https://mcp.example.com/mcp" && servers["remote"]?.headers["Authorization"] == "Bearer abc")
        #expect(servers["old"]?.enabled == false)
        #expect(throws: ServerConfigError.self) { try ServerCatalog.claudeDesktopServers(Data(#"{"servers": {}}"#.utf8), file: "x.json") }
        let missing = #expect(throws: ServerConfigError.self) {
            try ServerCatalog.claudeDesktopServers(Data(#"{"mcpServers": {"a": {"args": []}}}"#.utf8), file: "x.json")
        }
        #expect(missing?.message.contains("mcpServers.a") == true)
    }

    @Test("no servers configured means the built-in demo ledger; config servers come first")
    func defaults() throws {
        #expect(try ServerCatalog.definitions(config: LedgerchatConfig()).map(\.name) == ["demo"])
        var config = LedgerchatConfig()
        config.servers["books"] = ServerSettings(builtin: "demo")
        #expect(try ServerCatalog.definitions(config: config).map(\.name) == ["books"])
    }

    @Test("allow_tools and deny_tools filter the list and refuse calls")
    func filters() async throws {
        var settings = ServerSettings(builtin: "demo")
        settings.allowTools = ["list_invoices", "get_invoice", "create_contact"]
        settings.denyTools = ["create_contact"]
        let service = try service()
        let registry = try ServerRegistry(definitions: [ServerDefinition(name: "demo", settings: settings, origin: "test")]) { _ in service }
        let server = try #require(registry.server(named: "demo"))
        #expect(try await server.tools().map(\.name).sorted() == ["get_invoice", "list_invoices"])
        let refused = try await server.call("create_contact", arguments: ["name": "X"])
        #expect(refused.isError == true)
    }

    @Test("tool names are kept, and prefixed server__tool only where two servers collide")
    func namespacing() async throws {
        let full = BuiltinServer(name: "books", service: try service())
        let poc = BuiltinServer(name: "legacy", service: try service(toolset: .poc))
        let runner = MCPToolRunner(connections: [full, poc])
        let names = Set(try await runner.listTools().map(\.name))
        #expect(names.contains("list_invoices") && names.contains("get_invoices"))
        // create_contact exists in both toolsets.
        #expect(names.contains("books__create_contact") && names.contains("legacy__create_contact") && !names.contains("create_contact"))
        let outcome = try await runner.call("legacy__create_contact", arguments: [:])
        #expect(outcome.isError, "poc create_contact without a name must fail")
        #expect(try await runner.call("list_invoices", arguments: ["limit": 1]).isError == false)
    }

    @Test("a request slower than the timeout fails with a message naming the setting")
    func timeout() async throws {
        let peer = try await PeerServer(script: "lowlevel_peer.py")
        // 15 s, not less: `make test` runs the real-model tests alongside, and a starved Python peer once needed
        // more than 5 s for tools/list there.
        let connection = overHTTP(peer.url + "/", name: "slowpoke", timeout: .seconds(15))
        _ = try await connection.tools()
        let error = await #expect(throws: MCPTimeoutError.self) { try await connection.call("hang", arguments: [:]) }
        #expect(error?.description.contains("timeout in [servers.slowpoke]") == true)
        // The connection is still usable after a timed-out call.
        #expect(text(try await connection.call("echo", arguments: ["text": "still here"])) == "still here")
        await connection.disconnect()
        await peer.kill()
    }
}
