import Foundation
import Ledger
import MCP

/// The product's name and version as servers and clients report them.
public enum ProductInfo {
    public static let name = "ledgerchat"
    public static let version = "0.1.0"
}

/// How the accounting server behaves.
public struct AccountingServerOptions: Sendable {
    public var toolset: Toolset
    /// Hide every tool that writes.
    public var readOnly: Bool
    /// The day "overdue" and "today" are measured from.
    public var today: @Sendable () -> LedgerDate
    /// Answer a repeated read-only call from memory while the ledger is unchanged (HTTP fast path).
    public var cacheResults: Bool

    public init(
        toolset: Toolset = .full, readOnly: Bool = false, cacheResults: Bool = true,
        today: @escaping @Sendable () -> LedgerDate = { .today() }
    ) {
        self.toolset = toolset
        self.readOnly = readOnly
        self.cacheResults = cacheResults
        self.today = today
    }
}

/// The accounting tools over one ledger, independent of any transport: lists the tools, runs calls,
/// logs each call, and builds swift-sdk `Server`s that answer with them.
public final class AccountingService: Sendable {
    public let store: LedgerStore
    public let options: AccountingServerOptions
    public let log: ServerLog?
    private let definitions: [ToolDefinition]
    private let byName: [String: ToolDefinition]
    let toolsListJSON: [UInt8]
    let resultCache = ResultCache()

    public init(store: LedgerStore, options: AccountingServerOptions = .init(), log: ServerLog? = nil) {
        self.store = store
        self.options = options
        self.log = log
        let definitions = options.toolset.definitions.filter { !(options.readOnly && $0.writes) }
        self.definitions = definitions
        self.byName = Dictionary(uniqueKeysWithValues: definitions.map { ($0.tool.name, $0) })
        self.toolsListJSON = Self.encodeToolsList(definitions.map(\.tool))
    }

    /// The tools offered, in a stable order.
    public var tools: [Tool] { definitions.map(\.tool) }

    static let instructions = """
        Accounting data of one company: contacts, sales invoices, vouchers (received bills), bank accounts and \
        transactions. Money in structured results is in euro cents; dates are YYYY-MM-DD. Lists are paged: \
        follow has_more with offset. "Open" means unpaid.
        """

    /// Runs one tool call. Caller mistakes come back as `isError` results that say how to fix the call;
    /// an unknown tool name is a protocol error, as the MCP specification asks.
    public func call(_ name: String, arguments: [String: Value]?, session: String? = nil) throws -> CallTool.Result {
        let started = DispatchTime.now().uptimeNanoseconds
        guard let definition = byName[name] else {
            logCall(name, arguments, session: session, started: started, outcome: "unknown_tool")
            throw MCPError.invalidParams(
                "Unknown tool: \(name). Available tools: \(definitions.map(\.tool.name).joined(separator: ", "))")
        }
        let result: CallTool.Result
        var outcome = "ok"
        do {
            let parsed = try ToolArguments(arguments, allowed: definition.argumentNames)
            let output = try definition.run(parsed, ToolContext(store: store, today: options.today()))
            result = CallTool.Result(content: [.text(text: output.text, annotations: nil, _meta: nil)], structuredContent: output.structured)
        } catch let error as ToolCallError {
            outcome = error.kind.rawValue
            result = Self.errorResult(error.kind == .invalidArguments ? "Invalid arguments for \(name): \(error.message)" : error.message)
        } catch let error as LedgerError {
            outcome = "ledger_error"
            result = Self.errorResult(error.description)
        } catch {
            outcome = "failed"
            result = Self.errorResult("\(name) failed: \(error). Try again; if it keeps failing, check the server log.")
        }
        logCall(name, arguments, session: session, started: started, outcome: outcome)
        return result
    }

    func definition(named name: String) -> ToolDefinition? { byName[name] }

    static func errorResult(_ message: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true)
    }

    func logCall(_ name: String, _ arguments: [String: Value]?, session: String?, started: UInt64, outcome: String, cached: Bool = false) {
        guard let log else { return }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        var fields: [String: Value] = [
            "tool": .string(name), "arguments": ServerLog.redact(.object(arguments ?? [:])),
            "duration_ms": .double((elapsed * 1000).rounded() / 1000), "outcome": .string(outcome),
        ]
        if let session { fields["session"] = .string(session) }
        if cached { fields["cached"] = true }
        log.write("tool_call", fields)
    }

    /// A new swift-sdk `Server` answering `tools/list` and `tools/call` from this service.
    public func makeServer(session: String? = nil) async -> Server {
        let server = Server(
            name: "ledgerchat-accounting", version: ProductInfo.version, title: "ledgerchat accounting",
            instructions: Self.instructions, capabilities: .init(tools: .init(listChanged: false)))
        let tools = self.tools
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { [self] parameters in
            try self.call(parameters.name, arguments: parameters.arguments, session: session)
        }
        return server
    }

    /// A server and a client transport joined in memory: the in-process way to use these tools through MCP.
    public func connectInProcess() async throws -> (server: Server, clientTransport: InMemoryTransport) {
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        let server = await makeServer(session: "in-process")
        try await server.start(transport: serverTransport)
        return (server, clientTransport)
    }
}
