import Foundation
import Processes
import TestSupport
import Testing

/// The real `ledgerchat` binary in a detached tmux session: keys go in with send-keys, the screen comes back with
/// capture-pane. Each session has its own tmux server socket, so tests never see each other.
final class TmuxSession: Sendable {
    let socket = "ledgerchat-test-\(UUID().uuidString.prefix(8))"
    let directory: String

    init(arguments: [String], width: Int = 100, height: Int = 30, directory: String, environment: [String: String] = [:]) async throws {
        self.directory = directory
        let binary = ProcessInfo.processInfo.environment["LEDGERCHAT_BIN"]
            ?? packageRootURL.appendingPathComponent(".build/debug/ledgerchat").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TmuxError("ledgerchat binary not found at \(binary); run `make test` (or `swift build` first)")
        }
        let variables = (["TERM": "tmux-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"].merging(environment) { $1 })
            .map { "\($0.key)=\(Self.quote($0.value))" }.sorted().joined(separator: " ")
        // After ledgerchat exits the pane stays (remain-on-exit) so a test can read what it printed last.
        // The test runner's own environment may carry NO_COLOR; a session sees it only when a test asks for it.
        let unset = environment["NO_COLOR"] == nil ? "-u NO_COLOR " : ""
        let command = "env \(unset)\(variables) \(([binary] + arguments).map(Self.quote).joined(separator: " ")) 2>\(Self.quote(directory + "/stderr.txt"))"
        try await tmux(["-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", String(width), "-y", String(height), command])
        try await tmux(["set-option", "-t", "main", "remain-on-exit", "on"])
    }

    deinit {
        _ = try? Self.tmux(["kill-server"], socket: socket, directory: directory)
    }

    /// Types text literally (UTF-8 included).
    func type(_ text: String) async throws { try await tmux(["send-keys", "-t", "main", "-l", text]) }

    /// Presses named keys: "Enter", "C-c", "Escape", "Tab", "PPage", "M-Enter".
    func press(_ keys: String...) async throws { try await tmux(["send-keys", "-t", "main"] + keys) }

    func resize(width: Int, height: Int) async throws {
        try await tmux(["resize-window", "-t", "main", "-x", String(width), "-y", String(height)])
    }

    /// The screen as text, one string per row; `withAttributes` keeps the escape sequences for colours and bold.
    func screen(withAttributes: Bool = false) async throws -> [String] {
        try await tmux(["capture-pane", "-p", "-t", "main"] + (withAttributes ? ["-e"] : []))
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Waits until the screen satisfies `condition`; fails with the last screen when it never does.
    @discardableResult
    func waitFor(
        _ what: String, timeout: Double = 20, sourceLocation: SourceLocation = #_sourceLocation, _ condition: ([String]) -> Bool
    ) async throws -> [String] {
        try await poll(what, timeout: timeout, sourceLocation: sourceLocation) {
            let shown = try await screen()
            return condition(shown) ? shown : nil
        }
    }

    @discardableResult
    func waitFor(text: String, timeout: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String] {
        try await waitFor("\"\(text)\"", timeout: timeout, sourceLocation: sourceLocation) { $0.joined(separator: "\n").contains(text) }
    }

    /// Waits until the program in the pane has exited.
    func waitForExit(timeout: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await poll("ledgerchat to exit", timeout: timeout, sourceLocation: sourceLocation) { try await isRunning() ? nil : () }
    }

    /// Asks `probe` every 100 ms until it gives a value; when it never does, fails with the screen and the stderr.
    private func poll<Value>(
        _ what: String, timeout: Double, sourceLocation: SourceLocation, _ probe: () async throws -> Value?
    ) async throws -> Value {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        let last = (try? await screen()) ?? []
        let stderr = (try? String(contentsOfFile: directory + "/stderr.txt", encoding: .utf8)) ?? ""
        Issue.record("timed out waiting for \(what); screen:\n\(last.joined(separator: "\n"))\nstderr: \(stderr)", sourceLocation: sourceLocation)
        throw TmuxError("timed out waiting for \(what)")
    }

    /// Whether the program is still running in the pane.
    func isRunning() async throws -> Bool {
        try await tmux(["display-message", "-p", "-t", "main", "#{pane_dead}"]).trimmingCharacters(in: .whitespacesAndNewlines) == "0"
    }

    /// One tmux client command, waited for on a thread of its own (see `onOwnThread`): on a busy machine a client
    /// takes a while to start, and a test polling the screen would otherwise hold a thread of the cooperative pool.
    @discardableResult
    private func tmux(_ arguments: [String]) async throws -> String {
        try await onOwnThread { [socket, directory] in try Self.tmux(arguments, socket: socket, directory: directory) }
    }

    @discardableResult
    private static func tmux(_ arguments: [String], socket: String, directory: String) throws -> String {
        let outputPath = directory + "/tmux-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = try Self.spawnAndWait(["/usr/bin/env", "tmux", "-L", socket] + arguments, outputPath: outputPath)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else { throw TmuxError("tmux \(arguments.joined(separator: " ")) failed: \(text)") }
        return text
    }

    /// The tmux client, with its output in a file. Not Foundation's `Process`: the tmux server that new-session forks
    /// would inherit the descriptor `Process` watches for the client's exit, and the wait would never end; and the
    /// server must start with no signal blocked, or it ignores kill-server (see `SpawnedProcess`).
    static func spawnAndWait(_ argv: [String], outputPath: String) throws -> Int32 {
        let client = try SpawnedProcess(argv[0], Array(argv.dropFirst()), output: .file(outputPath), error: .sameAsOutput)
        // A tmux client answers in milliseconds; one that does not within the deadline is killed, so a wedged tmux
        // fails the test instead of holding the whole run.
        guard let ended = client.waitUntilExit(timeout: .seconds(30)) else {
            client.send(SIGKILL)
            client.waitUntilExit(timeout: .seconds(10))
            throw TmuxError("\(argv.joined(separator: " ")) did not finish within 30 s")
        }
        return ended.signaled ? 128 + ended.status : ended.status
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

struct TmuxError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
