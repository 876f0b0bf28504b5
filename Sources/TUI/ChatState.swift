import Agent
import Foundation
import LLM
import MCP
import Render

/// A tool that wants to change data, waiting for the user's yes or no.
public struct ApprovalRequest: Sendable, Equatable {
    public var id: Int
    public var toolName: String
    public var server: String
    public var destructive: Bool
    public var arguments: [String: Value]

    public init(id: Int, toolName: String, server: String, destructive: Bool, arguments: [String: Value]) {
        self.id = id
        self.toolName = toolName
        self.server = server
        self.destructive = destructive
        self.arguments = arguments
    }

    /// A plain-language sentence of what will happen: "create_contact" → "create a contact".
    public var sentence: String {
        var words = toolName.split(separator: "_").map(String.init)
        guard let verb = words.first else { return "Run \(toolName)." }
        words.removeFirst()
        let object = words.joined(separator: " ")
        let article = object.isEmpty ? "" : ("aeiou".contains(object.first!) ? "an " : "a ")
        let target = object.isEmpty ? "" : " \(article)\(object)"
        let subject = arguments["name"]?.stringValue ?? arguments["number"]?.stringValue
        let named = subject.map { " \"\(Sanitizer.clean($0, keepNewlines: false))\"" } ?? ""
        let consequence = destructive ? " This removes or overwrites data and cannot be undone." : " This changes the data on \(server)."
        return "The assistant wants to \(verb)\(target)\(named).\(consequence)"
    }
}

/// Figures for the status bar.
public struct StatusFigures: Sendable, Equatable {
    public var model = ""
    public var serversUp = 0
    public var serversTotal = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cost: Double?
    /// The running turn's start, or nil when idle.
    public var turnStarted: ContinuousClock.Instant?
    public var lastTurnSeconds: Double?
    public var toolset: String?

    public init() {}
}

/// What the app must do after a key: the state changes themselves are already made.
public enum Effect: Sendable, Equatable {
    case send(String)
    case command(SlashCommand)
    case cancelTurn
    case answerApproval(id: Int, approved: Bool)
    case quit
    case redrawAll
}

/// Everything the screen shows, changed only by key handling and by events from the agent. No terminal, no
/// network: tests drive it with keys and events and check what `ScreenRenderer` draws.
public struct ChatState: Sendable {
    public var entries: [Entry] = []
    public var editor = LineEditor()
    public var history: InputHistory
    public var status = StatusFigures()
    /// Lines scrolled up from the bottom of the transcript; 0 follows new output.
    public var scrollOffset = 0
    /// Entry index of the selected tool call (Tab), or nil while typing.
    public var selection: Int?
    public var developerView = false
    public var approval: ApprovalRequest?
    public var turnRunning = false
    /// A one-line message over the key hints, e.g. "Saved to chat.json".
    public var flash: String?
    /// What a running turn is waiting for, e.g. "starting local model…".
    public var activity: String?
    public var traceVisible = false
    public var traceLines: [String] = []
    /// Set by ScreenRenderer: the transcript's height, for paging.
    public var transcriptHeight = 20
    private var nextID = 0

    public init(history: InputHistory = InputHistory(path: nil)) {
        self.history = history
    }

    // MARK: Transcript

    @discardableResult
    public mutating func append(_ kind: Entry.Kind) -> Int {
        var kind = kind
        switch kind {
        case .table(let table): kind = .table(ToolBlock.sanitised(table))
        case .user(let text): kind = .user(Sanitizer.clean(text))
        default: break
        }
        nextID += 1
        entries.append(Entry(id: nextID, kind: kind))
        return entries.count - 1
    }

    /// Adds streamed text to the answer being written, starting one when needed.
    public mutating func appendAnswerText(_ text: String) {
        let clean = Sanitizer.clean(text)
        if let index = entries.indices.last, case .assistant(let existing, true) = entries[index].kind {
            entries[index].kind = .assistant(existing + clean, streaming: true)
        } else {
            append(.assistant(clean, streaming: true))
        }
    }

    /// Ends the streaming answer: its final text (the agent may have replaced held-back text), or removes an empty one.
    public mutating func finishAnswer(finalText: String?) {
        guard let index = entries.lastIndex(where: { if case .assistant(_, true) = $0.kind { return true } else { return false } })
        else {
            if let finalText, !finalText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                append(.assistant(Sanitizer.clean(finalText), streaming: false))
            }
            return
        }
        guard case .assistant(let text, _) = entries[index].kind else { return }
        let final = finalText.map { Sanitizer.clean($0) } ?? text
        if final.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            entries.remove(at: index)
        } else {
            entries[index].kind = .assistant(final, streaming: false)
        }
    }

    /// Closes any open streaming answer so later text starts a new one (a tool call came in between).
    public mutating func closeStreamingAnswer() {
        if let index = entries.indices.last, case .assistant(let text, true) = entries[index].kind {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                entries.remove(at: index)
            } else {
                entries[index].kind = .assistant(text, streaming: false)
            }
        }
    }

    public mutating func startTool(id: String, name: String, arguments: String, direct: Bool = false) {
        closeStreamingAnswer()
        let parsed = try? JSONDecoder().decode([String: Value].self, from: Data(arguments.utf8))
        append(.tool(ToolBlock(callID: id, name: name, rawArguments: arguments, arguments: parsed, direct: direct)))
    }

    public mutating func finishTool(_ call: ExecutedToolCall, outputSchema: Value?) {
        let index = entries.lastIndex { $0.toolBlock?.callID == call.id && $0.toolBlock?.status == .running }
        var block = index.flatMap { entries[$0].toolBlock }
            ?? ToolBlock(callID: call.id, name: call.name, rawArguments: call.rawArguments)
        block.arguments = call.arguments ?? block.arguments
        block.finish(outcome: call.outcome, duration: call.duration, refused: call.approval == .refused, outputSchema: outputSchema)
        if let index { entries[index].kind = .tool(block) } else { append(.tool(block)) }
    }

    /// A message from ledgerchat; it may quote servers and models, so it is cleaned like everything else.
    public mutating func notice(_ text: String, _ tone: Tone = .muted) {
        closeStreamingAnswer()
        append(.notice(Sanitizer.clean(text), tone))
    }

    /// Tool calls still shown as running when a turn ends (cancelled) are marked failed.
    public mutating func endTurn() {
        turnRunning = false
        closeStreamingAnswer()
        for index in entries.indices {
            if var block = entries[index].toolBlock, block.status == .running {
                block.status = .failed
                block.resultText = "Cancelled."
                entries[index].kind = .tool(block)
            }
        }
        if let started = status.turnStarted {
            status.lastTurnSeconds = Double((ContinuousClock.now - started).wholeMilliseconds) / 1000
        }
        status.turnStarted = nil
    }

    public var lastTable: Table? {
        for entry in entries.reversed() {
            switch entry.kind {
            case .tool(let block): if let table = block.tables.first { return table }
            case .table(let table): return table
            default: continue
            }
        }
        return nil
    }

    public var lastAnswer: String? {
        for entry in entries.reversed() { if case .assistant(let text, _) = entry.kind { return text } }
        return nil
    }

    public mutating func addTrace(_ line: String) {
        traceLines.append(Sanitizer.clean(line, keepNewlines: false))
        if traceLines.count > 2000 { traceLines.removeFirst(traceLines.count - 2000) }
    }

    // MARK: Keys

    /// Applies a key; returns what the app must do beyond changing state.
    public mutating func handle(_ key: Key) -> [Effect] {
        flash = nil
        if let approval {
            switch key {
            case .character("y"), .character("Y"), .character("j"), .character("J"):
                self.approval = nil
                return [.answerApproval(id: approval.id, approved: true)]
            case .character("n"), .character("N"), .escape, .control("c"):
                self.approval = nil
                return [.answerApproval(id: approval.id, approved: false)]
            case .pageUp, .pageDown, .wheelUp, .wheelDown, .control("l"):
                break
            default:
                flash = "Press y to allow or n to refuse."
                return []
            }
        }
        if selection != nil, let effects = handleSelectionKey(key) { return effects }
        switch key {
        case .enter:
            let text = editor.text
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
            if turnRunning && !text.hasPrefix("/") {
                flash = "Still answering: wait, or press Esc to cancel."
                return []
            }
            history.add(text)
            editor.set("")
            scrollOffset = 0
            if text.hasPrefix("/") {
                switch SlashCommand.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                case .success(let command): return [.command(command)]
                case .failure(let error):
                    notice(error.message, .warning)
                    return []
                }
            }
            return [.send(text.trimmingCharacters(in: .whitespacesAndNewlines))]
        case .newline: editor.insert("\n")
        case .paste(let text): editor.insert(text)
        case .character(let character): editor.insert(String(character))
        case .backspace: editor.backspace()
        case .delete: editor.deleteForward()
        case .left: editor.left()
        case .right: editor.right()
        case .home, .control("a"): editor.home()
        case .end, .control("e"): editor.end()
        case .wordLeft: editor.wordLeft()
        case .wordRight: editor.wordRight()
        case .deleteWordBack: editor.deleteWordBack()
        case .control("u"): editor.deleteToLineStart()
        case .control("k"): editor.deleteToLineEnd()
        case .up:
            if !editor.lineUp(), let older = history.older(current: editor.text) { editor.set(older) }
        case .down:
            if !editor.lineDown(), let newer = history.newer() { editor.set(newer) }
        case .pageUp: scrollOffset += max(1, transcriptHeight - 2)
        case .pageDown: scrollOffset = max(0, scrollOffset - max(1, transcriptHeight - 2))
        case .wheelUp: scrollOffset += 3
        case .wheelDown: scrollOffset = max(0, scrollOffset - 3)
        case .tab:
            if editor.text.hasPrefix("/") {
                if let completed = SlashCommand.complete(editor.text) { editor.set(completed) }
            } else {
                selectTool(from: entries.count, step: -1)
            }
        case .shiftTab: selectTool(from: -1, step: 1)
        case .escape, .control("c"):
            if turnRunning { return [.cancelTurn] }
            if !editor.isEmpty { editor.set("") } else if key == .control("c") { flash = "Ctrl-D or /quit leaves ledgerchat." }
        case .control("d"):
            if editor.isEmpty { return [.quit] }
            editor.deleteForward()
        case .control("l"): return [.redrawAll]
        default: break
        }
        return []
    }

    /// Keys while a tool call is selected; nil hands the key back to the editor (typing leaves selection).
    private mutating func handleSelectionKey(_ key: Key) -> [Effect]? {
        guard let index = selection, entries.indices.contains(index), var block = entries[index].toolBlock else {
            selection = nil
            return nil
        }
        switch key {
        case .tab: selectTool(from: index, step: -1)
        case .shiftTab: selectTool(from: index, step: 1)
        case .enter, .character(" "): block.expanded.toggle()
        case .character("v"): developerView.toggle()
        case .right: block.horizontalOffset += 8
        case .left: block.horizontalOffset = max(0, block.horizontalOffset - 8)
        case .character("]"):
            let pages = (block.longestTable + TranscriptLayout.pageSize - 1) / TranscriptLayout.pageSize
            block.page = min(max(0, pages - 1), block.page + 1)
        case .character("["): block.page = max(0, block.page - 1)
        case .escape:
            selection = nil
            return []
        case .up, .down, .pageUp, .pageDown, .wheelUp, .wheelDown, .control("l"), .control("c"), .control("d"):
            return nil
        default:
            selection = nil
            return nil
        }
        if entries[index].toolBlock != block { entries[index].kind = .tool(block) }
        scrollOffset = 0
        return []
    }

    /// Moves the selection to the next tool call before (step -1) or after (step 1) `start`; wraps to none.
    private mutating func selectTool(from start: Int, step: Int) {
        var index = start + step
        while entries.indices.contains(index) {
            if entries[index].isTool {
                selection = index
                scrollOffset = 0
                return
            }
            index += step
        }
        selection = nil
        if !entries.contains(where: \.isTool) { flash = "No tool calls yet: Tab selects one once the assistant has used a tool." }
    }
}
