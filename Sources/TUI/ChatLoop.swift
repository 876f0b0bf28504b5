import Agent
import Foundation
import LLM
import MCP
import Render

/// The UI thread: reads keys, applies events from the agent and the servers, renders and paints. Everything here
/// runs on that one thread; work that waits (model, tools, files of servers) runs in tasks that post back.
final class ChatLoop {
    private var state: ChatState
    private let screen: TerminalScreen
    private let renderer: ScreenRenderer
    private var decoder = KeyDecoder()
    private let inbox: Inbox
    private let backend: any ChatBackend
    private let options: ChatOptions

    private var model: ChatModel?
    private var runner: (any ToolRunner)?
    private var tools: [AgentTool] = []
    private var messages: [ChatMessage] = []
    private var turnTask: Task<Void, Never>?
    /// Events of other turns (a cancelled one still winding down) are ignored.
    private var activeTurn = 0
    private var pendingQuestion: String?
    private var approvals: [(request: ApprovalRequest, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextApprovalID = 0
    private var directCalls = 0
    private var quitting = false
    private var dirty = true
    private let sessionStart = Date()

    init(screen: TerminalScreen, inbox: Inbox, backend: any ChatBackend, options: ChatOptions) {
        self.screen = screen
        self.inbox = inbox
        self.backend = backend
        self.options = options
        renderer = ScreenRenderer()
        state = ChatState(history: InputHistory(path: options.historyPath))
        state.status.model = options.model ?? "…"
    }

    func run() {
        startUp()
        while !quitting {
            if dirty {
                screen.paint(renderer.render(&state, rows: screen.rows, columns: screen.columns))
                dirty = false
            }
            wait()
        }
        for approval in approvals { approval.continuation.resume(returning: false) }
        approvals = []
        turnTask?.cancel()
        screen.shutDown()
    }

    /// Waits for a key, an event or a tick (the elapsed time in the status bar), then handles what came.
    private func wait() {
        var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0), pollfd(fd: inbox.wakeRead, events: Int16(POLLIN), revents: 0)]
        let timeout: Int32 = decoder.hasPending ? 30 : state.turnRunning ? 200 : 1000
        let ready = poll(&descriptors, 2, timeout)
        if screen.refreshSize() { dirty = true }
        if ready == 0 {
            if decoder.hasPending { handle(decoder.flush()) }
            if state.turnRunning { dirty = true }
            return
        }
        guard ready > 0 else { return }  // EINTR (a resize): checked above
        if descriptors[0].revents & Int16(POLLIN) != 0 {
            let bytes = screen.readInput()
            if bytes.isEmpty && descriptors[0].revents & Int16(POLLHUP) != 0 { quitting = true }
            handle(decoder.feed(bytes))
        } else if descriptors[0].revents & Int16(POLLHUP | POLLERR) != 0 {
            quitting = true  // the terminal went away
        }
        if descriptors[1].revents & Int16(POLLIN) != 0 {
            for event in inbox.drain() { apply(event) }
            dirty = true
        }
    }

    // MARK: Start

    private func startUp() {
        let backend = self.backend, inbox = self.inbox, requested = options.model
        Task { inbox.post(.welcome(await backend.welcome())) }
        Task {
            let runner = await backend.toolRunner()
            let tools = (try? await runner.listTools()) ?? []
            let servers = await backend.servers()
            let toolset = await backend.toolset()
            do {
                let model = try await backend.model(named: requested) { inbox.post(.progress($0)) }
                inbox.post(.ready(model, runner, tools, servers, toolset))
            } catch {
                inbox.post(.ready(nil, runner, tools, servers, toolset))
                inbox.post(.modelFailed("\(error)"))
            }
        }
    }

    // MARK: Keys

    private func handle(_ keys: [Key]) {
        for key in keys {
            dirty = true
            for effect in state.handle(key) { perform(effect) }
        }
    }

    private func perform(_ effect: Effect) {
        switch effect {
        case .send(let question): send(question)
        case .command(let command): run(command)
        case .cancelTurn: cancelTurn()
        case .answerApproval(let id, let approved):
            if let index = approvals.firstIndex(where: { $0.request.id == id }) {
                let approval = approvals.remove(at: index)
                approval.continuation.resume(returning: approved)
                state.addTrace("\(timestamp()) approval \(approval.request.toolName): \(approved ? "allowed" : "refused")")
            }
            showNextApproval()
        case .quit: quitting = true
        case .redrawAll: screen.forceFullRedraw()
        }
    }

    private func send(_ question: String) {
        state.append(.user(question))
        guard let model, let runner else {
            pendingQuestion = question
            state.flash = "Starting the model… your question goes out as soon as it is ready."
            return
        }
        state.turnRunning = true
        state.status.turnStarted = .now
        activeTurn += 1
        let turn = activeTurn
        let agent = Agent(provider: model.provider, tools: runner, approval: InboxApproval(inbox: inbox), settings: model.settings)
        let history = messages.isEmpty ? [.system(model.systemPrompt)] : messages
        let inbox = self.inbox
        state.addTrace("\(timestamp()) question (\(model.name)): \(question)")
        turnTask = Task {
            do {
                let answer = try await agent.ask(question, history: history) { event in inbox.post(.agent(turn: turn, event)) }
                inbox.post(.turnEnded(turn: turn, answer: answer, error: nil))
            } catch {
                inbox.post(.turnEnded(turn: turn, answer: nil, error: Task.isCancelled ? nil : "\(error)"))
            }
        }
    }

    /// Lets a local model read the conversation (at first: the system prompt and tool list) while the user types;
    /// a question sent meanwhile waits for it and then starts where it got to.
    private func prepareNextQuestion() {
        guard let model, let runner else { return }
        let agent = Agent(provider: model.provider, tools: runner, approval: InboxApproval(inbox: inbox), settings: model.settings)
        let history = messages.isEmpty ? [.system(model.systemPrompt)] : messages
        Task { await agent.prepareNextQuestion(history: history) }
    }

    private func cancelTurn() {
        guard state.turnRunning else { return }
        turnTask?.cancel()
        turnTask = nil
        activeTurn += 1
        for approval in approvals { approval.continuation.resume(returning: false) }
        approvals = []
        state.approval = nil
        state.endTurn()
        state.activity = nil
        state.notice("Cancelled. Nothing more will run for that question.", .warning)
        state.addTrace("\(timestamp()) turn cancelled")
    }

    // MARK: Events

    private func apply(_ event: AppEvent) {
        switch event {
        case .agent(let turn, let agentEvent):
            guard turn == activeTurn else { return }
            apply(agentEvent)
        case .turnEnded(let turn, let answer, let error):
            guard turn == activeTurn, state.turnRunning else { return }
            state.activity = nil
            if let answer {
                messages = answer.messages
                prepareNextQuestion()
                state.finishAnswer(finalText: answer.text)
                if let warning = UnverifiedReferences.warning(answer.unverifiedReferences) {
                    state.notice("Note: " + warning, .warning)
                }
                if let claim = answer.unmadeChange { state.notice("Note: " + ChangeTalk.warning(claim), .warning) }
                if answer.cutOff, let model { state.notice("Note: " + model.cutOffWarning, .warning) }
                if answer.stoppedRepeating { state.notice("Note: " + RepeatedLines.warning, .warning) }
                if let cost = model?.cost(answer.usage) { state.status.cost = (state.status.cost ?? 0) + cost }
                state.addTrace("\(timestamp()) answered in \(answer.rounds) round(s), \(answer.usage.inputTokens) in / \(answer.usage.outputTokens) out")
            } else if let error {
                state.closeStreamingAnswer()
                state.notice("**Error:** \(error)", .danger)
                state.addTrace("\(timestamp()) error: \(error)")
            }
            state.endTurn()
            turnTask = nil
        case .approval(let call, let tool, let arguments, let continuation):
            nextApprovalID += 1
            let request = ApprovalRequest(
                id: nextApprovalID, toolName: tool.name, server: tool.server, destructive: tool.destructive, arguments: arguments)
            approvals.append((request, continuation))
            state.addTrace("\(timestamp()) approval asked: \(call.name) \(call.arguments)")
            showNextApproval()
        case .directCallFinished(let call):
            state.finishTool(call, outputSchema: tools.first { $0.name == call.name }?.outputSchema)
            traceResult(call)
        case .ready(let model, let runner, let tools, let servers, let toolset):
            self.runner = runner
            self.tools = tools
            state.status.toolset = toolset
            updateServers(servers, warn: true)
            guard let model else { return }
            self.model = model
            state.status.model = model.name
            if messages.isEmpty { messages = [.system(model.systemPrompt)] }
            if pendingQuestion == nil { prepareNextQuestion() }
            if let question = pendingQuestion {
                pendingQuestion = nil
                state.entries.removeAll { if case .user(question) = $0.kind { return true } else { return false } }
                send(question)
            }
        case .modelSwitched(let newModel):
            model = newModel
            state.status.model = newModel.name
            if messages.first?.role == .system { messages[0] = .system(newModel.systemPrompt) } else { messages.insert(.system(newModel.systemPrompt), at: 0) }
            state.notice("Now chatting with **\(newModel.name)**; the conversation so far is kept.")
            if !state.turnRunning { prepareNextQuestion() }
        case .modelFailed(let reason):
            state.status.model = "unavailable"
            state.notice("**The model could not start:** \(reason)\n\nFix the configuration and restart, or switch with /model NAME. /tools and /call work without a model.", .danger)
            pendingQuestion = nil
        case .toolsetSwitched(let name, let runner, let tools):
            self.runner = runner
            self.tools = tools
            state.status.toolset = name
            state.notice("Tool set **\(name)**: \(tools.count) tools.")
            if !state.turnRunning { prepareNextQuestion() }
        case .toolsTable(let table):
            state.append(.table(table))
        case .servers(let servers, let show):
            updateServers(servers)
            if show {
                let rows = servers.map { [$0.name, $0.up ? "up" : "down", $0.up ? String($0.toolCount) : "", $0.detail] }
                state.append(.table(Table(title: "MCP servers", columns: [.init("Server"), .init("Status"), .init("Tools", alignment: .right), .init("Details", shrinkable: true)], rows: rows)))
            }
        case .welcome(let welcome):
            if !state.entries.contains(where: { if case .welcome = $0.kind { return true } else { return false } }) {
                state.entries.insert(Entry(id: -1, kind: .welcome(welcome)), at: 0)
            }
        case .notice(let text, let tone):
            state.notice(text, tone)
        case .progress(let text):
            state.activity = text.isEmpty ? nil : Sanitizer.clean(text, keepNewlines: false)
        }
    }

    private func apply(_ event: AgentEvent) {
        switch event {
        case .roundStarted(let round):
            state.addTrace("\(timestamp()) LLM round \(round): request sent")
            let name = model?.name ?? "the model"
            state.activity = round == 1
                ? "\(name) is reading the question…" : "\(name) is reading the tool results…"
        case .textDelta(let text):
            state.activity = nil
            state.appendAnswerText(text)
        case .retrying(let attempt, let after, let reason):
            state.activity = "Retrying (try \(attempt)) in \(after): \(reason)"
        case .toolCallStarted(let id, let name, let arguments):
            state.activity = "Running \(name)…"
            state.startTool(id: id, name: name, arguments: arguments)
            state.addTrace("\(timestamp()) → tools/call {\"name\":\"\(name)\",\"arguments\":\(arguments.isEmpty ? "{}" : arguments)}")
        case .toolCallFinished(let call):
            state.finishTool(call, outputSchema: tools.first { $0.name == call.name }?.outputSchema)
            traceResult(call)
        case .roundFinished(let round, let usage, let latency):
            if let usage {
                state.status.inputTokens += usage.inputTokens
                state.status.outputTokens += usage.outputTokens
            }
            state.addTrace("\(timestamp()) LLM round \(round): \(usage.map { "\($0.inputTokens) in / \($0.outputTokens) out" } ?? "no usage"), \(TranscriptLayout.format(latency))")
        }
    }

    private func traceResult(_ call: ExecutedToolCall) {
        let result: String
        if let structured = call.outcome.structured, let json = TranscriptLayout.prettyJSON(structured, compact: true) {
            result = json.count > 400 ? String(json.prefix(400)) + "…" : json
        } else {
            result = String(call.outcome.text.prefix(200))
        }
        state.addTrace("\(timestamp()) ← \(call.name) \(call.outcome.isError ? "error" : "result") in \(TranscriptLayout.format(call.duration)): \(result)")
    }

    /// The status bar's server count; at start-up also a warning for each server that is down (/servers shows
    /// them later without repeating it).
    private func updateServers(_ servers: [ServerSummary], warn: Bool = false) {
        state.status.serversTotal = servers.count
        state.status.serversUp = servers.filter(\.up).count
        for server in servers where warn && !server.up {
            state.notice("Server **\(server.name)** is down (\(server.detail)); its tools are not available. /servers shows the status.", .warning)
        }
    }

    private func showNextApproval() {
        if state.approval == nil, let next = approvals.first { state.approval = next.request }
    }

    // MARK: Commands

    private func run(_ command: SlashCommand) {
        let backend = self.backend, inbox = self.inbox
        switch command {
        case .help:
            state.notice(SlashCommand.helpText, .normal)
        case .quit:
            quitting = true
        case .clear:
            if state.turnRunning { cancelTurn() }
            state.entries.removeAll { if case .welcome = $0.kind { return false } else { return true } }
            messages = model.map { [.system($0.systemPrompt)] } ?? []
            state.status.inputTokens = 0
            state.status.outputTokens = 0
            state.status.cost = nil
            state.selection = nil
            state.flash = "New conversation."
        case .trace:
            state.traceVisible.toggle()
        case .tools:
            guard let runner else { state.flash = "Still connecting to the servers…"; return }
            Task {
                do {
                    let tools = try await runner.listTools()
                    let rows = tools.map { tool in
                        [tool.name, tool.server, tool.readOnly ? "read" : tool.destructive ? "destructive" : "write",
                         String(tool.description.split(separator: "\n").first ?? "")]
                    }
                    inbox.post(.toolsTable(Table(title: "Tools (\(tools.count))", columns: [.init("Tool"), .init("Server"), .init("Access"), .init("Description", shrinkable: true)], rows: rows)))
                } catch {
                    inbox.post(.notice("Could not list the tools: \(error)", .danger))
                }
            }
        case .servers:
            Task { inbox.post(.servers(await backend.servers(), show: true)) }
        case .model(let name):
            guard let name else {
                let names = backend.modelNames
                state.notice(names.isEmpty
                    ? "Only the local model is configured. Add [models.NAME] sections to the config to switch."
                    : "Models: " + names.map { $0 == model?.name ? "**\($0)** (current)" : $0 }.joined(separator: ", ") + ". Switch with /model NAME.")
                return
            }
            state.flash = "Switching to \(name)…"
            Task {
                do { inbox.post(.modelSwitched(try await backend.model(named: name) { inbox.post(.progress($0)) })) } catch {
                    inbox.post(.notice("Could not switch to \(name): \(error)", .danger))
                }
            }
        case .toolset(let name):
            guard let name else {
                state.notice("Tool set: **\(state.status.toolset ?? "none (no built-in ledger)")**. Switch with /toolset poc or /toolset full.")
                return
            }
            Task {
                do {
                    try await backend.setToolset(name)
                    let runner = await backend.toolRunner()
                    let tools = try await runner.listTools()
                    inbox.post(.toolsetSwitched(name, runner, tools))
                } catch {
                    inbox.post(.notice("Could not switch the tool set: \(error)", .danger))
                }
            }
        case .copy:
            guard let answer = state.lastAnswer else { state.flash = "No answer to copy yet."; return }
            screen.writeRaw("\u{1B}]52;c;\(Data(answer.utf8).base64EncodedString())\u{07}")
            state.flash = "Copied the last answer (\(answer.count) characters) to the clipboard."
        case .export(let format, let path):
            export(format, to: path)
        case .save(let path):
            save(to: path)
        case .load(let path):
            load(from: path)
        case .call(let tool, let pairs):
            directCall(tool, pairs)
        }
    }

    private func directCall(_ name: String, _ pairs: [String]) {
        guard let runner else { state.flash = "Still connecting to the servers…"; return }
        guard let tool = tools.first(where: { $0.name == name }) else {
            let close = tools.map(\.name).filter { $0.contains(name) || name.contains($0) }
            state.notice("No tool named **\(name)**.\(close.isEmpty ? "" : " Did you mean \(close.joined(separator: ", "))?") /tools lists them.", .warning)
            return
        }
        let properties = tool.inputSchema.objectValue?["properties"]?.objectValue ?? [:]
        var arguments: [String: Value] = [:]
        for pair in pairs {
            let key = String(pair.prefix { $0 != "=" })
            let raw = String(pair.dropFirst(key.count + 1))
            guard let value = ArgumentRepair.typed(raw, schema: properties[key]) else {
                state.notice("\(key) must be \(ArgumentRepair.typeNames(properties[key]).joined(separator: " or ")); got '\(raw)'.", .warning)
                return
            }
            arguments[key] = value
        }
        directCalls += 1
        let id = "direct_\(directCalls)"
        let argumentText = TranscriptLayout.prettyJSON(.object(arguments), compact: true) ?? "{}"
        state.startTool(id: id, name: name, arguments: argumentText, direct: true)
        state.addTrace("\(timestamp()) → tools/call {\"name\":\"\(name)\",\"arguments\":\(argumentText)} (direct)")
        let inbox = self.inbox
        Task {
            let started = ContinuousClock.now
            var approval = ExecutedToolCall.Approval.notNeeded
            if !tool.readOnly {
                let allowed = await InboxApproval(inbox: inbox).approve(ToolCall(id: id, name: name, arguments: argumentText), tool: tool, arguments: arguments)
                approval = allowed ? .approved : .refused
            }
            var outcome: ToolOutcome
            if approval == .refused {
                outcome = ToolOutcome(text: "Refused; nothing was changed.", isError: true)
            } else {
                do { outcome = try await runner.call(name, arguments: arguments) } catch { outcome = ToolOutcome(text: "\(name) failed: \(error)", isError: true) }
            }
            inbox.post(.directCallFinished(ExecutedToolCall(
                id: id, name: name, rawArguments: argumentText, arguments: arguments, outcome: outcome, modelText: "",
                duration: ContinuousClock.now - started, round: 0, approval: approval)))
        }
    }

    // MARK: Files

    private func resolve(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
    }

    private func write(_ data: Data, to path: String, what: String) {
        let full = resolve(path)
        do {
            try data.write(to: URL(fileURLWithPath: full), options: .atomic)
            state.flash = "Wrote \(what) to \(full)."
            state.notice("Wrote \(what) to `\(full)`.")
        } catch {
            state.notice("Could not write \(full): \(error.localizedDescription). Check that the folder exists and is writable.", .danger)
        }
    }

    private func export(_ format: SlashCommand.ExportFormat, to path: String) {
        switch format {
        case .csv:
            guard let table = state.lastTable else { state.notice("There is no table to export yet: ask for some data first.", .warning); return }
            write(Data(table.csv().utf8), to: path, what: "the last table (\(table.rows.count) rows, CSV)")
        case .md:
            write(Data(TranscriptExport.markdown(state.entries).utf8), to: path, what: "the transcript (Markdown)")
        case .json:
            write(TranscriptExport.json(state.entries, messages: messages, model: model?.name), to: path, what: "the transcript (JSON)")
        }
    }

    private func save(to path: String) {
        guard let data = try? SavedConversation(model: model?.name, messages: messages).encoded() else { return }
        write(data, to: path, what: "the conversation")
    }

    private func load(from path: String) {
        let full = resolve(path)
        guard let data = FileManager.default.contents(atPath: full) else {
            state.notice("Could not read \(full): no such file. /save FILE writes one.", .danger)
            return
        }
        do {
            let saved = try SavedConversation.decode(data)
            if state.turnRunning { cancelTurn() }
            var restored = saved.messages
            if let model { restored.removeAll { $0.role == .system }; restored.insert(.system(model.systemPrompt), at: 0) }
            messages = restored
            state.entries.removeAll { if case .welcome = $0.kind { return false } else { return true } }
            for kind in TranscriptExport.entries(from: restored) { state.append(kind) }
            state.notice("Loaded \(restored.filter { $0.role == .user }.count) questions from `\(full)`.")
        } catch {
            state.notice("Could not load \(full): \(error). Is it a file written by /save?", .danger)
        }
    }

    private func timestamp() -> String {
        String(format: "%7.3f", Date().timeIntervalSince(sessionStart))
    }
}
