import Foundation
import Processes

/// The Python with the MCP SDK, FastMCP and jsonschema: `$LEDGERCHAT_PEERS_PYTHON` (set by `make test`), else the
/// newest complete peers virtualenv in `~/.cache/ledgerchat`.
public func peersPython() throws -> String {
    if let path = ProcessInfo.processInfo.environment["LEDGERCHAT_PEERS_PYTHON"], FileManager.default.isExecutableFile(atPath: path) {
        return path
    }
    let cache = NSHomeDirectory() + "/.cache/ledgerchat"
    let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter { $0.hasPrefix("peers-") }.sorted()
    for candidate in candidates.reversed() where FileManager.default.fileExists(atPath: "\(cache)/\(candidate)/.complete") {
        return "\(cache)/\(candidate)/bin/python"
    }
    throw PythonServerError(description: "the Python MCP peers are not installed; run `make peers` (or `make test`, which does)")
}

/// The package root, found from this file's path.
public let packageRootURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A peer MCP server from `Tests/Interop/` on the peers' Python, on a loopback port it prints first. It lives until
/// `kill()` or until the test process exits (its stdin, held here, closes).
public final class PeerServer: Sendable {
    public let port: Int
    private let process: SpawnedProcess

    /// Starts the peer and waits (on a thread of its own: the peers import their packages for a few seconds) for its port.
    public init(script: String, arguments: [String] = [], environment: [String: String] = [:]) async throws {
        let python = try peersPython()
        let what = "\(script) \(arguments.joined(separator: " "))"
        let (process, port) = try await onOwnThread {
            try startReportingPort(
                python, [packageRootURL.appendingPathComponent("Tests/Interop/\(script)").path] + arguments,
                environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new }, what: what)
        }
        self.process = process
        self.port = port
    }

    public var url: String { "http://127.0.0.1:\(port)/mcp" }

    /// SIGKILL, as a crash would, and wait until the port is free.
    public func kill() async {
        process.send(SIGKILL)
        _ = await process.waitForExit(timeout: .seconds(10))
    }
}
