import Testing

@testable import Curl

@Suite("Server-sent event parser")
struct SSEParserTests {
    func parse(_ text: String, splitEvery size: Int? = nil) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        let bytes = Array(text.utf8)
        guard let size else { return parser.feed(bytes) }
        var events: [ServerSentEvent] = []
        for start in stride(from: 0, to: bytes.count, by: size) {
            events += parser.feed(bytes[start..<min(start + size, bytes.count)])
        }
        return events
    }

    @Test func fields() {
        let events = parse("event: update\ndata: one\ndata:two\nid: 42\nretry: 3000\n\ndata: next\n\n")
        #expect(events == [
            ServerSentEvent(event: "update", data: "one\ntwo", id: "42", retry: 3000),
            ServerSentEvent(data: "next", id: "42"),
        ])
    }

    @Test("LF, CRLF and CR all end lines, even split across chunks", arguments: [1, 2, 3, 5, 1000])
    func lineEndings(size: Int) {
        let text = "data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: Grüße 🙂\r\n\r\n"
        #expect(parse(text, splitEvery: size).map(\.data) == ["a", "b", "c", "Grüße 🙂"])
    }

    @Test func commentsAndUnknownFields() {
        #expect(parse(": ping\n\nfoo: bar\ndata: x\n\n").map(\.data) == ["x"])
    }

    @Test("events without data are not dispatched, but an empty data line is")
    func emptyData() {
        #expect(parse("event: nothing\n\n").isEmpty)
        #expect(parse("id: 1\ndata:\n\n") == [ServerSentEvent(data: "", id: "1")])
    }

    @Test("a field without a colon, a bad retry, an id with NUL")
    func oddities() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("data\nretry: 1x\nid: a\u{0}b\n\n".utf8))
        #expect(events == [ServerSentEvent(data: "")])
        #expect(parser.retry == nil && parser.lastEventID == nil)
    }

    @Test("a byte-order mark at the start is skipped; an unfinished event at the end is dropped")
    func bomAndEnd() {
        var parser = ServerSentEventParser()
        #expect(parser.feed([0xEF, 0xBB, 0xBF] + Array("data: first\n\ndata: cut".utf8)) == [ServerSentEvent(data: "first")])
        parser.finish()
        #expect(parser.feed(Array("\n\n".utf8)).isEmpty)
    }
}
