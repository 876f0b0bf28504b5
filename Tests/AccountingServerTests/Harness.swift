import Foundation
import Ledger
import MCP
import Testing

@testable import AccountingServer

let anchor = LedgerDate(iso: "2026-11-25")!

/// A demo ledger in memory, the accounting service over it, and a real swift-sdk `Client` talking to it
/// through the in-process MCP transport: every call goes through JSON-RPC encoding as in production.
struct Harness {
    let store: LedgerStore
    let service: AccountingService
    let client: Client

    static func make(toolset: Toolset = .full, readOnly: Bool = false, anchor: LedgerDate = anchor) async throws -> Harness {
        let store = try LedgerStore()
        try DemoLedger.generate(into: store, seed: 42, anchor: anchor)
        let service = AccountingService(
            store: store, options: AccountingServerOptions(toolset: toolset, readOnly: readOnly, today: { anchor }))
        let (_, transport) = try await service.connectInProcess()
        let client = Client(name: "ledgerchat-tests", version: "1")
        _ = try await client.connect(transport: transport)
        return Harness(store: store, service: service, client: client)
    }

    func tools() async throws -> [Tool] { try await client.listTools().tools }

    func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
        try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
    }
}

extension CallTool.Result {
    var text: String {
        content.compactMap { if case .text(let text, _, _) = $0 { return text } else { return nil } }.joined(separator: "\n")
    }
    var failed: Bool { isError == true }
}

/// Reads a path such as `"items", 0, "number"` out of structured content.
func value(_ root: Value?, _ path: any PathComponent...) -> Value? {
    var current = root
    for component in path {
        switch (current, component) {
        case (.object(let object)?, let key as String): current = object[key]
        case (.array(let array)?, let index as Int): current = index < array.count ? array[index] : nil
        default: return nil
        }
    }
    return current
}

protocol PathComponent {}
extension String: PathComponent {}
extension Int: PathComponent {}

func items(_ result: CallTool.Result) -> [Value] { value(result.structuredContent, "items")?.arrayValue ?? [] }
func string(_ root: Value?, _ path: any PathComponent...) -> String? {
    var current = root
    for component in path { current = value(current, component) }
    return current?.stringValue
}
func int(_ root: Value?, _ path: any PathComponent...) -> Int? {
    var current = root
    for component in path { current = value(current, component) }
    return current?.intValue
}
