import Foundation
import Testing
import TestSupport

/// What `make run` opens on a fresh machine: plain `ledgerchat`, no config file, no key, the demo ledger created on
/// first use, and the offline model (llama-server and the model from `make local-model`, which `make test` runs first).
@Suite("Chat with no configuration (the offline model, real)", .serialized, .localModelTurn)
struct OfflineChatTests {
    @Test("plain ledgerchat with no config opens on the demo ledger and the local model, and answers a question with a table")
    func freshStart() async throws {
        let directory = try scratchDirectory("offline")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Empty config, data and state folders: nothing configured, no ledger yet. The model cache stays where
        // `make local-model` put it.
        let session = try await TmuxSession(
            arguments: [], width: 100, height: 40, directory: directory,
            environment: [
                "XDG_CONFIG_HOME": directory + "/config", "XDG_DATA_HOME": directory + "/data", "XDG_STATE_HOME": directory + "/state",
            ])
        let welcome = try await session.waitFor(text: "Welcome to ledgerchat", timeout: 60)
        #expect(welcome.joined().contains("the demo ledger"))
        #expect(welcome.filter { $0.hasPrefix("  • ") }.count == 3, "three example questions: \(welcome.joined(separator: "\n"))")
        try await session.waitFor("the local model in the status bar") { $0.first?.contains("model local") == true }
        #expect(FileManager.default.fileExists(atPath: directory + "/data/ledgerchat/demo.sqlite"), "the demo ledger was created")
        try await session.type("show me the last 5 invoices")
        try await session.press("Enter")
        // The model reads the system prompt and tools first (about a minute on two cores), then calls and answers.
        let screen = try await session.waitFor("the answer with the table", timeout: 600) { lines in
            lines.joined(separator: "\n").contains("Showing 1–5 of") && lines.last { !$0.isEmpty }?.hasPrefix("Enter send") == true
        }
        #expect(screen.contains { $0.contains("list_invoices") && $0.contains("limit=5") && $0.contains("✓") }, "\(screen.joined(separator: "\n"))")
        #expect(try await session.isRunning())
        try await session.press("C-d")
        try await session.waitForExit()
    }
}
