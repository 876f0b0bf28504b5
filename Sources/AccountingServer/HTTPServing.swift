import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MCP
import NIOCore
import ServiceLifecycle

/// How `serve --http` listens and whom it lets in.
public struct HTTPServeOptions: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port; the chosen one is reported through `onListening`.
    public var port = 8000
    /// Sessions with `Mcp-Session-Id`, SSE responses, a GET stream, resumption and DELETE.
    public var stateful = false
    /// Static bearer token every `/mcp` request must carry; nil means no authentication.
    public var authToken: String?
    /// Extra `Host` names accepted besides the loopback names and the bound address.
    public var allowedHosts: [String] = []
    /// Extra `Origin`s accepted besides loopback origins, e.g. `https://app.example.com`.
    public var allowedOrigins: [String] = []
    /// Stateful sessions unused this long are closed.
    public var sessionIdleTimeout: Duration = .seconds(30 * 60)
    /// Largest request body accepted.
    public var maxBodyBytes = 4 * 1024 * 1024

    public init() {}
}

/// The start-up rules that keep `serve --http` safe by default.
public enum HTTPSecurityPolicy {
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return name == "localhost" || name == "::1" || name.hasPrefix("127.")
    }

    /// Refuses a non-loopback bind address without a token unless the user explicitly opted out.
    /// The message names both ways forward.
    public static func checkBind(host: String, hasToken: Bool, insecureNoAuth: Bool) throws {
        guard !isLoopback(host), !hasToken, !insecureNoAuth else { return }
        throw ToolCallError(
            """
            Refusing to listen on \(host) without authentication: anyone who can reach this address could read the ledger.
            Set a token and pass its variable's name with --auth-token-env VAR (clients then send "Authorization: Bearer <token>"), \
            or pass --insecure-no-auth if this network is trusted.
            """)
    }

    /// Compares in time independent of where the first difference is, so the token cannot be guessed byte by byte.
    static func constantTimeEquals(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}

/// Who may talk to the server: Host and Origin allow-lists (against DNS rebinding) and the bearer token.
/// The Hummingbird responder and the event-loop fast path decide with the same rules.
struct AccessPolicy: Sendable {
    enum Decision: Equatable {
        case allow
        case forbiddenHost(String)
        case forbiddenOrigin(String)
        case missingToken
        case invalidToken
    }

    let allowedHosts: Set<String>
    let allowedOrigins: Set<String>
    let token: String?

    init(options: HTTPServeOptions) {
        var hosts: Set<String> = ["localhost", "127.0.0.1", "::1"]
        if options.host != "0.0.0.0" && options.host != "::" { hosts.insert(options.host.lowercased()) }
        for host in options.allowedHosts { hosts.insert(host.lowercased()) }
        allowedHosts = hosts
        allowedOrigins = Set(options.allowedOrigins.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/")) })
        token = options.authToken
    }

    func checkHostAndOrigin(authority: String?, origin: String?) -> Decision {
        if let authority {
            let host = Self.hostName(fromAuthority: authority)
            if !allowedHosts.contains(host) { return .forbiddenHost(host) }
        }
        if let origin {
            let normalized = origin.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            let originHost = URL(string: normalized)?.host.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) } ?? ""
            if !allowedOrigins.contains(normalized) && !HTTPSecurityPolicy.isLoopback(originHost) { return .forbiddenOrigin(origin) }
        }
        return .allow
    }

    func checkToken(authorization: String?) -> Decision {
        guard let token else { return .allow }
        let header = authorization ?? ""
        let prefix = "bearer "
        let presented = header.lowercased().hasPrefix(prefix) ? String(header.dropFirst(prefix.count)) : ""
        if HTTPSecurityPolicy.constantTimeEquals(presented, token) { return .allow }
        return presented.isEmpty ? .missingToken : .invalidToken
    }

    /// `localhost:8000` → `localhost`, `[::1]:8000` → `::1`.
    static func hostName(fromAuthority authority: String) -> String {
        let lowered = authority.lowercased()
        if lowered.hasPrefix("[") {
            return String(lowered.dropFirst().prefix { $0 != "]" })
        }
        return String(lowered.split(separator: ":", maxSplits: 1).first ?? "")
    }
}

/// Serves the accounting tools over MCP Streamable HTTP at `/mcp`, with `GET /health`, on Hummingbird.
public enum AccountingHTTPServer {
    /// Runs until SIGINT or SIGTERM. `onListening` receives the bound port once the socket is open.
    public static func run(
        service: AccountingService, options: HTTPServeOptions, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        var logger = Logger(label: "ledgerchat.http") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let sessions = options.stateful ? SessionRegistry(service: service, idleTimeout: options.sessionIdleTimeout) : nil
        let responder = MCPHTTPResponder(service: service, options: options, sessions: sessions)
        let policy = AccessPolicy(options: options)
        let directHandlers: @Sendable () -> [any RemovableChannelHandler] = {
            options.stateful ? [] : [DirectAnswerHandler(service: service, policy: policy, maxBodyBytes: options.maxBodyBytes)]
        }
        let app = Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: directHandlers())),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in
                onListening(channel.localAddress?.port ?? options.port)
                if let sessions { Task { await sessions.expireIdleSessions() } }
            },
            logger: logger)
        try await app.runService()
        await sessions?.closeAll()
    }
}

/// One stateful MCP session: its own `Server` and transport.
private struct Session {
    let server: Server
    let transport: StatefulHTTPServerTransport
    var lastUsed: ContinuousClock.Instant
}

/// Hands out a fixed id so the registry knows a session's id before the transport announces it.
private struct FixedSessionID: SessionIDGenerator {
    let id: String
    func generateSessionID() -> String { id }
}

/// Stateful sessions by id, closed on DELETE or after sitting idle.
actor SessionRegistry {
    private let service: AccountingService
    private let idleTimeout: Duration
    private var sessions: [String: Session] = [:]

    init(service: AccountingService, idleTimeout: Duration) {
        self.service = service
        self.idleTimeout = idleTimeout
    }

    func handle(_ request: MCP.HTTPRequest, validators: [any HTTPRequestValidator]) async -> (MCP.HTTPResponse, String?) {
        let id = request.header(HTTPHeaderName.sessionID)
        if let id, var session = sessions[id] {
            session.lastUsed = .now
            sessions[id] = session
            let response = await session.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE" && response.statusCode == 200 {
                sessions[id] = nil
                await session.server.stop()
            }
            return (response, id)
        }
        if request.method.uppercased() == "POST", let body = request.body, Self.isInitialize(body) {
            let newID = UUID().uuidString.lowercased()
            let transport = StatefulHTTPServerTransport(
                sessionIDGenerator: FixedSessionID(id: newID),
                validationPipeline: StandardValidationPipeline(
                    validators: validators + [AcceptHeaderValidator(mode: .sseRequired), SessionValidator()]))
            let server = await service.makeServer(session: newID)
            do { try await server.start(transport: transport) } catch {
                return (.error(statusCode: 500, .internalError("could not start a session: \(error)")), nil)
            }
            let response = await transport.handleRequest(request)
            if response.statusCode < 400 {
                sessions[newID] = Session(server: server, transport: transport, lastUsed: .now)
            } else {
                await server.stop()
            }
            return (response, newID)
        }
        if id != nil {
            return (.error(statusCode: 404, .invalidRequest("Session not found or expired; send a new initialize request")), id)
        }
        return (.error(statusCode: 400, .invalidRequest("Missing Mcp-Session-Id header; start with an initialize request")), nil)
    }

    func expireIdleSessions() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(30))
            let now = ContinuousClock.now
            for (id, session) in sessions where now - session.lastUsed > idleTimeout {
                sessions[id] = nil
                await session.server.stop()
            }
        }
    }

    func closeAll() async {
        for session in sessions.values { await session.server.stop() }
        sessions.removeAll()
    }

    static func isInitialize(_ body: Data) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return false }
        return object["method"] as? String == "initialize"
    }
}

/// Host/Origin checks, authentication, routing and the MCP transports, in one responder.
struct MCPHTTPResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let service: AccountingService
    let options: HTTPServeOptions
    let sessions: SessionRegistry?
    let policy: AccessPolicy
    /// The transports' own checks (content type, protocol version); Host, Origin and auth are checked before.
    let validators: [any HTTPRequestValidator] = MCPHTTPResponder.transportValidators

    static let transportValidators: [any HTTPRequestValidator] = [ContentTypeValidator(), ProtocolVersionValidator()]

    /// The checks of swift-sdk's stateless transport, shared with the event-loop fast path so both accept the same requests.
    static let statelessValidation = StandardValidationPipeline(
        validators: [AcceptHeaderValidator(mode: .jsonOnly)] + transportValidators)

    init(service: AccountingService, options: HTTPServeOptions, sessions: SessionRegistry?) {
        self.service = service
        self.options = options
        self.sessions = sessions
        self.policy = AccessPolicy(options: options)
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        var session: String?
        let response: Response
        do {
            (response, session) = try await route(request)
        } catch {
            response = Self.json(.internalServerError, ["error": "internal error: \(error)"])
        }
        let elapsed = ContinuousClock.now - started
        var fields: [String: Value] = [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path),
            "status": .int(response.status.code),
            "duration_ms": .double(milliseconds(elapsed)),
        ]
        if let session { fields["session"] = .string(session) }
        service.log?.write("http_request", fields)
        return response
    }

    private func route(_ request: Request) async throws -> (Response, String?) {
        if let refusal = checkHostAndOrigin(request) { return (refusal, nil) }
        switch request.uri.path {
        case "/health":
            guard request.method == .get else { return (Self.json(.methodNotAllowed, ["error": "use GET /health"]), nil) }
            return (
                Self.json(
                    .ok,
                    [
                        "status": "healthy", "server": ProductInfo.name, "version": ProductInfo.version,
                        "toolset": service.options.toolset.rawValue, "mode": options.stateful ? "stateful" : "stateless",
                        "tools": "\(service.tools.count)",
                    ]), nil
            )
        case "/mcp":
            if let refusal = checkToken(request) { return (refusal, nil) }
            return try await handleMCP(request)
        default:
            return (Self.json(.notFound, ["error": "not found; the MCP endpoint is /mcp and health is GET /health"]), nil)
        }
    }

    /// DNS-rebinding protection: a browser tricked into calling us sends a foreign Host or Origin.
    private func checkHostAndOrigin(_ request: Request) -> Response? {
        switch policy.checkHostAndOrigin(authority: request.head.authority, origin: request.headers[.origin]) {
        case .forbiddenHost(let host):
            return Self.json(.forbidden, ["error": "Host '\(host)' is not allowed; start the server with --allowed-host \(host) to permit it"])
        case .forbiddenOrigin(let origin):
            return Self.json(.forbidden, ["error": "Origin '\(origin)' is not allowed; start the server with --allowed-origin \(origin) to permit it"])
        default:
            return nil
        }
    }

    private func checkToken(_ request: Request) -> Response? {
        let decision = policy.checkToken(authorization: request.headers[.authorization])
        guard decision != .allow else { return nil }
        var response = Self.json(
            .unauthorized,
            ["error": decision == .missingToken ? "missing bearer token; send 'Authorization: Bearer <token>'" : "invalid bearer token"])
        response.headers[.wwwAuthenticate] =
            decision == .missingToken ? "Bearer realm=\"ledgerchat\"" : "Bearer realm=\"ledgerchat\", error=\"invalid_token\""
        return response
    }

    private func handleMCP(_ request: Request) async throws -> (Response, String?) {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        var bodyData: Data?
        if request.method == .post {
            var request = request
            let buffer: ByteBuffer
            do { buffer = try await request.collectBody(upTo: options.maxBodyBytes) } catch {
                return (Self.json(.contentTooLarge, ["error": "request body larger than \(options.maxBodyBytes) bytes"]), nil)
            }
            bodyData = Data(buffer.readableBytesView)
        }
        let mcpRequest = MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: bodyData, path: request.uri.path)
        if let sessions {
            let (response, session) = await sessions.handle(mcpRequest, validators: validators)
            return (Self.convert(response), session)
        }
        // Stateless: a fresh transport and Server per request, as swift-sdk's stateless transport requires.
        // (The happy path of tools/list and tools/call never gets here: DirectAnswerHandler answers it.)
        let transport = StatelessHTTPServerTransport(validationPipeline: Self.statelessValidation)
        let server = await service.makeServer()
        try await server.start(transport: transport)
        let response = await transport.handleRequest(mcpRequest)
        await server.stop()
        return (Self.convert(response), nil)
    }

    static func convert(_ response: MCP.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
        }
        let status = HTTPResponse.Status(code: response.statusCode)
        switch response {
        case .stream(let stream, _):
            return Response(
                status: status, headers: fields,
                body: ResponseBody { writer in
                    // An SSE stream (above all the GET stream) may never end by itself; on SIGINT/SIGTERM it is
                    // cut so that the graceful shutdown, which waits for open responses, can finish.
                    for try await chunk in stream.cancelOnGracefulShutdown() { try await writer.write(ByteBuffer(bytes: chunk)) }
                    try await writer.finish(nil)
                })
        default:
            let body = response.bodyData.map { ResponseBody(byteBuffer: ByteBuffer(bytes: $0)) } ?? ResponseBody()
            return Response(status: status, headers: fields, body: body)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 1000).rounded() / 1000
    }
}

