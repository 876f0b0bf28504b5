import Foundation
import Testing

@testable import AccountingServer

/// `ledgerchat serve --http` as a real child process, spoken to with curl on loopback.
@Suite("serve --http", .serialized)
struct HTTPServingTests {
    @Test("GET /health reports healthy")
    func health() async throws {
        let server = try await ServedProcess(arguments: ["--ledger", try demoLedgerFile()])
        let response = try await curl(["http://127.0.0.1:\(server.port)/health"])
        #expect(response.status == 200)
        let body = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: String]
        #expect(body?["status"] == "healthy")
        #expect(body?["mode"] == "stateless")
        #expect(body?["tools"] == "12")
    }

    @Test("a foreign Host or Origin gets 403; loopback and allowed names pass")
    func dnsRebinding() async throws {
        let server = try await ServedProcess(arguments: ["--ledger", try demoLedgerFile(), "--allowed-host", "ledger.internal", "--allowed-origin", "https://app.example.com"])
        let health = "http://127.0.0.1:\(server.port)/health"
        #expect(try await curl(["-H", "Host: evil.example", health]).status == 403)
        #expect(try await curl(["-H", "Host: evil.example:\(server.port)", server.url, "-d", "{}"] + jsonHeaders).status == 403)
        let origin = try await curl(["-H", "Origin: http://evil.example", server.url, "-d", "{}"] + jsonHeaders)
        #expect(origin.status == 403)
        #expect(origin.body.contains("--allowed-origin"))
        #expect(try await curl(["-H", "Origin: null", health]).status == 403)
        #expect(try await curl(["-H", "Host: localhost:\(server.port)", health]).status == 200)
        #expect(try await curl(["-H", "Host: [::1]:\(server.port)", health]).status == 200)
        #expect(try await curl(["-H", "Host: ledger.internal", health]).status == 200)
        #expect(try await curl(["-H", "Origin: http://localhost:3000", health]).status == 200)
        #expect(try await curl(["-H", "Origin: https://app.example.com", health]).status == 200)
    }

    @Test("with a token, /mcp needs 'Authorization: Bearer' and answers 401 with WWW-Authenticate otherwise")
    func bearerToken() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["TEST_LEDGER_TOKEN"] = "s3cret-token"
        let server = try await ServedProcess(arguments: ["--ledger", try demoLedgerFile(), "--auth-token-env", "TEST_LEDGER_TOKEN"], environment: environment)
        let call = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_company_info","arguments":{}}}"#
        let missing = try await curl([server.url, "-d", call] + jsonHeaders)
        #expect(missing.status == 401)
        #expect(missing.headers["www-authenticate"] == #"Bearer realm="ledgerchat""#)
        let wrong = try await curl([server.url, "-d", call, "-H", "Authorization: Bearer s3cret-tokeN"] + jsonHeaders)
        #expect(wrong.status == 401)
        #expect(wrong.headers["www-authenticate"]?.contains(#"error="invalid_token""#) == true)
        let right = try await curl([server.url, "-d", call, "-H", "Authorization: Bearer s3cret-token"] + jsonHeaders)
        #expect(right.status == 200)
        #expect(right.body.contains("Muster Digital GmbH"))
        #expect(try await curl(["http://127.0.0.1:\(server.port)/health"]).status == 200)
        // The token never reaches the log.
        #expect(!server.logLines.joined().contains("s3cret"))
    }

    @Test("stateless: one POST, one JSON answer; GET is not offered")
    func stateless() async throws {
        let server = try await ServedProcess(arguments: ["--ledger", try demoLedgerFile(), "--today", "2026-11-25"])
        let call = #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_invoices","arguments":{"limit":2}}}"#
        let response = try await curl([server.url, "-d", call] + jsonHeaders)
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        let body = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        let result = body?["result"] as? [String: Any]
        let structured = result?["structuredContent"] as? [String: Any]
        #expect((structured?["items"] as? [Any])?.count == 2)
        #expect(structured?["summary"] as? String == "Showing 1–2 of 120 invoices")
        #expect(try await curl([server.url, "-H", "Accept: text/event-stream"]).status == 405)
        // One JSON log line per request and per tool call, on stderr.
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.logLines.contains { $0.contains(#""event":"tool_call""#) && $0.contains(#""tool":"list_invoices""#) })
        #expect(server.logLines.contains { $0.contains(#""event":"http_request""#) && $0.contains(#""status":200"#) })
    }

    @Test("pipelined requests are answered in order, whichever path answers them")
    func pipelining() async throws {
        let server = try await ServedProcess(arguments: ["--ledger", try demoLedgerFile()])
        // Three requests in one write: the first goes to the swift-sdk Server (ping), the second and third
        // are fast-path candidates that must not overtake it.
        let script = #"""
            import socket, sys
            def request(body):
                return (f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        f"Accept: application/json, text/event-stream\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode()
            bodies = ['{"jsonrpc":"2.0","id":1,"method":"ping"}',
                      '{"jsonrpc":"2.0","id":2,"method":"tools/list"}',
                      '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_bank_accounts"}}']
            connection = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            connection.sendall(b"".join(request(body) for body in bodies))
            received = b""
            connection.settimeout(10)
            while received.count(b"HTTP/1.1 200") < 3 or not received.rstrip().endswith(b"}}"):
                chunk = connection.recv(65536)
                if not chunk: break
                received += chunk
            text = received.decode()
            print(text.find('"id":1'), text.find('"id":2'), text.find('"id":3'))
            """#
        let result = try await run("/usr/bin/env", ["python3", "-c", script, String(server.port)], timeout: 30)
        let positions = result.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(positions.count == 3 && positions.allSatisfy { $0 >= 0 }, "\(result.stdout) \(result.stderr)")
        #expect(positions == positions.sorted(), "answers out of order: \(positions)")
    }

    @Test("stateful: session id, SSE answers, resumption with Last-Event-ID, a GET stream, DELETE ends the session")
    func stateful() async throws {
        let server = try await ServedProcess(arguments: ["--ledger", try demoLedgerFile(), "--stateful"])
        let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}"#
        let start = try await curl([server.url, "-d", initialize] + jsonHeaders)
        #expect(start.status == 200)
        let session = try #require(start.headers["mcp-session-id"])
        #expect(start.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        #expect(start.body.contains(#""protocolVersion":"2025-11-25""#))
        let sessionHeaders = ["-H", "Mcp-Session-Id: \(session)", "-H", "MCP-Protocol-Version: 2025-11-25"]
        #expect(try await curl([server.url, "-d", #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#] + jsonHeaders + sessionHeaders).status == 202)
        let call = #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_bank_accounts","arguments":{}}}"#
        let answer = try await curl([server.url, "-d", call] + jsonHeaders + sessionHeaders)
        #expect(answer.status == 200)
        #expect(answer.body.contains("data: ") && answer.body.contains("Geschäftskonto Sparkasse KölnBonn"))
        // A client that lost the stream resumes after the priming event and gets the answer again.
        let primingID = try #require(answer.body.split(separator: "\n").first { $0.hasPrefix("id: ") }?.dropFirst(4))
        let resumed = try await curl([server.url, "-H", "Accept: text/event-stream", "-H", "Last-Event-ID: \(primingID)"] + sessionHeaders, timeout: 1)
        #expect(resumed.status == 200)
        #expect(resumed.body.contains("Geschäftskonto Sparkasse KölnBonn"))
        let stream = try await curl([server.url, "-H", "Accept: text/event-stream"] + sessionHeaders, timeout: 1)
        #expect(stream.status == 200)
        #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        #expect(try await curl([server.url, "-X", "DELETE"] + sessionHeaders).status == 200)
        #expect(try await curl([server.url, "-d", call] + jsonHeaders + sessionHeaders).status == 404)
        #expect(try await curl([server.url, "-d", call] + jsonHeaders).status == 400)
    }

    @Test("SIGTERM shuts down promptly even with a session's GET stream open")
    func shutdownWithOpenStream() async throws {
        let server = try await ServedProcess(arguments: ["--ledger", try demoLedgerFile(), "--stateful"])
        let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}"#
        let session = try #require(try await curl([server.url, "-d", initialize] + jsonHeaders).headers["mcp-session-id"])
        _ = try await curl([server.url, "-H", "Accept: text/event-stream", "-H", "Mcp-Session-Id: \(session)"], timeout: 1)
        #expect(await server.terminate(within: .seconds(5)))
    }

    @Test("binding beyond loopback without a token refuses to start and names both options")
    func refusesOpenBind() async throws {
        let ledger = try demoLedgerFile()
        let result = try await run(try ledgerchatBinary(), ["serve", "--http", "--host", "0.0.0.0", "--port", "0", "--ledger", ledger], timeout: 20)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--auth-token-env"))
        #expect(result.stderr.contains("--insecure-no-auth"))
        let unset = try await run(
            try ledgerchatBinary(), ["serve", "--http", "--host", "0.0.0.0", "--auth-token-env", "NO_SUCH_VARIABLE_SET", "--ledger", ledger], timeout: 20)
        #expect(unset.status != 0 && unset.stderr.contains("NO_SUCH_VARIABLE_SET is not set"))
    }
}

@Suite("Security policy")
struct SecurityPolicyTests {
    @Test func loopback() {
        #expect(HTTPSecurityPolicy.isLoopback("127.0.0.1"))
        #expect(HTTPSecurityPolicy.isLoopback("::1"))
        #expect(HTTPSecurityPolicy.isLoopback("localhost"))
        #expect(!HTTPSecurityPolicy.isLoopback("0.0.0.0"))
        #expect(!HTTPSecurityPolicy.isLoopback("192.168.1.5"))
        #expect(throws: Never.self) { try HTTPSecurityPolicy.checkBind(host: "0.0.0.0", hasToken: true, insecureNoAuth: false) }
        #expect(throws: Never.self) { try HTTPSecurityPolicy.checkBind(host: "0.0.0.0", hasToken: false, insecureNoAuth: true) }
        #expect(throws: ToolCallError.self) { try HTTPSecurityPolicy.checkBind(host: "0.0.0.0", hasToken: false, insecureNoAuth: false) }
    }

    @Test func tokenComparison() {
        #expect(HTTPSecurityPolicy.constantTimeEquals("abc", "abc"))
        #expect(!HTTPSecurityPolicy.constantTimeEquals("abc", "abd"))
        #expect(!HTTPSecurityPolicy.constantTimeEquals("abc", "abcd"))
        #expect(!HTTPSecurityPolicy.constantTimeEquals("", "a"))
    }

    @Test func redaction() {
        let redacted = ServerLog.redact(.object(["name": "A", "api_key": "k", "nested": .object(["Authorization": "Bearer x"])]))
        #expect(redacted == .object(["name": "A", "api_key": "[redacted]", "nested": .object(["Authorization": "[redacted]"])]))
    }
}
