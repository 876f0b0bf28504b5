import Agent
import Foundation
import LLM
import MCP
import Render
import Synchronization

/// Options for a chat session.
public struct ChatOptions: Sendable {
    public var model: String?
    public var historyPath: String?

    public init(model: String? = nil, historyPath: String? = InputHistory.defaultPath()) {
        self.model = model
        self.historyPath = historyPath
    }
}

/// The chat TUI: `run` takes over the terminal until the user leaves.
public enum ChatTUI {
    public static func run(backend: any ChatBackend, options: ChatOptions) async throws {
        let screen = try TerminalScreen()
        let inbox = try Inbox()
        // The loop blocks in poll(2) between keys, so it gets a thread of its own instead of one of the few
        // cooperative threads the agent and the servers need. It owns all UI state; other tasks only post to the inbox.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let box = ScreenBox(screen)
            let thread = Thread {
                let loop = ChatLoop(screen: box.take(), inbox: inbox, backend: backend, options: options)
                loop.run()
                continuation.resume()
            }
            thread.stackSize = 8 << 20
            thread.name = "ledgerchat-ui"
            thread.start()
        }
        await backend.shutdown()
    }

    /// For signal handlers: turns off the modes the chat turned on and restores the terminal's settings.
    public static func restoreTerminalFromSignal() { TerminalRestore.restoreFromSignal() }
}

/// Hands the screen, made on the calling thread, to the UI thread exactly once.
private final class ScreenBox: Sendable {
    // `TerminalScreen` is not Sendable; it is created before the UI thread starts and taken by it once, after which
    // only that thread touches it.
    nonisolated(unsafe) private var screen: TerminalScreen?
    init(_ screen: TerminalScreen) { self.screen = screen }
    func take() -> TerminalScreen {
        defer { screen = nil }
        return screen!
    }
}

/// What other tasks tell the UI thread.
enum AppEvent: Sendable {
    case agent(turn: Int, AgentEvent)
    case turnEnded(turn: Int, answer: AgentAnswer?, error: String?)
    case approval(ToolCall, AgentTool, [String: Value], CheckedContinuation<Bool, Never>)
    case directCallFinished(ExecutedToolCall)
    /// The servers are connected; the model too, unless it failed (then /tools and /call still work).
    case ready(ChatModel?, any ToolRunner, [AgentTool], [ServerSummary], String?)
    case modelSwitched(ChatModel)
    case modelFailed(String)
    case toolsetSwitched(String, any ToolRunner, [AgentTool])
    case toolsTable(Table)
    case servers([ServerSummary], show: Bool)
    case welcome(Welcome)
    case notice(String, Tone)
    case progress(String)
}

/// A queue of events for the UI thread, and a pipe that wakes its poll(2) when one arrives.
final class Inbox: Sendable {
    private let queue = Mutex<[AppEvent]>([])
    let wakeRead: Int32
    private let wakeWrite: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TerminalError("Could not create a pipe for the UI.") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
    }

    func post(_ event: AppEvent) {
        queue.withLock { $0.append(event) }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    func drain() -> [AppEvent] {
        var scratch = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &scratch, scratch.count) > 0 {}
        return queue.withLock { events in
            defer { events = [] }
            return events
        }
    }
}

/// Asks the user through the UI thread: posts the request and waits for y or n.
struct InboxApproval: ApprovalHandler {
    let inbox: Inbox

    func approve(_ call: ToolCall, tool: AgentTool, arguments: [String: Value]) async -> Bool {
        if Task.isCancelled { return false }
        return await withCheckedContinuation { continuation in
            inbox.post(.approval(call, tool, arguments, continuation))
        }
    }
}
