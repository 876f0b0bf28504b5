import Curl
import Foundation
import Logging
import MCP
import Synchronization

/// MCP Streamable HTTP over libcurl, as a swift-sdk `Transport`.
///
/// swift-sdk's own HTTP client transport cannot read SSE on Linux, and FastMCP answers every request with an SSE
/// stream, so this one is ours. Every message is POSTed with `Accept: application/json, text/event-stream`;
/// answers come back as 202, a JSON body or an SSE stream whose events are handed on one by one (server requests
/// and notifications inside the stream included). The session id from `initialize` is echoed, the negotiated
/// protocol version is sent after it, a GET stream is opened for server-initiated messages when offered, a dropped
/// stream is resumed with `Last-Event-ID`, and the session is DELETEd on disconnect.
///
/// A request whose answer can no longer arrive (stream ended early, garbage received) gets a JSON-RPC error made
/// up here, so the caller fails at once with a reason instead of waiting for its timeout.
public actor StreamableHTTPTransport: Transport {
    public nonisolated let logger: Logger
    /// The server's name, for messages.
    public nonisolated let name: String
    public nonisolated let endpoint: String
    private let headers: [String: String]
    private let tokenCommand: String?
    private let connectTimeout: Duration
    private let caFile: String?

    private var token: String?
    private var sessionID: String?
    private var protocolVersion: String?
    private var streamTasks: [UUID: Task<Void, Never>] = [:]
    private var getStreamTask: Task<Void, Never>?
    private var closed = false
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    /// How many times a dropped stream is resumed before its request is given up.
    private static let maxResumptions = 3

    /// Whether the server offered a GET stream (nil until tried).
    public private(set) var getStreamOffered: Bool?

    public init(
        name: String, url: String, headers: [String: String] = [:], bearerTokenCommand: String? = nil,
        connectTimeout: Duration = .seconds(10), caFile: String? = nil, logger: Logger? = nil
    ) {
        self.name = name
        self.endpoint = url
        self.headers = headers
        self.tokenCommand = bearerTokenCommand
        self.connectTimeout = connectTimeout
        self.caFile = caFile
        self.logger = logger ?? Logger(label: "ledgerchat.mcp.http", factory: { _ in SwiftLogNoOpLogHandler() })
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    /// The session id the server gave, if any.
    public var currentSessionID: String? { sessionID }

    public func connect() async throws {
        if let tokenCommand, token == nil { token = try await runTokenCommand(tokenCommand, server: name) }
    }

    public func disconnect() async {
        guard !closed else { return }
        closed = true
        getStreamTask?.cancel()
        for task in streamTasks.values { task.cancel() }
        streamTasks = [:]
        if let sessionID {
            // Ending the session is a courtesy; a server that does not allow DELETE answers 405.
            var request = makeRequest(method: "DELETE", body: nil)
            request.timeouts = CurlTimeouts(connect: connectTimeout, total: .seconds(5), idle: nil)
            _ = try? await Curl.data(request)
            logger.debug("session ended", metadata: ["session": "\(sessionID)"])
        }
        continuation.finish()
    }

    public func receive() -> AsyncThrowingStream<Data, any Error> { messages }

    public func send(_ data: Data) async throws {
        guard !closed else { throw MCPTransportError.notConnected(server: name) }
        let shape = MessageShape(data)
        let response = try await post(data, retryingUnauthorized: tokenCommand != nil)

        if shape?.method == "initialize", let session = response.header("Mcp-Session-Id") { sessionID = session }
        if response.status == 202 || response.status == 204 {
            if shape?.method == "notifications/initialized" { openGetStream() }
            return
        }
        let contentType = response.header("Content-Type")?.lowercased() ?? ""
        if contentType.hasPrefix("text/event-stream") {
            let id = UUID()
            let requestID = shape?.isRequest == true ? shape?.id : nil
            streamTasks[id] = Task { [weak self] in
                await self?.consume(response.body, answering: requestID, resumptionsLeft: Self.maxResumptions)
                await self?.streamEnded(id)
            }
        } else {
            let body = try await response.collect()
            if body.isEmpty { return }
            guard let answer = MessageShape(body) else {
                throw MCPTransportError.malformed(server: name, detail: "a \(contentType.isEmpty ? "response" : contentType) body that is not JSON: \(Self.snippet(body))")
            }
            if shape?.method == "initialize", let version = answer.protocolVersion { protocolVersion = version }
            continuation.yield(body)
        }
        if shape?.method == "notifications/initialized" { openGetStream() }
    }

    // MARK: - Requests

    private func makeRequest(method: String, body: Data?, lastEventID: String? = nil) -> CurlRequest {
        var fields: [HeaderField] = []
        if body != nil { fields.append(HeaderField("Content-Type", "application/json")) }
        fields.append(HeaderField("Accept", method == "GET" ? "text/event-stream" : "application/json, text/event-stream"))
        if let sessionID { fields.append(HeaderField("Mcp-Session-Id", sessionID)) }
        if let protocolVersion { fields.append(HeaderField("MCP-Protocol-Version", protocolVersion)) }
        if let lastEventID { fields.append(HeaderField("Last-Event-ID", lastEventID)) }
        if let token { fields.append(HeaderField("Authorization", "Bearer \(token)")) }
        for (header, value) in headers.sorted(by: { $0.key < $1.key }) where !(token != nil && header.lowercased() == "authorization") {
            fields.append(HeaderField(header, value))
        }
        // No total timeout: an SSE answer to a slow tool may stream for long; the connection's per-request timeout
        // decides when to give up, and a stream silent for 5 minutes counts as dead.
        return CurlRequest(
            url: endpoint, method: method, headers: fields, body: body,
            timeouts: CurlTimeouts(connect: connectTimeout, total: nil, idle: .seconds(300)), caFile: caFile)
    }

    private func post(_ data: Data, retryingUnauthorized: Bool) async throws -> CurlResponse {
        let response: CurlResponse
        do { response = try await Curl.perform(makeRequest(method: "POST", body: data)) } catch {
            throw MCPTransportError.closed(server: name, detail: "cannot reach \(endpoint): \(error)")
        }
        switch response.status {
        case 200..<300:
            return response
        case 401 where retryingUnauthorized && tokenCommand != nil:
            _ = try? await response.collect()
            logger.info("401: running bearer_token_command again")
            token = try await runTokenCommand(tokenCommand!, server: name)
            return try await post(data, retryingUnauthorized: false)
        case 401:
            let body = (try? await response.collect()) ?? Data()
            let challenge = response.header("WWW-Authenticate").map { " (WWW-Authenticate: \($0))" } ?? ""
            throw MCPTransportError.unauthorized(server: name, detail: Self.snippet(body) + challenge)
        case 404 where sessionID != nil:
            _ = try? await response.collect()
            throw MCPTransportError.sessionExpired(server: name)
        default:
            let body = (try? await response.collect()) ?? Data()
            throw MCPTransportError.http(server: name, status: response.status, detail: Self.errorDetail(body))
        }
    }

    // MARK: - Streams

    /// Hands on every event of an SSE answer. When the stream ends before the answer to `requestID` came, it is
    /// resumed with `Last-Event-ID` if the server gave event ids; otherwise the request fails with a reason.
    private func consume(_ body: AsyncThrowingStream<Data, any Error>, answering requestID: ID?, resumptionsLeft: Int) async {
        var parser = ServerSentEventParser()
        var answered = false
        var failure: String?
        do {
            for try await chunk in body {
                for event in parser.feed(chunk) where !event.data.isEmpty {
                    if handle(event, answering: requestID) { answered = true }
                }
            }
            parser.finish()
        } catch is CancellationError {
            return
        } catch {
            failure = "\(error)"
        }
        if closed || Task.isCancelled { return }
        guard let requestID, !answered else { return }
        if let lastEventID = parser.lastEventID, resumptionsLeft > 0 {
            if let retry = parser.retry { try? await Task.sleep(for: .milliseconds(min(retry, 5000))) }
            logger.info("resuming a dropped stream", metadata: ["last_event_id": "\(lastEventID)"])
            do {
                let response = try await Curl.perform(makeRequest(method: "GET", body: nil, lastEventID: lastEventID))
                if response.header("Content-Type")?.lowercased().hasPrefix("text/event-stream") == true && response.status == 200 {
                    await consume(response.body, answering: requestID, resumptionsLeft: resumptionsLeft - 1)
                    return
                }
                _ = try? await response.collect()
                failure = "resuming it answered HTTP \(response.status)"
            } catch {
                failure = "resuming it failed: \(error)"
            }
        }
        let why = failure.map { "the answer stream broke (\($0))" } ?? "the server ended the answer stream without answering"
        continuation.yield(lostAnswer(for: requestID, message: "\(name): \(why). Try again."))
    }

    /// Hands one event's message on; true when it is the answer to `requestID`.
    private func handle(_ event: ServerSentEvent, answering requestID: ID?) -> Bool {
        let data = Data(event.data.utf8)
        guard let shape = MessageShape(data) else {
            logger.warning("malformed SSE data", metadata: ["data": "\(event.data.prefix(200))"])
            if let requestID {
                continuation.yield(lostAnswer(for: requestID, message: MCPTransportError.malformed(server: name, detail: "an SSE event that is not JSON: \(event.data.prefix(120))").description))
                return true
            }
            return false
        }
        if let version = shape.protocolVersion, protocolVersion == nil { protocolVersion = version }
        continuation.yield(data)
        return shape.isResponse && shape.id == requestID
    }

    private func streamEnded(_ id: UUID) { streamTasks[id] = nil }

    /// The GET stream for messages the server starts (notifications such as tools/list_changed, requests).
    private func openGetStream() {
        guard getStreamTask == nil, !closed else { return }
        getStreamTask = Task { [weak self] in await self?.runGetStream() }
    }

    private func runGetStream() async {
        var lastEventID: String?
        var failures = 0
        while !closed && !Task.isCancelled && failures < 5 {
            do {
                let response = try await Curl.perform(makeRequest(method: "GET", body: nil, lastEventID: lastEventID))
                guard response.status == 200, response.header("Content-Type")?.lowercased().hasPrefix("text/event-stream") == true else {
                    _ = try? await response.collect()
                    if getStreamOffered == nil { logger.debug("no GET stream offered", metadata: ["status": "\(response.status)"]) }
                    getStreamOffered = getStreamOffered ?? false
                    return
                }
                getStreamOffered = true
                var parser = ServerSentEventParser()
                for try await chunk in response.body {
                    for event in parser.feed(chunk) where !event.data.isEmpty { _ = handle(event, answering: nil) }
                }
                lastEventID = parser.lastEventID ?? lastEventID
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                logger.debug("GET stream dropped", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    // MARK: - Text for people

    static func snippet(_ data: Data) -> String {
        let text = String(decoding: data.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.replacingOccurrences(of: "\n", with: " ")
    }

    /// The message inside a JSON-RPC or JSON error body when there is one, else the body's start.
    static func errorDetail(_ data: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
            if let message = object["error"] as? String ?? object["message"] as? String ?? object["detail"] as? String { return message }
        }
        return snippet(data)
    }
}
