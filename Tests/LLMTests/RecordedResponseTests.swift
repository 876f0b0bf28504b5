import Foundation
import TestSupport
import Testing

@testable import LLM

/// Real responses of llama.cpp's `llama-server` (recorded by `scripts/record-llm-fixtures.sh` with the offline
/// model), replayed byte for byte through the scripted server: the providers must read what a real server sends.
/// This suite's own scripted server: it runs in parallel with the provider tests.
let replay = try! ScriptedLLM()

@Suite("Recorded llama-server responses", .serialized)
struct RecordedResponseTests {
    func provider(_ kind: ProviderKind) -> any ChatProvider {
        profile(kind, baseURL: kind == .openai ? replay.url("/v1") : replay.url("")).makeProvider()
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    /// The recorded stream cut into pieces of uneven size, as a network would deliver it.
    static func chunks(_ text: String) -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        var size = 7
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
            size = size * 3 % 97 + 5
        }
        return pieces
    }

    /// A reference reading of an OpenAI stream, independent of the provider: content pieces and the usage chunk.
    static func openAIReference(_ text: String) -> (content: String, usage: Usage?) {
        var content = ""
        var usage: Usage?
        for line in text.split(separator: "\n") where line.hasPrefix("data: ") && line != "data: [DONE]" {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any] else { continue }
            for choice in object["choices"] as? [[String: Any]] ?? [] {
                content += (choice["delta"] as? [String: Any])?["content"] as? String ?? ""
            }
            if let counts = object["usage"] as? [String: Any] {
                usage = Usage(
                    inputTokens: counts["prompt_tokens"] as? Int ?? 0, outputTokens: counts["completion_tokens"] as? Int ?? 0,
                    cachedInputTokens: (counts["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int)
            }
        }
        return (content, usage)
    }

    @Test("OpenAI endpoint, streamed", arguments: ["llama-server-openai-stream.txt", "llama-server-openai-stream-tools.txt"])
    func openAIStream(name: String) async throws {
        let recorded = try Self.fixture(name)
        let reference = Self.openAIReference(recorded)
        try await replay.script([.sse(Self.chunks(recorded))])
        let response = try await ChatResponse.collect(from: provider(.openai), ChatRequest(messages: [.user("x")]))
        #expect(!reference.content.isEmpty)
        #expect(response.text == reference.content)
        #expect(response.usage == reference.usage && response.usage != nil)
        #expect(response.usage?.cachedInputTokens != nil, "llama-server says how much of the prompt it had computed")
        #expect(response.finishReason != nil)
    }

    @Test("OpenAI endpoint, one JSON answer")
    func openAIJSON() async throws {
        let recorded = try Self.fixture("llama-server-openai.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(recorded.utf8)) as? [String: Any])
        let expected = (((object["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any])?["content"] as? String
        try await replay.script([.json(recorded)])
        let response = try await ChatResponse.collect(from: provider(.openai), ChatRequest(messages: [.user("x")], stream: false))
        #expect(response.text == expected && !(expected ?? "").isEmpty)
        #expect(response.finishReason == .stop || response.finishReason == .length)
    }

    @Test("Anthropic endpoint, streamed")
    func anthropicStream() async throws {
        let recorded = try Self.fixture("llama-server-anthropic-stream.txt")
        var expected = ""
        for line in recorded.split(separator: "\n") where line.hasPrefix("data: ") {
            let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
            expected += (object?["delta"] as? [String: Any])?["text"] as? String ?? ""
        }
        try await replay.script([.sse(Self.chunks(recorded))])
        let response = try await ChatResponse.collect(from: provider(.anthropic), ChatRequest(messages: [.user("x")]))
        #expect(!expected.isEmpty && response.text == expected)
        #expect((response.usage?.outputTokens ?? 0) > 0)
    }

    @Test("Anthropic endpoint, one JSON answer")
    func anthropicJSON() async throws {
        let recorded = try Self.fixture("llama-server-anthropic.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(recorded.utf8)) as? [String: Any])
        let expected = ((object["content"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.joined()
        try await replay.script([.json(recorded)])
        let response = try await ChatResponse.collect(from: provider(.anthropic), ChatRequest(messages: [.user("x")], stream: false))
        #expect(!expected.isEmpty && response.text == expected)
    }
}
