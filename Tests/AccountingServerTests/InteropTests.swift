import Foundation
import TestSupport
import Testing

/// The official Python MCP SDK (a pinned PyPI release) as an independent client of our server: it lists
/// and calls every tool and validates each structuredContent against the tool's outputSchema (jsonschema).
@Suite("Interop with the Python MCP SDK", .serialized)
struct InteropTests {
    struct Report: Decodable {
        struct Call: Decodable {
            var tool: String
            var is_error: Bool
            var has_structured: Bool
            var has_schema: Bool
            var read_only: Bool?
            var valid: Bool?
            var violation: String?
            var text: String
        }
        var protocol_version: String
        var tools: [String]
        var calls: [Call]
    }

    func runPeer(_ arguments: [String]) async throws -> Report {
        let script = packageRootURL.appendingPathComponent("Tests/Interop/peer_client.py").path
        let result = try await run(try peersPython(), [script] + arguments, timeout: 180)
        #expect(result.status == 0, "peer client failed: \(result.stderr.suffix(2000))")
        return try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
    }

    func expectFullToolset(_ report: Report) {
        #expect(["2025-11-25", "2025-06-18", "2025-03-26"].contains(report.protocol_version))
        #expect(report.tools.count == 12)
        #expect(report.calls.count == 18)
        for call in report.calls {
            #expect(!call.is_error, "\(call.tool): \(call.text)")
            #expect(call.has_schema && call.has_structured, "\(call.tool) returned no structuredContent")
            #expect(call.valid == true, "\(call.tool): \(call.violation ?? "not validated")")
            #expect(call.read_only == (call.tool != "create_contact"))
            #expect(!call.text.isEmpty && !call.text.hasPrefix("{"), "\(call.tool) text content must be readable, not JSON")
        }
    }

    @Test("over stdio")
    func stdio() async throws {
        let report = try await runPeer(["--stdio", try ledgerchatBinary(), "serve", "--stdio", "--ledger", try demoLedgerFile()])
        expectFullToolset(report)
    }

    @Test("over stdio with the proof-of-concept toolset")
    func stdioProofOfConcept() async throws {
        let report = try await runPeer(["--toolset", "poc", "--stdio", try ledgerchatBinary(), "serve", "--stdio", "--toolset", "poc", "--ledger", try demoLedgerFile()])
        #expect(report.tools == ["get_contacts", "get_invoices", "get_vouchers", "get_check_accounts", "get_transactions", "create_contact"])
        #expect(report.calls.count == 6)
        #expect(report.calls.allSatisfy { !$0.is_error && !$0.has_structured && $0.text.contains("(showing") || $0.tool == "create_contact" })
    }

    @Test("over HTTP, stateless")
    func httpStateless() async throws {
        let server = try await ServedProcess(arguments: ["--ledger", try demoLedgerFile()])
        expectFullToolset(try await runPeer(["--http", server.url]))
    }

    @Test("over HTTP, stateful")
    func httpStateful() async throws {
        let server = try await ServedProcess(arguments: ["--ledger", try demoLedgerFile(), "--stateful"])
        expectFullToolset(try await runPeer(["--http", server.url]))
        try await Task.sleep(for: .milliseconds(200))
        // The SDK ends its session with DELETE.
        #expect(server.logLines.contains { $0.contains(#""method":"DELETE""#) && $0.contains(#""status":200"#) })
    }
}
