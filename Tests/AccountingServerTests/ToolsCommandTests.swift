import Foundation
import TestSupport
import Testing

/// `ledgerchat tools` and `ledgerchat servers`: MCP without an LLM, as a user runs them.
@Suite("tools and servers commands", .serialized)
struct ToolsCommandTests {
    /// A private home for config, data and state, so nothing of the user's is read or written.
    func sandbox() throws -> (directory: String, environment: [String: String]) {
        let directory = try scratchDirectory("tools")
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_DATA_HOME"] = directory + "/data"
        environment["XDG_CONFIG_HOME"] = directory + "/config"
        environment["XDG_STATE_HOME"] = directory + "/state"
        environment.removeValue(forKey: "LEDGERCHAT_CONFIG")
        return (directory, environment)
    }

    @Test("tools call list_invoices --arg limit=5 prints the text and a 5-row table of the demo ledger")
    func callListInvoices() async throws {
        let (_, environment) = try sandbox()
        let ledger = try demoLedgerFile()
        let result = try await run(
            try ledgerchatBinary(), ["tools", "call", "list_invoices", "--arg", "limit=5", "--ledger", ledger, "--today", "2026-11-25"],
            environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let tableRows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("RE-") }
        #expect(tableRows.count == 5, "\(result.stdout)")
        #expect(tableRows.first?.hasPrefix("RE-1119") == true)
        #expect(tableRows.allSatisfy { $0.contains("€") })
        #expect(result.stdout.contains("Showing 1–5 of 120 invoices"))
    }

    @Test("tools list --json parses with jq and names every tool with its server")
    func listJSON() async throws {
        let (_, environment) = try sandbox()
        let ledger = try demoLedgerFile()
        let listed = try await run(try ledgerchatBinary(), ["tools", "list", "--json", "--ledger", ledger], environment: environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        let file = scratchPath("tools-list") + ".json"
        try listed.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let names = try await run("/usr/bin/env", ["jq", "-r", ".[] | \"\\(.server) \\(.name)\"", file])
        #expect(names.status == 0, "jq: \(names.stderr)")
        #expect(names.stdout.split(separator: "\n").count == 12)
        #expect(names.stdout.contains("demo list_invoices"))
    }

    @Test("bad arguments are usage errors that say what to write")
    func badArguments() async throws {
        let (_, environment) = try sandbox()
        let ledger = try demoLedgerFile()
        let missingEquals = try await run(try ledgerchatBinary(), ["tools", "call", "list_invoices", "--arg", "limit", "--ledger", ledger], environment: environment)
        #expect(missingEquals.status == 2, "\(missingEquals.status)")
        #expect(missingEquals.stderr.contains("key=value"))
        let wrongType = try await run(try ledgerchatBinary(), ["tools", "call", "list_invoices", "--arg", "limit=five", "--ledger", ledger], environment: environment)
        #expect(wrongType.status == 2)
        #expect(wrongType.stderr.contains("expected integer"), "\(wrongType.stderr)")
        let unknown = try await run(try ledgerchatBinary(), ["tools", "call", "list_unicorns", "--ledger", ledger], environment: environment)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("ledgerchat tools list"))
    }

    @Test("a Claude Desktop config (command, args, env) connects to a stdio server; its stderr goes to the log; no orphans")
    func claudeDesktopStdio() async throws {
        let (directory, environment) = try sandbox()
        let pidFile = directory + "/server.pid"
        let script = packageRootURL.appendingPathComponent("Tests/Interop/fastmcp_peer.py").path
        // The wrapper records the server's pid (exec keeps it) and checks that env reached the child.
        let desktop: [String: Any] = [
            "mcpServers": [
                "peer": [
                    "command": "/bin/sh",
                    "args": ["-c", "test \"$PEER_GREETING\" = moin || exit 9; echo $$ > '\(pidFile)'; exec '\(try peersPython())' '\(script)' stdio"],
                    "env": ["PEER_GREETING": "moin"],
                ]
            ]
        ]
        let file = directory + "/claude_desktop_config.json"
        try JSONSerialization.data(withJSONObject: desktop).write(to: URL(fileURLWithPath: file))
        let config = directory + "/empty.toml"
        try "".write(toFile: config, atomically: true, encoding: .utf8)

        let called = try await run(
            try ledgerchatBinary(), ["tools", "call", "add", "--arg", "a=20", "--arg", "b=22", "--config", config, "--mcp-config", file],
            environment: environment)
        #expect(called.status == 0, "\(called.stderr)")
        #expect(called.stdout.contains("42"))
        // FastMCP logs its start on stderr: that belongs in the log file, not on the user's screen.
        #expect(!called.stderr.contains("Starting MCP server"), "\(called.stderr)")
        let log = (try? String(contentsOfFile: directory + "/state/ledgerchat/servers.log", encoding: .utf8)) ?? ""
        #expect(log.contains("[peer]"), "servers.log: \(log)")

        let pid = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        var gone = false
        for _ in 0..<40 {
            if kill(pid, 0) != 0 { gone = true; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(gone, "the stdio server \(pid) outlived ledgerchat")

        let servers = try await run(try ledgerchatBinary(), ["servers", "--json", "--config", config, "--mcp-config", file], environment: environment)
        #expect(servers.status == 0, "\(servers.stderr)")
        #expect(servers.stdout.contains("\"up\":true") && servers.stdout.contains("fastmcp-peer"), "\(servers.stdout)")
    }

    @Test("servers reports a server that cannot start as down, with the reason, and exits 1")
    func serverDown() async throws {
        let (directory, environment) = try sandbox()
        let config = directory + "/config.toml"
        try """
            [servers.demo]
            builtin = "demo"
            [servers.ghost]
            command = "/nonexistent/mcp-server"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await run(try ledgerchatBinary(), ["servers", "--config", config, "--ledger", try demoLedgerFile()], environment: environment)
        #expect(result.status == 1)
        #expect(result.stdout.contains("demo") && result.stdout.contains("up"))
        #expect(result.stdout.contains("ghost") && result.stdout.contains("down"), "\(result.stdout)")
    }
}
