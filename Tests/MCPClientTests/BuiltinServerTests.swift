import AccountingServer
import Foundation
import Ledger
import MCP
import MCPClient
import Testing

/// The built-in server skips JSON-RPC; what it returns must be exactly what an MCP client gets from the same
/// service through swift-sdk's server and an in-memory transport.
@Suite("Built-in server")
struct BuiltinServerTests {
    let anchor = LedgerDate(iso: "2026-11-25")!

    func service() throws -> AccountingService {
        let store = try LedgerStore()
        try DemoLedger.generate(into: store, seed: 42, anchor: anchor)
        return AccountingService(store: store, options: AccountingServerOptions(today: { [anchor] in anchor }))
    }

    @Test("tools and results equal those through swift-sdk")
    func sameAsThroughSDK() async throws {
        let service = try service()
        let builtin = BuiltinServer(service: service)
        let (_, transport) = try await service.connectInProcess()
        let viaSDK = try await MCPConnection.connect(name: "demo", transport: transport)
        #expect(try await builtin.tools() == (try await viaSDK.tools()))
        let calls: [(String, [String: Value])] = [
            ("list_invoices", ["limit": 5]),
            ("list_invoices", ["status": "unpaid"]),
            ("get_invoice", ["number": "RE-1119"]),
            ("receivables_aging", [:]),
        ]
        for (name, arguments) in calls {
            let direct = try await builtin.call(name, arguments: arguments)
            #expect(direct == (try await viaSDK.call(name, arguments: arguments)), "\(name) \(arguments)")
        }
        await viaSDK.disconnect()
    }

    @Test("an unknown tool is an error, as through MCP")
    func unknownTool() async throws {
        let builtin = BuiltinServer(service: try service())
        await #expect(throws: MCPError.self) { try await builtin.call("nope", arguments: [:]) }
    }
}
