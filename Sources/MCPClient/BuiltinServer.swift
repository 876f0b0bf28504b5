import AccountingServer
import MCP

/// The accounting server in this process, called directly.
///
/// An in-memory MCP transport would encode every request and result as JSON-RPC and decode it again on both
/// sides; through swift-sdk that costs about 50 ms for `tools/list` and 10 ms per call on two cores, most of a
/// one-shot `ask`. The results are the very `CallTool.Result`s the SDK server would send (its handler calls the
/// same `AccountingService.call`), so nothing the agent sees changes.
public struct BuiltinServer: ToolServer {
    public let name: String
    public let service: AccountingService

    public init(name: String = "demo", service: AccountingService) {
        self.name = name
        self.service = service
    }

    public func tools() async throws -> [Tool] { service.tools }

    public func call(_ name: String, arguments: [String: Value]) async throws -> CallTool.Result {
        try service.call(name, arguments: arguments, session: "in-process")
    }

    public func disconnect() async {}

    public func currentStatus() async -> ServerStatus {
        .connected(protocolVersion: Version.latest, serverName: "ledgerchat built-in ledger")
    }
}
