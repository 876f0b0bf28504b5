import Foundation
import MCP
import Testing

@testable import AccountingServer

/// The stateless HTTP fast path must answer exactly as the swift-sdk `Server` does.
@Suite("Direct answers match the swift-sdk Server")
struct DirectAnswerTests {
    struct Response<Result: Decodable>: Decodable {
        var jsonrpc: String
        var id: ID
        var result: Result?
        var error: ErrorBody?
    }

    struct ErrorBody: Decodable {
        var code: Int
        var message: String
    }

    /// What the fast path answers, or nil when it leaves the request to a `Server`.
    func answerDirectly(_ service: AccountingService, _ body: Data) -> Data? {
        service.directRequest(body).map { service.answer($0) }
    }

    func request(_ id: Int, _ method: String, _ params: String) -> Data {
        Data(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#.utf8)
    }

    @Test(
        "tools/call",
        arguments: [
            #"{"name":"list_invoices","arguments":{"limit":5}}"#,
            #"{"name":"list_invoices","arguments":{"status":"unpaid"}}"#,
            #"{"name":"get_invoice","arguments":{"number":"RE-2025-0001"}}"#,
            #"{"name":"summarize","arguments":{"entity":"vouchers","group_by":"tax_rate"}}"#,
            #"{"name":"receivables_aging"}"#,
            #"{"name":"list_contacts","arguments":{"search":"\"quoted\" \\ backslash\nnewline"}}"#,
        ])
    func toolsCall(params: String) async throws {
        let harness = try await Harness.make()
        let body = request(3, "tools/call", params)
        let direct = try #require(answerDirectly(harness.service, body))
        let decoded = try JSONDecoder().decode(Response<CallTool.Result>.self, from: direct)
        #expect(decoded.jsonrpc == "2.0" && decoded.id == .number(3))
        let parameters = try JSONDecoder().decode(CallTool.Parameters.self, from: Data(params.utf8))
        let viaServer = try await harness.call(parameters.name, parameters.arguments ?? [:])
        #expect(decoded.result == viaServer)
    }

    @Test("tools/list")
    func toolsList() async throws {
        let harness = try await Harness.make()
        let direct = try #require(answerDirectly(harness.service, request(1, "tools/list", "{}")))
        let decoded = try JSONDecoder().decode(Response<ListTools.Result>.self, from: direct)
        #expect(decoded.result?.tools == (try await harness.tools()))
    }

    @Test("an unknown tool is the same protocol error")
    func unknownTool() async throws {
        let harness = try await Harness.make()
        let direct = try #require(answerDirectly(harness.service, request(9, "tools/call", #"{"name":"nope"}"#)))
        let decoded = try JSONDecoder().decode(Response<CallTool.Result>.self, from: direct)
        #expect(decoded.error?.code == -32602)
        #expect(decoded.error?.message.contains("Unknown tool: nope") == true)
    }

    @Test("everything else is left to the Server", arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
        #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        #"[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]"#,
        #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{}}}"#,
        "not json",
    ])
    func notDirect(body: String) async throws {
        let harness = try await Harness.make()
        #expect(answerDirectly(harness.service, Data(body.utf8)) == nil)
    }

    @Test("JSONWriter escapes what JSON requires and round-trips through JSONDecoder")
    func writer() throws {
        let value: Value = .object([
            "text": "quote \" backslash \\ newline \n tab \t bell \u{07} euro € emoji 🙂",
            "numbers": [1, -2, 3.5, 1e20], "flags": [true, false, nil], "nested": .object(["empty": .array([])]),
        ])
        let bytes = JSONWriter.encode(value, sortedKeys: true)
        #expect(try JSONDecoder().decode(Value.self, from: Data(bytes)) == value)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"flags":[true,false,null],"nested""#))
    }
}
