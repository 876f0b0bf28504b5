import Foundation
import HTTPTypes
import MCP
import NIOCore
import NIOHTTPTypes

/// Answers stateless `tools/list` and `tools/call` requests on the event loop, before Hummingbird.
///
/// Hummingbird hands every request to a Swift task and back; measured on two cores that hop alone capped a
/// trivial endpoint at about 10,700 requests/s, a third of a tool call's cost. This handler sits right after
/// the HTTP codec and answers only the happy path: a POST to `/mcp` that passes the Host, Origin and token
/// checks and the transport's header checks, whose body is a single `tools/list` or `tools/call`. Everything
/// else, including every request that fails a check, is passed on untouched, so Hummingbird's responder still
/// produces all errors, sessions and other methods.
///
/// Responses stay in request order: while a passed-on request is unanswered on this connection, later requests
/// are passed on too instead of overtaking it.
final class DirectAnswerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// Holding a candidate request until its body is complete.
        case buffering(head: HTTPTypes.HTTPRequest, body: ByteBuffer, started: NIODeadline)
        /// Passing the current request on to Hummingbird.
        case passing
    }

    private let service: AccountingService
    private let policy: AccessPolicy
    private let maxBodyBytes: Int
    private var state = State.idle
    /// Requests passed on whose response has not been fully written yet.
    private var passedOnAwaitingResponse = 0

    init(service: AccountingService, policy: AccessPolicy, maxBodyBytes: Int) {
        self.service = service
        self.policy = policy
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.idle, .head(let head)):
            if passedOnAwaitingResponse == 0 && isCandidate(head) {
                state = .buffering(head: head, body: context.channel.allocator.buffer(capacity: 256), started: .now())
            } else {
                passOn(context, part)
            }
        case (.buffering(let head, var body, let started), .body(var chunk)):
            if body.readableBytes + chunk.readableBytes > maxBodyBytes {
                flush(context, head: head, body: body)
                context.fireChannelRead(wrapInboundOut(.body(chunk)))
            } else {
                body.writeBuffer(&chunk)
                state = .buffering(head: head, body: body, started: started)
            }
        case (.buffering(let head, let body, let started), .end(let trailers)):
            state = .idle
            if let answer = directAnswer(head: head, body: body) {
                respond(context, answer, started: started)
            } else {
                flush(context, head: head, body: body)
                context.fireChannelRead(wrapInboundOut(.end(trailers)))
                state = .idle
            }
        case (.passing, .end):
            context.fireChannelRead(data)
            state = .idle
        default:
            // `.passing` bodies, and anything unexpected: Hummingbird's own handling decides.
            if case .head = part { passOn(context, part) } else { context.fireChannelRead(data) }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { passedOnAwaitingResponse = max(0, passedOnAwaitingResponse - 1) }
        context.write(data, promise: promise)
    }

    private func passOn(_ context: ChannelHandlerContext, _ head: HTTPRequestPart) {
        passedOnAwaitingResponse += 1
        state = .passing
        context.fireChannelRead(wrapInboundOut(head))
    }

    /// Gives a buffered request to Hummingbird after all.
    private func flush(_ context: ChannelHandlerContext, head: HTTPTypes.HTTPRequest, body: ByteBuffer) {
        passOn(context, .head(head))
        if body.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(.body(body))) }
    }

    private func isCandidate(_ head: HTTPTypes.HTTPRequest) -> Bool {
        guard head.method == .post, let path = head.path, path == "/mcp" || path.hasPrefix("/mcp?") else { return false }
        let fields = head.headerFields
        // A client that asks to close after the answer is left to Hummingbird, which handles connection shutdown.
        if fields[.connection]?.lowercased().contains("close") == true { return false }
        return policy.checkHostAndOrigin(authority: head.authority, origin: fields[.origin]) == .allow
            && policy.checkToken(authorization: fields[.authorization]) == .allow
    }

    private func directAnswer(head: HTTPTypes.HTTPRequest, body: ByteBuffer) -> Data? {
        let bytes = Data(body.readableBytesView)
        guard let request = service.directRequest(bytes) else { return nil }
        var headers: [String: String] = [:]
        for field in head.headerFields { headers[field.name.canonicalName] = field.value }
        let mcpRequest = MCP.HTTPRequest(method: "POST", headers: headers, body: bytes, path: head.path)
        guard MCPHTTPResponder.statelessValidation.validate(mcpRequest, context: HTTPValidationContext(httpMethod: "POST")) == nil else { return nil }
        return service.answer(request)
    }

    private func respond(_ context: ChannelHandlerContext, _ answer: Data, started: NIODeadline) {
        let fields: HTTPFields = [.contentType: "application/json", .contentLength: String(answer.count)]
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: answer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        let elapsed = NIODeadline.now() - started
        service.log?.write(
            "http_request",
            [
                "method": "POST", "path": "/mcp", "status": 200,
                "duration_ms": .double((Double(elapsed.nanoseconds) / 1000).rounded() / 1000),
            ])
    }
}
