import Foundation
import MCP
import MCPClient
import TestSupport
import Testing

/// Collects what a connection reports while it works.
final class ActivityLog: Sendable {
    private let entries = Locked<[ServerActivity]>([])
    var all: [ServerActivity] { entries.withLock { $0 } }
    func record(_ activity: ServerActivity) { entries.withLock { $0.append(activity) } }
}

func fastMCPOverStdio(timeout: Duration = .seconds(30)) throws -> MCPConnection {
    let python = try peersPython()
    let script = packageRootURL.appendingPathComponent("Tests/Interop/fastmcp_peer.py").path
    return MCPConnection(name: "peer", timeout: timeout) { ended in
        StdioProcessTransport(name: "peer", command: python, arguments: [script, "stdio"], onExit: ended)
    }
}

func overHTTP(_ url: String, name: String = "peer", timeout: Duration = .seconds(30), transports: Locked<[StreamableHTTPTransport]>? = nil)
    -> MCPConnection
{
    MCPConnection(name: name, timeout: timeout) { _ in
        let transport = StreamableHTTPTransport(name: name, url: url)
        transports?.withLock { $0.append(transport) }
        return transport
    }
}

/// Whether `condition` becomes true within about two seconds, for things that arrive asynchronously.
func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<40 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

func text(_ result: CallTool.Result) -> String {
    result.content.compactMap { if case .text(let text, _, _) = $0 { return text } else { return nil } }.joined(separator: "\n")
}

/// Real peers from PyPI (pinned in Tests/Interop/requirements.lock): FastMCP 4.x over stdio and Streamable HTTP
/// (whose answers are SSE streams), and a server on the Python `mcp` SDK's low-level API answering JSON.
@Suite("MCP client against real peers")
struct PeerInteropTests {
    /// The checks every FastMCP transport must pass: tools, structured output, a raising tool, and a slow tool
    /// whose progress notifications arrive while it works.
    func exercise(_ connection: MCPConnection) async throws {
        let names = Set(try await connection.tools().map(\.name))
        #expect(names.isSuperset(of: ["add", "explode", "slow", "crash", "drop_stream", "grow"]))
        guard case .connected(let version, let server) = await connection.status else {
            Issue.record("not connected: \(await connection.status)")
            return
        }
        #expect(server == "fastmcp-peer")
        #expect(["2025-11-25", "2025-06-18", "2025-03-26"].contains(version))

        let sum = try await connection.call("add", arguments: ["a": 2, "b": 3])
        #expect(sum.structuredContent == ["sum": 5])
        #expect(sum.isError != true)

        let failed = try await connection.call("explode", arguments: ["message": "on purpose"])
        #expect(failed.isError == true)
        #expect(text(failed).contains("exploded: on purpose"))

        let activity = ActivityLog()
        await connection.setActivityHandler { activity.record($0) }
        let slow = try await connection.call("slow", arguments: ["seconds": 0.6, "steps": 3])
        #expect(text(slow).contains("done after 3 steps"))
        let progress = activity.all.filter { if case .progress = $0 { return true } else { return false } }
        #expect(progress.count >= 2, "progress notifications during the slow call: \(activity.all)")
        await connection.setActivityHandler(nil)
    }

    @Test("FastMCP over stdio")
    func fastMCPStdio() async throws {
        let connection = try fastMCPOverStdio()
        try await exercise(connection)
        await connection.disconnect()
    }

    @Test("FastMCP over Streamable HTTP, stateless, answering with SSE")
    func fastMCPStateless() async throws {
        let peer = try await PeerServer(script: "fastmcp_peer.py", arguments: ["http-stateless"])
        let transports = Locked<[StreamableHTTPTransport]>([])
        let connection = overHTTP(peer.url, transports: transports)
        try await exercise(connection)
        #expect(await transports.withLock { $0 }.first?.currentSessionID == nil)
        await connection.disconnect()
        await peer.kill()
    }

    @Test("FastMCP over Streamable HTTP, stateful: session, GET stream, resumption, list_changed")
    func fastMCPStateful() async throws {
        let peer = try await PeerServer(script: "fastmcp_peer.py", arguments: ["http-stateful"])
        let transports = Locked<[StreamableHTTPTransport]>([])
        let connection = overHTTP(peer.url, transports: transports)
        try await exercise(connection)
        let transport = try #require(transports.withLock { $0 }.first)
        #expect(await transport.currentSessionID?.isEmpty == false)
        // The GET stream is opened after initialisation; FastMCP offers it on stateful sessions.
        _ = try await eventually { await transport.getStreamOffered != nil }
        #expect(await transport.getStreamOffered == true)

        // The server closes the answer stream after an event with an id; only a resumed stream brings the answer.
        let survived = try await connection.call("drop_stream", arguments: [:])
        #expect(text(survived).contains("survived the dropped stream"))

        // A tool added at run time is announced with notifications/tools/list_changed; the list refreshes.
        #expect(try await connection.tools().contains { $0.name == "extra" } == false)
        _ = try await connection.call("grow", arguments: [:])
        let refreshed = try await eventually { try await connection.tools().contains { $0.name == "extra" } }
        #expect(refreshed, "tools/list_changed did not refresh the tool list")
        await connection.disconnect()
        await peer.kill()
    }

    @Test("the Python SDK's low-level server: JSON answers, sessions, paged tools/list, newest version 2026-07-28")
    func lowLevelJSON() async throws {
        let peer = try await PeerServer(script: "lowlevel_peer.py")
        let connection = overHTTP(peer.url + "/")
        #expect(try await connection.tools().map(\.name) == ["echo", "hang"])
        #expect(text(try await connection.call("echo", arguments: ["text": "grüß dich"])) == "grüß dich")
        guard case .connected(let version, let server) = await connection.status else {
            Issue.record("not connected")
            return
        }
        #expect(server == "lowlevel-peer")
        #expect(version == "2025-11-25")
        await connection.disconnect()
        await peer.kill()
    }
}
