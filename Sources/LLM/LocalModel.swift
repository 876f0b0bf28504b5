import Config
import Curl
import Foundation
import Processes

/// Where the offline model's files are: the `llama-server` binary and the GGUF model that `make local-model` puts
/// under `~/.cache/ledgerchat/`, keyed by version (the binary also by the processor it was built for).
public struct LocalModelFiles: Sendable, Equatable {
    public static let serverVersion = "0.3.36"
    /// The binary's folder in the cache: "native" for `-march=native`, "noamx" since builds leave out Intel's AMX
    /// kernels, which crash on this model (see scripts/local-model.sh); a binary built before that is not used.
    public static let serverDirectory = "llama-server-\(serverVersion)-native-noamx"
    public static let modelDirectory = "model-qwen2.5-coder-1.5b-q4_k_m-0.2.0"
    public var server: String
    public var model: String
    /// Flags `make local-model` chose by measuring this machine (`server-flags` next to the binary): `--no-repack`
    /// where llama-server reads and writes faster without repacking the weights.
    public var tunedFlags: [String] = []

    /// `$LEDGERCHAT_CACHE`, else `~/.cache/ledgerchat`.
    public static func cacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let cache = environment["LEDGERCHAT_CACHE"], !cache.isEmpty { return cache }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache"
        return base + "/ledgerchat"
    }

    /// The files, or an error that says how to get them.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LocalModelFiles {
        let cache = cacheDirectory(environment: environment)
        let serverDirectory = "\(cache)/\(Self.serverDirectory)"
        var files = LocalModelFiles(server: "\(serverDirectory)/llama-server", model: "\(cache)/\(modelDirectory)/model.gguf")
        let fileManager = FileManager.default
        var missing: [String] = []
        if !fileManager.isExecutableFile(atPath: files.server) { missing.append("llama-server (\(files.server))") }
        if !fileManager.fileExists(atPath: files.model) { missing.append("the model (\(files.model))") }
        guard missing.isEmpty else {
            throw LocalModelError(
                "The offline model is not set up: missing \(missing.joined(separator: " and ")). Run `make local-model` in the "
                    + "ledgerchat checkout (about 12 minutes the first time), or configure another model in config.toml.")
        }
        // The binary is built for the processor it was built on; on another one it could die of an illegal instruction.
        let builtFor = (try? String(contentsOfFile: serverDirectory + "/cpu-flags", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let current = processorFlags(), builtFor != current {
            throw LocalModelError(
                "llama-server in \(serverDirectory) was built for another processor. Run `make local-model` in the ledgerchat "
                    + "checkout to build it for this one (about 12 minutes).")
        }
        files.tunedFlags = tunedFlags(in: serverDirectory)
        return files
    }

    /// The words of `server-flags`; none when it is missing (a cache from before the measurement, or one that could
    /// not measure: llama.cpp's defaults then).
    static func tunedFlags(in serverDirectory: String) -> [String] {
        guard let text = try? String(contentsOfFile: serverDirectory + "/server-flags", encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// The first `flags` (x86) or `Features` (ARM) line of /proc/cpuinfo, as `make local-model` records it next to
    /// the binary.
    public static func processorFlags() -> String? {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") || $0.hasPrefix("Features") }.map(String.init)
    }
}

/// Why the local model could not be started, and what to do.
public struct LocalModelError: Error, CustomStringConvertible, LocalizedError {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Runs `llama-server` for the offline model: starts it on a free loopback port with our chat template, the
/// context size and one thread per core, waits until `/health` answers, and stops it when ledgerchat exits. A server
/// another ledgerchat started with the same flags and template text is reused (found through a small state file) and
/// left running; two starting at once take turns through a lock file, so only one loads the model.
public actor LocalModelServer {
    public static let shared = LocalModelServer()

    private var baseURL: String?
    private var starting: Task<String, any Error>?
    /// The llama-server this one started, kept so that one that died is reaped (`exitStatus`) before another starts,
    /// instead of staying a zombie until ledgerchat exits.
    private var server: SpawnedProcess?
    /// The prompt cache on disk of the server at `baseURL` (see `PromptCache`).
    var promptCache: PromptCache.Session?

    /// The context size of each of llama-server's slots; the full toolset with results fits with room to spare.
    public static let contextSize = 8192
    /// The longest answer, in tokens. Why 1024: asked "What was our revenue per month this year?", the offline model
    /// copies the eleven months with every amount (~650 tokens) and at 512 stopped in November, an answer the user
    /// is told is incomplete. In the compare suite no other answer reached 512, so the higher limit costs time only
    /// where the answer needs it (or where a model loops, stopped here at twice the old cost).
    public static let answerTokenLimit = 1024
    /// One slot for rounds that may call tools, one for answers (see `CacheSlot`).
    static let slots = 2

    /// The OpenAI-compatible base URL (`http://127.0.0.1:PORT/v1`), starting the server if needed. `progress` gets
    /// a line now and then while it starts.
    public func ensureRunning(template: String?, progress: @escaping @Sendable (String) -> Void) async throws -> String {
        if let baseURL, await Self.healthy(baseURL) { return baseURL }
        if let starting { return try await starting.value }
        let task = Task { try await self.start(template: template, progress: progress) }
        starting = task
        defer { starting = nil }
        let url = try await task.value
        baseURL = url
        return url
    }

    private struct State: Codable {
        var pid: Int32
        var port: Int
        /// Every argument but the port: a server started with other flags (another model, template or release of
        /// ledgerchat) is not reused. Absent in older states, which then do not decode and are not reused.
        var flags: [String]
        /// The chat template's text as `templateDigest` gives it: a template edited while a server runs is not served
        /// by it.
        var templateDigest: String
    }

    /// A digest of the file's text (FNV-1a, 64 bits: it only has to notice edits), "none" without a file.
    static func templateDigest(path: String?) -> String {
        guard let path else { return "none" }
        guard let data = FileManager.default.contents(atPath: path) else { return "unreadable" }
        return digest(data)
    }

    /// FNV-1a, 64 bits, in hex: the same bytes give the same digest in every process (Swift's `Hasher` does not).
    static func digest(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    private static var statePath: String { LocalModelFiles.cacheDirectory() + "/local-model-server.json" }

    private func start(template: String?, progress: @escaping @Sendable (String) -> Void) async throws -> String {
        if let server, server.exitStatus != nil { self.server = nil }
        let files = try LocalModelFiles.locate()
        // Two ledgerchats started together (two terminals, or tests run in parallel) would each load a model and share
        // two cores between them; the second waits for the first and then reuses its server.
        let lock = try await StartLock.acquire(path: LocalModelFiles.cacheDirectory() + "/local-model-server.lock", progress: progress)
        defer { lock.release() }
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let flags = Self.flags(model: files.model, template: template, cores: cores, tuned: files.tunedFlags)
        let templateDigest = Self.templateDigest(path: template)
        // The saved prompts hold what this binary computed with this model and template; another setup has files of
        // its own.
        let setup = Self.digest(Data(([files.server, templateDigest] + flags).joined(separator: "\n").utf8))
        if let data = FileManager.default.contents(atPath: Self.statePath), let state = try? JSONDecoder().decode(State.self, from: data),
            state.flags == flags, state.templateDigest == templateDigest, kill(state.pid, 0) == 0
        {
            let url = "http://127.0.0.1:\(state.port)/v1"
            if await Self.healthy(url) {
                // Its slots already hold what its own ledgerchat asked: a restore would replace that.
                promptCache = PromptCache.Session(baseURL: url, setup: setup, restores: false)
                return url
            }
        }
        try? FileManager.default.createDirectory(atPath: PromptCache.directory, withIntermediateDirectories: true)
        let port = try Self.freePort()
        let arguments = flags + ["--port", String(port)]
        let logPath = Self.logPath()
        try? FileManager.default.createDirectory(atPath: (logPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let process: SpawnedProcess
        do { process = try ChildProcesses.shared.start(files.server, arguments, input: .null, output: .file(logPath), error: .sameAsOutput) } catch {
            throw LocalModelError("Cannot start \(files.server): \(error.localizedDescription). Run `make local-model` again.")
        }
        let url = "http://127.0.0.1:\(port)/v1"
        let started = ContinuousClock.now
        progress("Starting the local model (llama-server, \(cores) threads)…")
        var lastReport = started
        while ContinuousClock.now - started < .seconds(180) {
            if let ended = process.exitStatus {
                throw LocalModelError(Self.startFailure(ended, logTail: Self.logTail(logPath), logPath: logPath))
            }
            if await Self.healthy(url) {
                let state = State(pid: process.processIdentifier, port: port, flags: flags, templateDigest: templateDigest)
                try? JSONEncoder().encode(state).write(to: URL(fileURLWithPath: Self.statePath))
                promptCache = PromptCache.Session(baseURL: url, setup: setup, restores: true)
                server = process
                progress("Local model ready after \((ContinuousClock.now - started).components.seconds) s.")
                return url
            }
            if ContinuousClock.now - lastReport >= .seconds(5) {
                lastReport = ContinuousClock.now
                progress("Still loading the local model… \((ContinuousClock.now - started).components.seconds) s")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        await process.stop(grace: .seconds(5))
        // Loading takes seconds on an idle machine; three minutes means the machine is starved (memory swapped out,
        // cores taken by other work) or the disk is very slow. The log's last lines say how far it got.
        throw LocalModelError(
            "The local model did not become ready within 3 minutes (llama-server's last lines: \(Self.logTail(logPath))). "
                + "The machine may be busy or short of memory: close other programs and try again, or configure another "
                + "model in config.toml (see config.example.toml). Log: \(logPath)")
    }

    /// llama-server's last three log lines on one line, for an error message.
    static func logTail(_ logPath: String) -> String {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: " | ")
    }

    /// What to tell the user when llama-server ends before it is ready. A crash (a signal) is the binary failing on
    /// this processor — rebuilding it may help, another model does; an exit with a status is llama-server's own refusal,
    /// which its last log lines explain.
    static func startFailure(_ ended: ChildExit, logTail: String, logPath: String) -> String {
        let status = ended.status
        if ended.signaled {
            return "llama-server crashed (signal \(status)) while loading the model: \(logTail). Run `make local-model` in the "
                + "ledgerchat checkout to rebuild it for this processor; if it still crashes, configure another model in "
                + "config.toml (see config.example.toml). Log: \(logPath)"
        }
        return "llama-server exited with status \(status) while starting: \(logTail). Check the log for why, then try again; "
            + "if it keeps failing, run `make local-model` again or configure another model in config.toml. Log: \(logPath)"
    }

    /// llama-server's arguments but the port. `bench/local-model-bench.sh` starts it with the same ones (a test checks).
    static func flags(model: String, template: String?, cores: Int, tuned: [String] = [], promptCache: String = PromptCache.directory) -> [String] {
        var flags = [
            "-m", model, "--host", "127.0.0.1", "--jinja", "-c", String(contextSize * slots), "-np", String(slots),
            "-t", String(cores), "--alias", "local",
            // Flash attention off: on this kind of machine (2 cores, no GPU) it made short prompts after a long cached
            // one slower (12 tokens after the 3,200-token tool list: 0.3 s off, 0.5–0.7 s on) and long ones no faster.
            "-fa", "off",
            // No RAM prompt cache: each slot keeps its own prompt (tool rounds, answers), so restoring one from RAM
            // rarely helps, and saving and searching it cost 0.1–0.3 s at the start of every request (measured in
            // llama-server's log: the time from a slot's launch to its timings, 263 ms on the answer round, 0 without).
            "--cache-ram", "0",
            // Where computed prompts are saved and restored from (`PromptCache`).
            "--slot-save-path", promptCache,
        ]
        if let template { flags += ["--chat-template-file", template] }
        return flags + tuned
    }

    /// An exclusive `flock` on a file next to the state file, held while a server is being found or started.
    struct StartLock {
        let descriptor: Int32

        static func acquire(path: String, progress: @Sendable (String) -> Void) async throws -> StartLock {
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // O_CLOEXEC: llama-server, started while this is held, must not inherit the lock and keep it.
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw LocalModelError("Cannot open \(path): \(String(cString: strerror(errno))). Check that the directory is writable.") }
            let started = ContinuousClock.now
            var reported = false
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                guard ContinuousClock.now - started < .seconds(240) else {
                    close(descriptor)
                    throw LocalModelError(
                        "Another ledgerchat has been starting the local model for 4 minutes. Close it and try again.")
                }
                if !reported {
                    reported = true
                    progress("Another ledgerchat is starting the local model; waiting for it…")
                }
                do { try await Task.sleep(for: .milliseconds(250)) } catch {
                    close(descriptor)
                    throw error
                }
            }
            return StartLock(descriptor: descriptor)
        }

        func release() { close(descriptor) }
    }

    /// The server's own endpoints (`/health`, `/slots`) sit beside the OpenAI-compatible `/v1`.
    public static func root(of baseURL: String) -> String {
        baseURL.hasSuffix("/v1") ? String(baseURL.dropLast(3)) : baseURL
    }

    static func healthy(_ baseURL: String) async -> Bool {
        let request = CurlRequest(url: root(of: baseURL) + "/health", timeouts: CurlTimeouts(connect: .seconds(1), total: .seconds(2), idle: nil))
        guard let (response, _) = try? await Curl.data(request) else { return false }
        return response.status == 200
    }

    static func logPath() -> String {
        StateDirectory.file("llama-server.log")
    }

    static func freePort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw LocalModelError("Cannot open a socket to find a free port.") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, length) == 0 && getsockname(socketDescriptor, $0, &length) == 0 }
        }
        guard bound else { throw LocalModelError("Cannot find a free loopback port.") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The `local` provider: OpenAI Chat Completions against the llama-server that `LocalModelServer` runs.
public struct LocalModelProvider: ChatProvider {
    public let profile: ModelProfile
    public let template: String?
    public let progress: @Sendable (String) -> Void

    public init(profile: ModelProfile, template: String?, progress: @escaping @Sendable (String) -> Void) {
        self.profile = profile
        self.template = template
        self.progress = progress
    }

    public var cachesAnswersApart: Bool { profile.answerSlot }

    public func send(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ChatEvent, any Error>.makeStream()
        let task = Task {
            do {
                var resolved = profile
                resolved.baseURL = try await LocalModelServer.shared.ensureRunning(template: template, progress: progress)
                // Only a request pinned to a slot (`id_slot`) lands where a saved prompt can be restored and saved from.
                let slot = profile.answerSlot ? request.cacheSlot : nil
                var promptFile: String?
                if let slot { promptFile = await LocalModelServer.shared.preparePrompt(slot: slot, request: request) }
                for try await event in OpenAIProvider(profile: resolved).send(request) { continuation.yield(event) }
                if let slot, let promptFile { await LocalModelServer.shared.savePromptIfMissing(slot: slot, file: promptFile) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
