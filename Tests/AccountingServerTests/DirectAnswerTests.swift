import Foundation
import Ledger
import MCP
import TestSupport
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
            #"{"name":"get_invoice","arguments":{"number":"RE-1000"}}"#,
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

/// Repeated reads are answered from a cache on the HTTP fast path; it must never serve what the ledger no longer says.
@Suite("Result cache")
struct ResultCacheTests {
    func call(_ service: AccountingService, _ params: String) throws -> Data {
        let body = Data(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":\#(params)}"#.utf8)
        return try #require(service.directRequest(body).map { service.answer($0) })
    }

    func ledgerFile() throws -> String {
        let path = scratchPath("result-cache") + ".sqlite"
        try DemoLedger.generate(into: try LedgerStore(path: path), seed: 42, anchor: anchor)
        return path
    }

    func decoded(_ data: Data) throws -> Value { try JSONDecoder().decode(Value.self, from: data) }

    @Test("a repeated read gives the same answer as an uncached service")
    func sameAnswer() throws {
        let path = try ledgerFile()
        let cached = AccountingService(store: try LedgerStore(path: path), options: .init(today: { anchor }))
        let uncached = AccountingService(store: try LedgerStore(path: path), options: .init(cacheResults: false, today: { anchor }))
        let params = #"{"name":"list_invoices","arguments":{"limit":5}}"#
        let expected = try decoded(try call(uncached, params))
        for _ in 0..<3 { #expect(try decoded(try call(cached, params)) == expected) }
        // Arguments in another key order are the same read.
        let reordered = try decoded(try call(cached, #"{"name":"list_invoices","arguments":{"offset":0,"limit":5}}"#))
        #expect(reordered == (try decoded(try call(uncached, #"{"name":"list_invoices","arguments":{"limit":5,"offset":0}}"#))))
    }

    @Test("a write through the service itself is seen by the next read")
    func ownWrite() throws {
        let service = AccountingService(store: try LedgerStore(path: try ledgerFile()), options: .init(today: { anchor }))
        let search = #"{"name":"list_contacts","arguments":{"search":"Cachetest"}}"#
        let before = try call(service, search)
        _ = try call(service, search)
        _ = try call(service, #"{"name":"create_contact","arguments":{"name":"Cachetest GmbH","category":"customer"}}"#)
        let after = String(decoding: try call(service, search), as: UTF8.self)
        #expect(String(decoding: before, as: UTF8.self).contains("Cachetest GmbH") == false)
        #expect(after.contains("Cachetest GmbH"))
    }

    @Test("a write by another process's connection is seen by the next read")
    func otherWriter() throws {
        let path = try ledgerFile()
        let service = AccountingService(store: try LedgerStore(path: path), options: .init(today: { anchor }))
        let other = try LedgerStore(path: path)
        let search = #"{"name":"list_contacts","arguments":{"search":"Fremd"}}"#
        for _ in 0..<10 { _ = try call(service, search) }
        _ = try other.createContact(NewContact(name: "Fremdschreiber KG"), on: anchor)
        #expect(String(decoding: try call(service, search), as: UTF8.self).contains("Fremdschreiber KG"))
    }
}
