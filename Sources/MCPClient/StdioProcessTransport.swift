import Foundation
import Logging
import MCP
import Processes
import Synchronization

/// An MCP server run as a child process, speaking newline-delimited JSON-RPC on its stdin and stdout.
///
/// The child's stderr never reaches the screen: each line goes to `stderrSink` (the log), and the last lines are
/// kept so that when the child exits, every request still waiting fails at once with its exit status and those
/// lines. Children are stopped on disconnect and when ledgerchat exits (`ChildProcesses`), so none are orphaned.
public actor StdioProcessTransport: Transport {
    public nonisolated let logger: Logger
    public nonisolated let name: String
    private let command: String
    private let arguments: [String]
    private let environment: [String: String]
    private let workingDirectory: String?
    private let stderrSink: @Sendable (String) -> Void
    private let state = Shared()
    private var process: SpawnedProcess?
    private var stdinHandle: FileHandle?
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    /// Called once when the child exits or closes its output, with the reason.
    private let onExit: @Sendable (String) -> Void

    /// What the reading threads and the actor share.
    private struct SharedState {
        var outstanding: Set<ID> = []
        var stderrTail: [String] = []
        var exited = false
    }

    private final class Shared: Sendable {
        let mutex = Mutex(SharedState())
        func withLock<T: Sendable>(_ body: (inout SharedState) -> T) -> T { mutex.withLock { body(&$0) } }
    }

    public init(
        name: String, command: String, arguments: [String] = [], environment: [String: String] = [:], workingDirectory: String? = nil,
        stderrSink: @escaping @Sendable (String) -> Void = { _ in }, onExit: @escaping @Sendable (String) -> Void = { _ in },
        logger: Logger? = nil
    ) {
        self.name = name
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stderrSink = stderrSink
        self.onExit = onExit
        self.logger = logger ?? Logger(label: "ledgerchat.mcp.stdio", factory: { _ in SwiftLogNoOpLogHandler() })
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    /// The child's process id while it runs.
    public var processIdentifier: Int32? { process?.isRunning == true ? process?.processIdentifier : nil }

    /// A write to a child that has just died raises SIGPIPE, whose default action kills ledgerchat; ignored, the
    /// write fails with EPIPE instead and the child's exit is reported as usual.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    public func connect() async throws {
        guard process == nil else { return }
        _ = Self.ignoreBrokenPipes
        let process: SpawnedProcess
        do {
            // `env` finds the command on PATH the way a shell would, and execs it in place (same pid).
            process = try ChildProcesses.shared.start(
                "/usr/bin/env", [command] + arguments,
                environment: ProcessInfo.processInfo.environment.merging(environment) { _, configured in configured },
                directory: workingDirectory, input: .pipe, output: .pipe, error: .pipe)
        } catch {
            throw MCPTransportError.closed(server: name, detail: "cannot start `\(command)`: \(error.localizedDescription). Check command and cwd.")
        }
        guard let input = process.standardInput, let output = process.standardOutput, let errors = process.standardError else {
            preconditionFailure("three pipes were asked for")
        }
        self.process = process
        self.stdinHandle = input

        let name = self.name
        let state = self.state
        let continuation = self.continuation
        let sink = stderrSink
        let onExit = self.onExit
        Thread.detachNewThread {
            Self.readLines(errors) { line in
                sink(line)
                state.withLock { shared in
                    shared.stderrTail.append(line)
                    if shared.stderrTail.count > 10 { shared.stderrTail.removeFirst() }
                }
            }
        }
        Thread.detachNewThread {
            Self.readLines(output) { line in
                guard !line.isEmpty else { return }
                let data = Data(line.utf8)
                if let shape = MessageShape(data) {
                    if shape.isResponse, let id = shape.id { _ = state.withLock { $0.outstanding.remove(id) } }
                    continuation.yield(data)
                } else {
                    sink("[stdout, not JSON-RPC] \(line)")
                }
            }
            // Output closed: the child is gone (or about to be). Give stderr a moment to drain its last lines.
            let ended = process.waitUntilExit(timeout: .seconds(5))
            Thread.sleep(forTimeInterval: 0.05)
            let (waiting, tail, alreadyExited) = state.withLock { shared -> (Set<ID>, [String], Bool) in
                defer {
                    shared.outstanding = []
                    shared.exited = true
                }
                return (shared.outstanding, shared.stderrTail, shared.exited)
            }
            guard !alreadyExited else { return }
            let reason = "the server process \(ended.map(\.description) ?? "closed its output")" + (tail.isEmpty ? "." : "; its last output: " + tail.suffix(3).joined(separator: " | "))
            for id in waiting { continuation.yield(lostAnswer(for: id, message: "\(name): \(reason)")) }
            continuation.finish()
            onExit(reason)
        }
    }

    public func disconnect() async {
        state.withLock { $0.exited = true }
        try? stdinHandle?.close()
        stdinHandle = nil
        if let process, process.isRunning {
            // Closing stdin is how stdio servers are told to stop; a stubborn one gets SIGTERM, then SIGKILL.
            if await process.waitForExit(timeout: .seconds(1)) == nil { await process.stop(grace: .seconds(2)) }
        }
        process = nil
        continuation.finish()
    }

    public func receive() -> AsyncThrowingStream<Data, any Error> { messages }

    public func send(_ data: Data) async throws {
        guard let stdinHandle, state.withLock({ !$0.exited }) else {
            throw MCPTransportError.closed(server: name, detail: "the server process is not running.")
        }
        if let shape = MessageShape(data), shape.isRequest, let id = shape.id { _ = state.withLock { $0.outstanding.insert(id) } }
        var line = data
        line.append(UInt8(ascii: "\n"))
        do { try stdinHandle.write(contentsOf: line) } catch {
            throw MCPTransportError.closed(server: name, detail: "cannot write to the server process: \(error.localizedDescription)")
        }
    }

    /// Calls `body` with each line read from `handle` until end of file.
    private static func readLines(_ handle: FileHandle, _ body: (String) -> Void) {
        var buffer = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                body(String(decoding: line, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\r")))
                buffer.removeSubrange(buffer.startIndex...newline)
            }
        }
        if !buffer.isEmpty { body(String(decoding: buffer, as: UTF8.self)) }
    }
}
