import Foundation
import Ledger
import Processes
import TestSupport
import Testing

@testable import AccountingServer

/// The built `ledgerchat` binary: `$LEDGERCHAT_BIN` (set by `make test`) or the debug build.
func ledgerchatBinary() throws -> String {
    let path = ProcessInfo.processInfo.environment["LEDGERCHAT_BIN"] ?? packageRootURL.appendingPathComponent(".build/debug/ledgerchat").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw TestSetupError("ledgerchat binary not found at \(path); run `make test` (or `swift build` first)")
    }
    return path
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A fresh demo ledger file for seed 42 and the test anchor, in its own temporary directory.
func demoLedgerFile() throws -> String {
    let path = try scratchDirectory("demo") + "/demo.sqlite"
    _ = try LedgerLocation.initialize(at: path, seed: 42, anchor: anchor, force: false)
    return path
}

/// What a finished command printed and how it ended.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a command to completion, with a deadline so a hung peer fails the test instead of the run.
func run(
    _ executable: String, _ arguments: [String], timeout: TimeInterval = 120, environment: [String: String]? = nil,
    workingDirectory: String? = nil
) async throws -> CommandResult {
    guard
        let finished = try await CollectedRun.run(
            executable, arguments, environment: environment, directory: workingDirectory, deadline: .milliseconds(Int(timeout * 1000)))
    else {
        throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
    }
    return CommandResult(
        status: finished.status, stdout: String(decoding: finished.standardOutput, as: UTF8.self),
        stderr: String(decoding: finished.standardError, as: UTF8.self))
}

/// `ledgerchat serve --http` running as a child process on a free port.
final class ServedProcess: Sendable {
    let process: SpawnedProcess
    let port: Int
    private let stderrLines = Locked<[String]>([])

    init(arguments: [String], environment: [String: String]? = nil) async throws {
        // Registered like ledgerchat registers its children: stopped when the test process exits, however a test ended.
        process = try ChildProcesses.shared.start(
            try ledgerchatBinary(), ["serve", "--http", "--port", "0"] + arguments, environment: environment, input: .null, output: .null,
            error: .pipe)
        let err = process.standardError!
        let portBox = Locked<Int?>(nil)
        let found = DispatchSemaphore(value: 0)
        let lines = stderrLines
        // Reads for as long as the server lives, so on a thread of its own (see `onOwnThread`).
        Thread.detachNewThread {
            var buffer = Data()
            while true {
                let chunk = err.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    lines.withLock { $0.append(line) }
                    if portBox.withLock({ $0 }) == nil, let range = line.range(of: #"listening on http://127\.0\.0\.1:(\d+)/mcp"#, options: .regularExpression) {
                        let digits = line[range].split(separator: ":").last!.prefix { $0.isNumber }
                        portBox.withLock { $0 = Int(digits) }
                        found.signal()
                    }
                }
            }
            found.signal()
        }
        _ = try await onOwnThread { found.wait(timeout: .now() + 30) }
        guard let port = portBox.withLock({ $0 }) else {
            process.terminate()
            throw TestSetupError("serve --http did not report a port; stderr: \(stderrLines.withLock { $0 }.joined(separator: "\n"))")
        }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)/mcp" }
    var logLines: [String] { stderrLines.withLock { $0 } }

    /// Sends SIGTERM and reports whether the server exited within the deadline (killing it otherwise).
    func terminate(within deadline: Duration) async -> Bool {
        await process.stop(grace: deadline)
    }

    /// SIGINT, as Ctrl-C would; a server that has not ended 10 s later is killed.
    func stop() {
        if process.isRunning {
            process.interrupt()
            if process.waitUntilExit(timeout: .seconds(10)) == nil {
                process.send(SIGKILL)
                process.waitUntilExit(timeout: .seconds(5))
            }
        }
    }

    deinit { stop() }
}

/// One `curl` request: status, headers (lower-cased names) and body.
struct CurlResponse {
    var status: Int
    var headers: [String: String]
    var body: String
}

func curl(_ arguments: [String], timeout: Int = 10) async throws -> CurlResponse {
    let result = try await run("/usr/bin/env", ["curl", "-s", "-S", "-D", "-", "--max-time", String(timeout)] + arguments)
    // A streaming response cut by --max-time exits 28 but still carries what arrived.
    guard result.status == 0 || result.status == 28 else { throw TestSetupError("curl failed (\(result.status)): \(result.stderr)") }
    let parts = result.stdout.components(separatedBy: "\r\n\r\n")
    let head = parts.first ?? ""
    var headers: [String: String] = [:]
    let headLines = head.components(separatedBy: "\r\n")
    for line in headLines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let status = Int(headLines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
    return CurlResponse(status: status, headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
}

let jsonHeaders = ["-H", "Content-Type: application/json", "-H", "Accept: application/json, text/event-stream"]
