import Foundation
import MCP
import MCPClient
import TestSupport
import Testing

/// What happens when servers misbehave: crashes, restarts, cut streams, garbage, expired tokens. Each case must end
/// in a clear error (or a transparent recovery) well within the timeout, never a hang or a crash.
@Suite("MCP client faults")
struct FaultTests {
    func isDown(_ connection: MCPConnection) async -> Bool {
        if case .failed = await connection.status { return true }
        return false
    }

    @Test("a stdio server killed mid-call: error at once with its last words, status down, the next call reconnects")
    func stdioCrash() async throws {
        let connection = try fastMCPOverStdio(timeout: .seconds(30))
        _ = try await connection.tools()
        // A transport error, not the 30 s timeout: the waiting call learnt of the exit at once.
        let error = await #expect(throws: MCPTransportError.self) { try await connection.call("crash", arguments: [:]) }
        #expect(error?.description.contains("exited with status 3") == true, "\(String(describing: error))")
        #expect(error?.description.contains("crashing on purpose") == true, "\(String(describing: error))")
        #expect(await isDown(connection))
        let sum = try await connection.call("add", arguments: ["a": 1, "b": 1])
        #expect(sum.structuredContent == ["sum": 2])
        #expect(await connection.status.isUp)
        await connection.disconnect()
    }

    @Test("an HTTP server killed mid-call: error within the timeout, status down; restarted, the next call reconnects")
    func httpKilled() async throws {
        let peer = try await PeerServer(script: "lowlevel_peer.py")
        let connection = overHTTP(peer.url + "/", timeout: .seconds(30))
        _ = try await connection.tools()
        async let hanging: CallTool.Result = connection.call("hang", arguments: [:])
        try await Task.sleep(for: .milliseconds(500))
        await peer.kill()
        do {
            _ = try await hanging
            Issue.record("a call to a killed server succeeded")
        } catch {
            // A transport error, not the 30 s timeout.
            #expect(error is MCPTransportError, "\(error)")
        }
        #expect(await isDown(connection))

        let restarted = try await PeerServer(script: "lowlevel_peer.py", arguments: [String(peer.port)])
        #expect(try await connection.call("echo", arguments: ["text": "back"]).content == [.text(text: "back", annotations: nil, _meta: nil)])
        await connection.disconnect()
        await restarted.kill()
    }

    @Test("a restarted server that forgot the session: a new session, without the user doing anything")
    func sessionForgotten() async throws {
        let peer = try await PeerServer(script: "lowlevel_peer.py")
        let connection = overHTTP(peer.url + "/")
        #expect(text(try await connection.call("echo", arguments: ["text": "one"])) == "one")
        await peer.kill()
        let restarted = try await PeerServer(script: "lowlevel_peer.py", arguments: [String(peer.port)])
        #expect(text(try await connection.call("echo", arguments: ["text": "two"])) == "two")
        #expect(await connection.takeNotices().contains { $0.contains("started a new one") })
        await connection.disconnect()
        await restarted.kill()
    }

    @Test(
        "malformed answers are clear errors, not hangs",
        arguments: [
            ("sse-garbage", "not JSON"),
            ("json-garbage", "not JSON"),
            ("sse-cut", "ended the answer stream without answering"),
        ])
    func malformed(mode: String, expected: String) async throws {
        let broken = try PythonServer(script: "../Interop/broken_mcp.py", arguments: [mode])
        let connection = overHTTP(broken.url("/mcp"), timeout: .seconds(20))
        do {
            _ = try await connection.tools()
            Issue.record("\(mode): tools/list succeeded")
        } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            // The reason itself, not the timeout's message: no waiting for an answer that cannot come.
            #expect(message.contains(expected), "\(mode): \(message)")
            #expect(!(error is MCPTimeoutError))
        }
        await connection.disconnect()
    }

    @Test("401: bearer_token_command runs again once; a token that stays wrong is a clear error")
    func expiringToken() async throws {
        let directory = try scratchDirectory("token")
        let serverToken = directory + "/server-token"
        let issued = directory + "/issued-token"
        let runs = directory + "/runs"
        try "first".write(toFile: serverToken, atomically: true, encoding: .utf8)
        try "first".write(toFile: issued, atomically: true, encoding: .utf8)
        let peer = try await PeerServer(script: "fastmcp_peer.py", arguments: ["http-stateless"], environment: ["PEER_TOKEN_FILE": serverToken])
        let command = "echo run >> '\(runs)'; cat '\(issued)'"
        let connection = MCPConnection(name: "secured", timeout: .seconds(20)) { _ in
            StreamableHTTPTransport(name: "secured", url: peer.url, bearerTokenCommand: command)
        }
        func runCount() -> Int { ((try? String(contentsOfFile: runs, encoding: .utf8)) ?? "").split(separator: "\n").count }

        #expect(try await connection.call("add", arguments: ["a": 1, "b": 2]).structuredContent == ["sum": 3])
        #expect(runCount() == 1)

        // The token expires; the command now issues the new one: one 401, one re-run, success.
        try "second".write(toFile: serverToken, atomically: true, encoding: .utf8)
        try "second".write(toFile: issued, atomically: true, encoding: .utf8)
        #expect(try await connection.call("add", arguments: ["a": 2, "b": 2]).structuredContent == ["sum": 4])
        #expect(runCount() == 2)

        // The command keeps issuing a stale token: re-run once, then a clear error.
        try "third".write(toFile: serverToken, atomically: true, encoding: .utf8)
        let error = await #expect(throws: MCPTransportError.self) { try await connection.call("add", arguments: ["a": 3, "b": 3]) }
        #expect(error?.description.contains("401") == true && error?.description.contains("bearer_token_command") == true, "\(String(describing: error))")
        #expect(runCount() == 3)
        await connection.disconnect()
        await peer.kill()
    }
}
