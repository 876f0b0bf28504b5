import Foundation

/// One server-sent event.
public struct ServerSentEvent: Equatable, Sendable {
    /// The `event:` field; "message" when the server gave none.
    public var event: String
    /// The `data:` lines joined with newlines.
    public var data: String
    /// The last `id:` seen up to and including this event, for resuming with `Last-Event-ID`.
    public var id: String?
    /// A `retry:` reconnection delay in milliseconds carried by this event.
    public var retry: Int?

    public init(event: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// An incremental parser for `text/event-stream` as the WHATWG HTML standard defines it: feed it bytes as they
/// arrive, split anywhere (even inside a UTF-8 character or a CRLF), and it returns each event once complete.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCarriageReturn = false
    private var sawFirstLine = false
    private var eventType = ""
    private var data: [UInt8] = []
    private var hasData = false
    private var retryInEvent: Int?
    /// The event id in force: it carries over to later events until the server sets another.
    public private(set) var lastEventID: String?
    /// The latest `retry:` the server asked for, in milliseconds.
    public private(set) var retry: Int?

    public init() {}

    /// Consumes bytes and returns the events they complete.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [ServerSentEvent] where Bytes.Element == UInt8 {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case 0x0A:  // LF, or the second half of CRLF
                if lastWasCarriageReturn {
                    lastWasCarriageReturn = false
                    continue
                }
                if let event = endLine() { events.append(event) }
            case 0x0D:  // CR
                lastWasCarriageReturn = true
                if let event = endLine() { events.append(event) }
            default:
                lastWasCarriageReturn = false
                line.append(byte)
            }
        }
        return events
    }

    /// The stream ended: an event without its closing blank line is discarded, as the standard says.
    public mutating func finish() {
        line.removeAll()
        resetEvent()
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if !sawFirstLine {
            sawFirstLine = true
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }  // a comment, e.g. a keep-alive
        let field: [UInt8]
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = Array(line[..<colon])
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = line
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "event": eventType = String(decoding: value, as: UTF8.self)
        case "data":
            data.append(contentsOf: value)
            data.append(0x0A)
            hasData = true
        case "id" where !value.contains(0): lastEventID = String(decoding: value, as: UTF8.self)
        case "retry" where !value.isEmpty && value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }):
            let milliseconds = Int(String(decoding: value, as: UTF8.self))
            retry = milliseconds
            retryInEvent = milliseconds
        default: break  // unknown fields are ignored
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer { resetEvent() }
        guard hasData else { return nil }
        if data.last == 0x0A { data.removeLast() }
        return ServerSentEvent(
            event: eventType.isEmpty ? "message" : eventType, data: String(decoding: data, as: UTF8.self), id: lastEventID,
            retry: retryInEvent)
    }

    private mutating func resetEvent() {
        eventType = ""
        data.removeAll(keepingCapacity: true)
        hasData = false
        retryInEvent = nil
    }
}

extension AsyncSequence where Element == Data, Self: Sendable {
    /// The events in a streamed `text/event-stream` body.
    public func serverSentEvents() -> AsyncThrowingStream<ServerSentEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var parser = ServerSentEventParser()
                do {
                    for try await chunk in self {
                        for event in parser.feed(chunk) { continuation.yield(event) }
                    }
                    parser.finish()
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
