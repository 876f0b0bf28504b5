import Foundation
import TestSupport
import Testing

@testable import LLM

/// Finding the offline model's files in a cache folder laid out as `make local-model` leaves it.
@Suite final class LocalModelFilesTests {
    let cache: String

    init() throws {
        cache = try scratchDirectory("local-files")
    }

    deinit { try? FileManager.default.removeItem(atPath: cache) }

    /// Writes the binary, the model and (optionally) the processor flags the binary was built for.
    func lay(cpuFlags: String?) throws {
        try layLocalModelCache(
            at: cache, serverDirectory: LocalModelFiles.serverDirectory, modelDirectory: LocalModelFiles.modelDirectory, cpuFlags: cpuFlags)
    }

    @Test func missingFilesNameTheMakeTarget() throws {
        let error = #expect(throws: LocalModelError.self) { try LocalModelFiles.locate(environment: ["LEDGERCHAT_CACHE": cache]) }
        #expect(error?.message.contains("make local-model") == true)
        #expect(error?.message.contains("llama-server") == true)
    }

    @Test func aBinaryBuiltForThisProcessorIsUsed() throws {
        let flags = try #require(LocalModelFiles.processorFlags())
        #expect(flags.hasPrefix("flags") || flags.hasPrefix("Features"))
        try lay(cpuFlags: flags)
        let files = try LocalModelFiles.locate(environment: ["LEDGERCHAT_CACHE": cache])
        #expect(files.server == "\(cache)/\(LocalModelFiles.serverDirectory)/llama-server")
        #expect(files.model == "\(cache)/\(LocalModelFiles.modelDirectory)/model.gguf")
        #expect(files.tunedFlags.isEmpty, "no server-flags: llama.cpp's defaults")
    }

    @Test("the flags make local-model measured for this machine reach llama-server, after ledgerchat's own")
    func measuredFlagsAreUsed() throws {
        let processor: String = try #require(LocalModelFiles.processorFlags())
        try lay(cpuFlags: processor)
        let serverDirectory = "\(cache)/\(LocalModelFiles.serverDirectory)"
        try "--no-repack\n".write(toFile: serverDirectory + "/server-flags", atomically: true, encoding: .utf8)
        let files = try LocalModelFiles.locate(environment: ["LEDGERCHAT_CACHE": cache])
        #expect(files.tunedFlags == ["--no-repack"])
        let flags = LocalModelServer.flags(model: files.model, template: nil, cores: 2, tuned: files.tunedFlags)
        #expect(flags.last == "--no-repack" && flags.contains("-fa"))
        // An empty file (repacking measured faster, or the measurement failed) adds nothing.
        try "".write(toFile: serverDirectory + "/server-flags", atomically: true, encoding: .utf8)
        #expect(try LocalModelFiles.locate(environment: ["LEDGERCHAT_CACHE": cache]).tunedFlags.isEmpty)
    }

    @Test(arguments: ["flags\t\t: fpu sse2", nil])
    func aBinaryBuiltForAnotherProcessorIsRefusedWithWhatToRun(recorded: String?) throws {
        try #require(LocalModelFiles.processorFlags() != nil)
        try lay(cpuFlags: recorded)
        let error = #expect(throws: LocalModelError.self) { try LocalModelFiles.locate(environment: ["LEDGERCHAT_CACHE": cache]) }
        #expect(error?.message.contains("another processor") == true)
        #expect(error?.message.contains("make local-model") == true)
    }

    @Test func aSecondStarterWaitsForTheFirstAndSaysSo() async throws {
        let path = cache + "/local-model-server.lock"
        let first = try await LocalModelServer.StartLock.acquire(path: path, progress: { _ in })
        let messages = Locked<[String]>([])
        let acquired = Locked(false)
        let second = Task {
            let lock = try await LocalModelServer.StartLock.acquire(path: path, progress: { line in messages.withLock { $0.append(line) } })
            acquired.withLock { $0 = true }
            lock.release()
        }
        try await Task.sleep(for: .milliseconds(600))
        #expect(acquired.withLock { $0 } == false)
        #expect(messages.withLock { $0 } == ["Another ledgerchat is starting the local model; waiting for it…"])
        first.release()
        try await second.value
        #expect(acquired.withLock { $0 })
    }

    @Test("a running server is reused only for the same template text: an edited template gets a server of its own")
    func templateDigestFollowsTheTemplatesText() throws {
        let path = scratchPath("template") + ".jinja"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{{- messages[0].content }}".write(toFile: path, atomically: true, encoding: .utf8)
        let original = LocalModelServer.templateDigest(path: path)
        #expect(LocalModelServer.templateDigest(path: path) == original)
        try "{{- messages[0].content }}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let edited = LocalModelServer.templateDigest(path: path)
        #expect(edited != original)
        #expect(LocalModelServer.templateDigest(path: nil) == "none")
        #expect(LocalModelServer.templateDigest(path: path + ".missing") == "unreadable")
        // FNV-1a's published value for the empty input: the digest is stable across processes (Swift's Hasher is not).
        try "".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(LocalModelServer.templateDigest(path: path) == "cbf29ce484222325")
    }

    @Test("make local-model builds into the folder ledgerchat and the bench read the binary from")
    func theScriptsAgreeOnTheServerFolder() throws {
        let root = packageRootURL
        let build = try String(contentsOf: root.appendingPathComponent("scripts/local-model.sh"), encoding: .utf8)
        let version = try #require(build.split(separator: "\n").first { $0.hasPrefix("LLAMA_CPP_PYTHON_VERSION=") })
        #expect(version == "LLAMA_CPP_PYTHON_VERSION=\(LocalModelFiles.serverVersion)")
        let folder = try #require(build.split(separator: "\n").first { $0.hasPrefix("SERVER_DIR=") })
        let expanded = folder.replacingOccurrences(of: "$LLAMA_CPP_PYTHON_VERSION", with: LocalModelFiles.serverVersion)
        #expect(expanded == "SERVER_DIR=$CACHE/\(LocalModelFiles.serverDirectory)")
        let bench = try String(contentsOf: root.appendingPathComponent("bench/local-model-bench.sh"), encoding: .utf8)
        #expect(bench.contains("SERVER=$CACHE/\(LocalModelFiles.serverDirectory)/llama-server"))
    }

    @Test func theBenchStartsLlamaServerWithLedgerchatsFlags() throws {
        let root = packageRootURL
        let script = try String(contentsOf: root.appendingPathComponent("bench/local-model-bench.sh"), encoding: .utf8)
        let lines = script.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n")  // continued lines joined
        let command = try #require(lines.first { $0.contains("\"$SERVER\" -m") }).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(script.contains(#"$(cat "$(dirname "$SERVER")/server-flags" 2>/dev/null)"#), "the bench passes the measured flags too")
        let flags = LocalModelServer.flags(model: "MODEL", template: "TEMPLATE", cores: 2)
        // The bench names the model, template and thread count through shell variables; every other value must match.
        let variable: Set<String> = ["-m", "--chat-template-file", "-t", "--slot-save-path"]
        for (index, option) in flags.enumerated() where option.hasPrefix("-") {
            let at = try #require(command.firstIndex(of: option), "the bench does not pass \(option)")
            if index + 1 < flags.count, !flags[index + 1].hasPrefix("-"), !variable.contains(option) {
                #expect(command[at + 1] == flags[index + 1], "\(option): the bench passes \(command[at + 1]), ledgerchat \(flags[index + 1])")
            }
        }
    }
}
