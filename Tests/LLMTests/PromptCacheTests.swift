import Foundation
import TestSupport
import Testing

@testable import LLM

/// Which file holds a slot's saved prompt, and which files are kept. That a new llama-server restores one and then
/// reads only the question is shown with the real model in AskCommandTests.
@Suite struct PromptCacheTests {
    let system = ChatMessage.system("You are the accounting assistant of Muster Digital GmbH. Today is 2026-11-25.")

    func name(_ request: ChatRequest, slot: CacheSlot = .toolRounds, setup: String = "setup-a") throws -> String {
        PromptCache.fileName(slot: slot, setup: setup, beginning: try PromptCache.beginning(of: request))
    }

    @Test("a file is named by the slot, the setup, the first message and the tool list, not by what follows")
    func fileNames() throws {
        let warmUp = try name(ChatRequest(messages: [system], tools: [listInvoicesTool], maxTokens: 1))
        #expect(warmUp.wholeMatch(of: /slot0-[0-9a-f]{1,16}\.bin/) != nil, "a name llama-server accepts: \(warmUp)")
        // The chat's warm-up and the first question begin alike: the question finds the warm-up's file.
        let question = ChatRequest(messages: [system, .user("show me the last 5 invoices")], tools: [listInvoicesTool], cacheSlot: .toolRounds)
        #expect(try name(question) == warmUp)
        #expect(try name(question) == name(question), "the same in every process: no random hashing")
        let tomorrow = ChatMessage.system("You are the accounting assistant of Muster Digital GmbH. Today is 2026-11-26.")
        #expect(try name(ChatRequest(messages: [tomorrow], tools: [listInvoicesTool])) != warmUp, "another day's prompt")
        #expect(try name(ChatRequest(messages: [system])) != warmUp, "no tool list")
        #expect(try name(ChatRequest(messages: [system], tools: [listInvoicesTool]), slot: .answers).hasPrefix("slot1-"))
        #expect(try name(ChatRequest(messages: [system], tools: [listInvoicesTool]), setup: "setup-b") != warmUp, "another model or template")
    }

    @Test("pruning keeps the three most recently used files of the slot and touches nothing else")
    func pruning() throws {
        let directory = try scratchDirectory("prompt-cache")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = Date()
        let files = ["slot0-a.bin": 4, "slot0-b.bin": 3, "slot0-c.bin": 2, "slot0-d.bin": 1, "slot1-a.bin": 9, "notes.txt": 9]
        for (file, hoursAgo) in files {
            let path = directory + "/" + file
            try Data("x".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(Double(-3600 * hoursAgo))], ofItemAtPath: path)
        }
        PromptCache.prune(slot: .toolRounds, in: directory)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(left == ["slot0-b.bin", "slot0-c.bin", "slot0-d.bin", "slot1-a.bin", "notes.txt"])
    }

    @Test("llama-server is started with a folder to save prompts in")
    func flags() {
        let flags = LocalModelServer.flags(model: "MODEL", template: nil, cores: 2, promptCache: "/cache/prompt-cache")
        let at = flags.firstIndex(of: "--slot-save-path")
        #expect(at.map { flags[$0 + 1] } == "/cache/prompt-cache")
    }

    @Test("usage of two rounds: the cached count is known when either round said it")
    func usageSums() {
        let known = Usage(inputTokens: 3300, outputTokens: 20, cachedInputTokens: 3290)
        let unknown = Usage(inputTokens: 500, outputTokens: 60)
        #expect(known + unknown == Usage(inputTokens: 3800, outputTokens: 80, cachedInputTokens: 3290))
        #expect((unknown + unknown).cachedInputTokens == nil)
    }
}
