import AccountingServer
import Foundation
import MCP
import Synchronization

/// Whether a server can be used right now, and if not, why.
public enum ServerStatus: Sendable, Equatable, CustomStringConvertible {
    case notConnected
    case connected(protocolVersion: String, serverName: String)
    case failed(String)

    public var description: String {
        switch self {
        case .notConnected: return "not connected yet"
        case .connected(let version, let server): return "connected to \(server) (MCP \(version))"
        case .failed(let reason): return "down: \(reason)"
        }
    }

    public var isUp: Bool { if case .connected = self { return true } else { return false } }
}

/// Something a server reported while working: progress of a call, or a log message.
public enum ServerActivity: Sendable, Equatable {
    case progress(server: String, progress: Double, total: Double?, message: String?)
    case log(server: String, level: String, text: String)
}

/// A request that took longer than the server's `timeout`.
public struct MCPTimeoutError: Error, CustomStringConvertible, LocalizedError {
    public var server: String
    public var what: String
    public var timeout: Duration
    public var description: String {
        "\(server): \(what) took longer than \(timeout.components.seconds) s and was cancelled. "
            + "Raise timeout in [servers.\(server)] if the server is just slow."
    }
    public var errorDescription: String? { description }
}

/// A connection to one MCP server through swift-sdk's `Client`, over a transport made on demand.
///
/// It connects on first use; when the transport breaks (process exited, connection lost, stream cut) the status
/// turns to failed with the reason and the next use connects again. A session the server no longer knows is
/// replaced by a new one at once and the request retried, with a notice. Every request has a timeout; a call
/// that times out or whose task is cancelled is cancelled on the server with `notifications/cancelled`.
public actor MCPConnection: ToolServer {
    public nonisolated let name: String
    /// Makes a fresh transport; the callback reports the transport's end (e.g. the process exited).
    public typealias TransportFactory = @Sendable (_ ended: @escaping @Sendable (String) -> Void) async throws -> any Transport

    private let makeTransport: TransportFactory
    private let timeout: Duration
    private var client: Client?
    private var transport: (any Transport)?
    private var generation = 0
    private var cachedTools: [Tool]?
    public private(set) var status = ServerStatus.notConnected
    /// Things the user should know that are not errors, e.g. "started a new session". Read and cleared by callers.
    private var pendingNotices: [String] = []
    private var activityHandler: (@Sendable (ServerActivity) -> Void)?

    /// Receives progress and log notifications as they arrive (e.g. for a status line).
    public func setActivityHandler(_ handler: (@Sendable (ServerActivity) -> Void)?) {
        activityHandler = handler
    }

    private func report(_ activity: ServerActivity) { activityHandler?(activity) }

    public init(name: String, timeout: Duration = .seconds(60), makeTransport: @escaping TransportFactory) {
        self.name = name
        self.timeout = timeout
        self.makeTransport = makeTransport
    }

    /// Connects and initialises over one given transport (it cannot be remade, so no reconnection).
    public static func connect(name: String, transport: any Transport, timeout: Duration = .seconds(60)) async throws -> MCPConnection {
        let used = Mutex(false)
        let connection = MCPConnection(name: name, timeout: timeout) { _ in
            guard used.withLock({ used in defer { used = true }; return !used }) else {
                throw MCPTransportError.closed(server: name, detail: "the connection ended and cannot be remade.")
            }
            return transport
        }
        _ = try await connection.connectedClient()
        return connection
    }

    public func currentStatus() async -> ServerStatus { status }

    /// Notices collected since the last call, oldest first.
    public func takeNotices() -> [String] {
        defer { pendingNotices = [] }
        return pendingNotices
    }

    /// Connects now if not connected; the status tells how it went.
    public func connectIfNeeded() async {
        _ = try? await connectedClient()
    }

    // MARK: - Tools

    /// Every tool the server offers, following `nextCursor` pages. Cached until the server says the list changed.
    public func tools() async throws -> [Tool] {
        if let cachedTools, client != nil { return cachedTools }
        let tools = try await withSession { client in
            var tools: [Tool] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await self.request(client, ListTools.request(cursor.map { .init(cursor: $0) } ?? .init()), what: "tools/list")
                tools += page.tools
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 100
            return tools
        }
        cachedTools = tools
        return tools
    }

    /// Calls a tool and keeps the whole result, `structuredContent` included (the SDK's `callTool` drops it).
    public func call(_ name: String, arguments: [String: Value]) async throws -> CallTool.Result {
        try await withSession { client in
            try await self.request(
                client, CallTool.request(.init(name: name, arguments: arguments, meta: Metadata(progressToken: .unique()))), what: "calling \(name)")
        }
    }

    public func disconnect() async {
        let client = self.client
        let transport = self.transport
        self.client = nil
        self.transport = nil
        cachedTools = nil
        if let client { await client.disconnect() } else if let transport { await transport.disconnect() }
        status = .notConnected
    }

    // MARK: - Sessions

    /// Runs `body` on a connected client. A broken transport marks the server down (the next use reconnects);
    /// an expired session is replaced once, right away.
    private func withSession<T: Sendable>(_ body: @Sendable (Client) async throws -> T) async throws -> T {
        var renewed = false
        while true {
            let client = try await connectedClient()
            let generation = self.generation
            do {
                return try await body(client)
            } catch let error as MCPTransportError {
                if case .sessionExpired = error, !renewed {
                    renewed = true
                    pendingNotices.append("\(name): the server had forgotten our session; started a new one.")
                    await dropSession(ifGeneration: generation, reason: error.description, markFailed: false)
                    continue
                }
                if case .unauthorized = error {
                    status = .failed(error.description)
                } else {
                    await dropSession(ifGeneration: generation, reason: error.description, markFailed: true)
                }
                throw error
            } catch let error as MCPError where Self.isClientDisconnect(error) && generation != self.generation {
                // The transport ended (a process exited) and the session was dropped before the client had read the
                // transport's own answer for this request, so the client gave its generic "Client disconnected".
                // The reason recorded when the session was dropped is the one to give.
                var detail = "the connection ended."
                if case .failed(let reason) = status { detail = reason }
                throw MCPTransportError.closed(server: name, detail: detail)
            } catch let error as MCPError where error.code == lostAnswerErrorCode || error.code == MCPError.connectionClosed.code {
                var message = error.errorDescription ?? "\(error)"
                if case .serverError(_, let text) = error { message = text }
                await dropSession(ifGeneration: generation, reason: message, markFailed: true)
                throw MCPTransportError.closed(server: name, detail: Self.strip(message, prefix: "\(name): "))
            }
        }
    }

    private func connectedClient() async throws -> Client {
        if let client { return client }
        generation += 1
        let generation = self.generation
        let client = Client(name: ProductInfo.name, version: ProductInfo.version)
        await client.onNotification(ToolListChangedNotification.self) { [weak self] _ in
            await self?.toolsChanged()
        }
        let serverName = name
        await client.onNotification(ProgressNotification.self) { [weak self] message in
            let parameters = message.params
            await self?.report(.progress(server: serverName, progress: parameters.progress, total: parameters.total, message: parameters.message))
        }
        await client.onNotification(LogMessageNotification.self) { [weak self] message in
            let data = message.params.data
            let text: String
            if case .string(let string) = data { text = string } else if case .object(let object) = data, case .string(let msg)? = object["msg"] {
                text = msg
            } else {
                text = "\(data)"
            }
            await self?.report(.log(server: serverName, level: message.params.level.rawValue, text: text))
        }
        do {
            let transport = try await makeTransport { [weak self] reason in
                Task { await self?.dropSession(ifGeneration: generation, reason: reason, markFailed: true) }
            }
            self.transport = transport
            // Starting a process or a TLS session and initialising may take longer than one request.
            let timeout = max(self.timeout, .seconds(30))
            let result = try await Self.withTimeout(timeout, server: name, what: "connecting", onTimeout: { await client.disconnect() }) {
                try await client.connect(transport: transport)
            }
            self.client = client
            status = .connected(protocolVersion: result.protocolVersion, serverName: result.serverInfo.name)
            return client
        } catch {
            let reason = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            await client.disconnect()
            if let transport { await transport.disconnect() }
            transport = nil
            status = .failed(Self.strip(reason, prefix: "\(name): "))
            throw error
        }
    }

    private func dropSession(ifGeneration generation: Int, reason: String, markFailed: Bool) async {
        guard generation == self.generation else { return }
        self.generation += 1
        let client = self.client
        let transport = self.transport
        self.client = nil
        self.transport = nil
        cachedTools = nil
        if markFailed { status = .failed(Self.strip(reason, prefix: "\(name): ")) }
        if let client { await client.disconnect() } else if let transport { await transport.disconnect() }
    }

    private func toolsChanged() {
        cachedTools = nil
    }

    /// Sends one request and waits for its answer, within the timeout; cancelling the caller's task or running
    /// out of time cancels the request on the server.
    private func request<M: MCP.Method>(_ client: Client, _ request: Request<M>, what: String) async throws -> M.Result {
        let context = try await client.send(request)
        let id = context.requestID
        return try await withTaskCancellationHandler {
            try await Self.withTimeout(
                timeout, server: name, what: what,
                onTimeout: { try? await client.cancelRequest(id, reason: "timed out") }
            ) { try await context.value }
        } onCancel: {
            Task { try? await client.cancelRequest(id, reason: "cancelled by the user") }
        }
    }

    static func withTimeout<T: Sendable>(
        _ timeout: Duration, server: String, what: String, onTimeout: @escaping @Sendable () async -> Void,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            for try await outcome in group {
                if let outcome {
                    group.cancelAll()
                    return outcome
                }
                // The timer won: make the body give up (it ends once its request is cancelled), then report.
                await onTimeout()
                group.cancelAll()
                throw MCPTimeoutError(server: server, what: what, timeout: timeout)
            }
            throw CancellationError()
        }
    }

    /// What swift-sdk's `Client.disconnect()` gives every request still waiting.
    static func isClientDisconnect(_ error: MCPError) -> Bool {
        if case .internalError(let message) = error { return message == "Client disconnected" }
        return false
    }

    private static func strip(_ text: String, prefix: String) -> String {
        text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }
}
