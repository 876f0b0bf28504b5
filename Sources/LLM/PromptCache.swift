import Curl
import Foundation

/// llama-server's computed prompts, kept on disk between runs (`--slot-save-path`). Without them every new server
/// reads the system prompt and the tool list again before the first question: ~3,300 tokens, about a minute on two
/// cores. Measured there: restoring slot 0 saved by an earlier server took 38 ms, and the question after it read 10
/// new prompt tokens instead of 3,262.
///
/// One file per slot and prompt beginning (the first message — the system prompt, which names today's date — and
/// the tool list) on one setup (binary, model, chat template, flags). The server reuses from a restored slot only the
/// tokens where the new prompt still matches it, so a file that no longer fits costs only its restore. Only the first
/// request to each slot of a server is looked at: before it, a server this process started restores that request's
/// file (one another ledgerchat started is left as it is: its slots hold that chat's conversation); after it, a
/// missing file is saved, so the file also holds that request (a question, a tool call). The chat's first request is
/// its warm-up with the system prompt and tools alone; a toolset switched to later in a chat gets no file. The newest
/// three files per slot are kept (today's prompt and, say, the other toolset's and the fixed date `compare` runs with):
/// ~90 MB each for slot 0 with the full toolset, ~25 MB for slot 1.
enum PromptCache {
    static var directory: String { LocalModelFiles.cacheDirectory() + "/prompt-cache" }
    static let filesKeptPerSlot = 3

    /// What `LocalModelServer` knows of its server's prompt cache.
    struct Session {
        let baseURL: String
        /// A digest of the binary, model, template and flags: another setup's files are never restored.
        let setup: String
        /// Whether slots may be restored: only on a server this process started.
        let restores: Bool
        /// Slots whose first request has been sent: only that one restores and saves, so later requests (every round
        /// of every question) do no work here.
        var started: Set<CacheSlot> = []
    }

    /// The part of a request that names its file: the first message and the tool list, as they are sent.
    static func beginning(of request: ChatRequest) throws -> Data {
        var object: [String: Any] = ["tools": try OpenAIProvider.wire(request.tools)]
        if let first = request.messages.first { object["first"] = OpenAIProvider.wire(first) }
        return try WireJSON.encode(object)
    }

    static func fileName(slot: CacheSlot, setup: String, beginning: Data) -> String {
        "slot\(slot.rawValue)-\(LocalModelServer.digest(Data(setup.utf8) + beginning)).bin"
    }

    /// Removes all but the `keeping` most recently used files of the slot (a restore marks a file used).
    static func prune(slot: CacheSlot, in directory: String, keeping: Int = filesKeptPerSlot) {
        let fileManager = FileManager.default
        let prefix = "slot\(slot.rawValue)-"
        let files = ((try? fileManager.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".bin") }
            .map { name -> (path: String, used: Date) in
                let path = directory + "/" + name
                return (path, (try? fileManager.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast)
            }
            .sorted { $0.used > $1.used }
        for file in files.dropFirst(keeping) { try? fileManager.removeItem(atPath: file.path) }
    }

    /// llama-server's `POST /slots/N?action=save|restore`; whether it succeeded.
    static func slotAction(_ action: String, slot: CacheSlot, file: String, baseURL: String) async -> Bool {
        guard let body = try? WireJSON.encode(["filename": file]) else { return false }
        let request = CurlRequest(
            url: "\(LocalModelServer.root(of: baseURL))/slots/\(slot.rawValue)?action=\(action)", method: "POST",
            headers: [HeaderField("Content-Type", "application/json")], body: body,
            // A save waits for the slot's request to end; writing ~95 MB takes well under a second.
            timeouts: CurlTimeouts(connect: .seconds(1), total: .seconds(30), idle: nil))
        guard let (response, _) = try? await Curl.data(request) else { return false }
        return response.status == 200
    }
}

extension LocalModelServer {
    /// Before the first request to `slot` on this server: restores the slot's saved prompt for the request's beginning
    /// when there is one and the server is this process's (a file the server cannot read is removed), and returns the
    /// file's name for `savePromptIfMissing`. Nil for every later request to the slot.
    func preparePrompt(slot: CacheSlot, request: ChatRequest) async -> String? {
        guard var session = promptCache, !session.started.contains(slot), let beginning = try? PromptCache.beginning(of: request)
        else { return nil }
        session.started.insert(slot)
        promptCache = session
        let name = PromptCache.fileName(slot: slot, setup: session.setup, beginning: beginning)
        let path = PromptCache.directory + "/" + name
        guard session.restores, FileManager.default.fileExists(atPath: path) else { return name }
        if await PromptCache.slotAction("restore", slot: slot, file: name, baseURL: session.baseURL) {
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
        } else {
            try? FileManager.default.removeItem(atPath: path)
        }
        return name
    }

    /// After that first request: saves the slot's prompt when `file` does not exist yet, then keeps the newest files
    /// only.
    func savePromptIfMissing(slot: CacheSlot, file: String) async {
        guard let session = promptCache, !FileManager.default.fileExists(atPath: PromptCache.directory + "/" + file) else { return }
        if await PromptCache.slotAction("save", slot: slot, file: file, baseURL: session.baseURL) {
            PromptCache.prune(slot: slot, in: PromptCache.directory)
        }
    }
}
