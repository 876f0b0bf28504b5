import Curl
import Foundation

/// The scripted LLM server (`scripted_llm.py`): each model request gets the next uploaded step, byte for byte.
public final class ScriptedLLM: Sendable {
    public let server: PythonServer

    public init() throws { server = try PythonServer(script: "scripted_llm.py") }

    public func url(_ path: String) -> String { server.url(path) }

    /// Replaces the script and clears the request log.
    public func script(_ steps: [Step]) async throws {
        struct Script: Encodable { var steps: [Step] }
        let body = try JSONEncoder().encode(Script(steps: steps))
        let (response, _) = try await Curl.data(CurlRequest(url: url("/__script"), method: "POST", body: body))
        guard response.status == 200 else { throw PythonServerError(description: "the scripted LLM refused the script") }
    }

    /// Lets a step made with `holdAfter` go on.
    public func release() async throws {
        let (response, _) = try await Curl.data(CurlRequest(url: url("/__release"), method: "POST", body: Data("{}".utf8)))
        guard response.status == 200 else { throw PythonServerError(description: "the scripted LLM did not release the step") }
    }

    /// What the server received: path, headers as sent, JSON body.
    public func requests() async throws -> [[String: Any]] {
        let (_, body) = try await Curl.data(CurlRequest(url: url("/__requests")))
        return try JSONSerialization.jsonObject(with: body) as? [[String: Any]] ?? []
    }
}

/// One scripted answer, written in the wire format under test.
public struct Step: Encodable, Sendable {
    public var status = 200
    public var headers: [String: String] = [:]
    public var chunks: [String]
    public var stream = false
    public var delay_ms = 0
    public var cut_after: Int?
    public var hold_after: Int?

    public init(
        status: Int = 200, headers: [String: String] = [:], chunks: [String], stream: Bool = false, delay_ms: Int = 0, cut_after: Int? = nil,
        hold_after: Int? = nil
    ) {
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.stream = stream
        self.delay_ms = delay_ms
        self.cut_after = cut_after
        self.hold_after = hold_after
    }

    /// A streamed `text/event-stream` answer, optionally cut after some chunks, or held after chunk `holdAfter` until
    /// the test calls `ScriptedLLM.release()`.
    public static func sse(_ events: [String], cutAfter: Int? = nil, delayMilliseconds: Int = 0, holdAfter: Int? = nil) -> Step {
        Step(
            headers: ["Content-Type": "text/event-stream"], chunks: events, stream: true, delay_ms: delayMilliseconds, cut_after: cutAfter,
            hold_after: holdAfter)
    }

    /// A plain JSON answer.
    public static func json(_ body: String, status: Int = 200, headers: [String: String] = [:]) -> Step {
        Step(status: status, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, chunks: [body])
    }

    /// An OpenAI-style stream that calls tools, each call's arguments split in two chunks.
    public static func openAIToolCalls(_ calls: [(id: String, name: String, arguments: String)], usage: (Int, Int) = (100, 10)) -> Step {
        var events: [String] = []
        for (index, call) in calls.enumerated() {
            let head = ["index": index, "id": call.id, "type": "function", "function": ["name": call.name, "arguments": ""]] as [String: Any]
            events.append(chunk(["tool_calls": [head]]))
            let middle = call.arguments.index(call.arguments.startIndex, offsetBy: call.arguments.count / 2)
            for part in [String(call.arguments[..<middle]), String(call.arguments[middle...])] where !part.isEmpty {
                events.append(chunk(["tool_calls": [["index": index, "function": ["arguments": part]]]]))
            }
        }
        events.append(finish("tool_calls", usage: usage))
        events.append("data: [DONE]\n\n")
        return .sse(events)
    }

    /// An OpenAI-style stream that answers in text, in a few pieces; `finishReason` "length" is an answer that
    /// stopped at max_tokens.
    public static func openAIText(_ text: String, usage: (Int, Int) = (200, 20), finishReason: String = "stop") -> Step {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        var events = words.enumerated().map { index, word in chunk(["content": (index == 0 ? "" : " ") + word]) }
        events.append(finish(finishReason, usage: usage))
        events.append("data: [DONE]\n\n")
        return .sse(events)
    }

    private static func chunk(_ delta: [String: Any]) -> String {
        let object: [String: Any] = ["choices": [["index": 0, "delta": delta, "finish_reason": NSNull()]]]
        return "data: " + String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n\n"
    }

    private static func finish(_ reason: String, usage: (Int, Int)) -> String {
        let object: [String: Any] = [
            "choices": [["index": 0, "delta": [String: Any](), "finish_reason": reason]],
            "usage": ["prompt_tokens": usage.0, "completion_tokens": usage.1],
        ]
        return "data: " + String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n\n"
    }
}
