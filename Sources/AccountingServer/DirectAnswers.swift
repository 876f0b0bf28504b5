import Foundation
import MCP
import Synchronization

/// The stateless HTTP fast path for the two hot methods.
///
/// swift-sdk's `Server` type-erases every request and result by encoding and decoding them through
/// JSON several times; for a 25-row `tools/call` that costs milliseconds, far more than the query.
/// Stateless requests for `tools/list` and `tools/call` are therefore answered here with one decode and
/// one direct encode. Everything else (initialize, ping, notifications, batches, unknown methods) still
/// goes to a swift-sdk `Server`. Tests check both paths give the same answers.
extension AccountingService {
    /// The request's envelope, with `params` decoded only for `tools/call`, in one decoding pass.
    private struct Envelope: Decodable {
        var jsonrpc: String
        var id: ID?
        var method: String
        var call: CallTool.Parameters?

        enum CodingKeys: String, CodingKey { case jsonrpc, id, method, params }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            jsonrpc = try container.decode(String.self, forKey: .jsonrpc)
            id = try container.decodeIfPresent(ID.self, forKey: .id)
            method = try container.decode(String.self, forKey: .method)
            call = method == CallTool.name ? try container.decode(CallTool.Parameters.self, forKey: .params) : nil
        }
    }

    /// A single `tools/list` or `tools/call` request, decoded; nil for any other message.
    public struct DirectRequest: Sendable {
        let id: ID
        let call: CallTool.Parameters?
    }

    /// Recognises a request this fast path answers; nil means "give it to a `Server`".
    public func directRequest(_ body: Data) -> DirectRequest? {
        guard let first = body.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }), first == UInt8(ascii: "{"),
            let envelope = try? JSONDecoder().decode(Envelope.self, from: body), envelope.jsonrpc == "2.0",
            let id = envelope.id
        else { return nil }
        switch envelope.method {
        case ListTools.name: return DirectRequest(id: id, call: nil)
        case CallTool.name: return DirectRequest(id: id, call: envelope.call)
        default: return nil
        }
    }

    /// The JSON-RPC response to a request `directRequest` recognised.
    public func answer(_ request: DirectRequest, session: String? = nil) -> Data {
        guard let call = request.call else { return response(id: request.id, resultJSON: toolsListJSON) }
        do {
            return response(id: request.id, resultJSON: try encodedResult(call, session: session))
        } catch {
            let mcpError = error as? MCPError ?? MCPError.internalError("\(error)")
            var output = Self.prefix(request.id)
            output.append(contentsOf: #","error":"#.utf8)
            output.append(contentsOf: JSONWriter.encode(.object(["code": .int(mcpError.code), "message": .string(mcpError.errorDescription ?? "\(mcpError)")])))
            output.append(UInt8(ascii: "}"))
            return Data(output)
        }
    }

    /// A tool call's encoded result, from `resultCache` when the same read was answered since the ledger last
    /// changed. Reads repeat a lot (dashboards, retries, agents re-asking); the ledger changes rarely.
    private func encodedResult(_ call: CallTool.Parameters, session: String?) throws -> [UInt8] {
        guard options.cacheResults, let definition = definition(named: call.name), !definition.writes,
            let generation = try? store.changeGeneration()
        else { return Self.encode(try self.call(call.name, arguments: call.arguments, session: session)) }
        var key = Array(call.name.utf8)
        key.append(0)
        key.append(contentsOf: options.today().iso.utf8)
        key.append(0)
        JSONWriter.write(.object(call.arguments ?? [:]), into: &key, sortedKeys: true)
        let started = DispatchTime.now().uptimeNanoseconds
        if let cached = resultCache.lookup(key, generation: generation) {
            logCall(call.name, call.arguments, session: session, started: started, outcome: "ok", cached: true)
            return cached
        }
        let result = try self.call(call.name, arguments: call.arguments, session: session)
        let encoded = Self.encode(result)
        if result.isError != true { resultCache.store(encoded, for: key, generation: generation) }
        return encoded
    }

    private func response(id: ID, resultJSON: [UInt8]) -> Data {
        var output = Self.prefix(id)
        output.append(contentsOf: #","result":"#.utf8)
        output.append(contentsOf: resultJSON)
        output.append(UInt8(ascii: "}"))
        return Data(output)
    }

    private static func prefix(_ id: ID) -> [UInt8] {
        var output = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
        switch id {
        case .number(let number): output.append(contentsOf: String(number).utf8)
        case .string(let text): JSONWriter.writeString(text, into: &output)
        }
        return output
    }

    /// A tool result as MCP encodes it: text content, structured content, and `isError` when set.
    static func encode(_ result: CallTool.Result) -> [UInt8] {
        var object: [String: Value] = [
            "content": .array(
                result.content.map { content in
                    if case .text(let text, _, _) = content { return .object(["type": "text", "text": .string(text)]) }
                    // Our tools only produce text; anything else would be encoded by the SDK's Codable path.
                    let data = (try? JSONEncoder().encode(content)) ?? Data("null".utf8)
                    return (try? JSONDecoder().decode(Value.self, from: data)) ?? .null
                })
        ]
        if let structured = result.structuredContent { object["structuredContent"] = structured }
        if let isError = result.isError { object["isError"] = .bool(isError) }
        return JSONWriter.encode(.object(object))
    }

    /// `tools/list`'s result, encoded once: the tools never change while serving.
    static func encodeToolsList(_ tools: [Tool]) -> [UInt8] {
        Array((try? JSONEncoder().encode(ListTools.Result(tools: tools))) ?? Data(#"{"tools":[]}"#.utf8))
    }
}

/// Encoded results of read-only tool calls, valid while the ledger's change generation stays the same.
final class ResultCache: Sendable {
    /// Every entry belongs to one generation of the ledger; a newer generation empties the cache.
    private struct State {
        var generation = Int.min
        var entries: [[UInt8]: [UInt8]] = [:]
    }
    private let state = Mutex(State())
    /// Bounded so arbitrary arguments cannot grow memory without limit; a full cache starts over.
    private let capacity: Int

    init(capacity: Int = 512) { self.capacity = capacity }

    func lookup(_ key: [UInt8], generation: Int) -> [UInt8]? {
        state.withLock { $0.generation == generation ? $0.entries[key] : nil }
    }

    func store(_ bytes: [UInt8], for key: [UInt8], generation: Int) {
        state.withLock { state in
            // A result computed under an older generation is already stale.
            guard generation >= state.generation else { return }
            if generation > state.generation || state.entries.count >= capacity {
                state.generation = generation
                state.entries.removeAll(keepingCapacity: true)
            }
            state.entries[key] = bytes
        }
    }
}
