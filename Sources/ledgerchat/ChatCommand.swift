import AccountingServer
import Agent
import ArgumentParser
import Config
import Foundation
import LLM
import Ledger
import MCPClient
import Processes
import TUI

/// `ledgerchat` / `ledgerchat chat`: the full-screen chat.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "Chat about the books in a full-screen terminal UI (the default command).",
        discussion: """
            Type a question and press Enter; tool calls show as blocks (Tab selects one, Enter opens it), structured \
            results as tables. Tools that change data ask first. /help lists the commands and keys; Ctrl-D leaves. \
            Needs a terminal; for scripts use `ledgerchat ask`.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var serverOptions: ServerOptions

    @Option(name: .long, help: ArgumentHelp("The [models.NAME] to start with (default: default_model in the config, else the local model).", valueName: "name"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Measure 'today' and 'overdue' from this date (YYYY-MM-DD).", valueName: "date"))
    var today: String?

    @Option(name: .long, help: ArgumentHelp("Input history file (default: ~/.local/state/ledgerchat/history).", valueName: "file"))
    var history: String?

    func validate() throws {
        if let today, LedgerDate(iso: today) == nil { throw ValidationError("--today must be a date written YYYY-MM-DD; got '\(today)'") }
    }

    func run() async throws {
        let config = try common.loadConfig()
        do { _ = try ModelResolver.profile(named: model, config: config) } catch let error as CLIError {
            printError("Error: \(error)")
            throw ExitCode(2)
        }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            // Plain `ledgerchat` in a pipe or a script: the overview is more use than an error.
            if !CommandLine.arguments.dropFirst().contains("chat") {
                printError("No terminal, so no chat: here is the ledger at a glance. For scripts use `ledgerchat ask \"…\"`.")
                try OverviewCommand.show(common: common, ledgerOptions: ledgerOptions)
                return
            }
            printError("Error: the chat needs a terminal. For scripts use `ledgerchat ask \"show me the last 5 invoices\"`; `ledgerchat overview` shows the ledger.")
            throw ExitCode(1)
        }
        let day = today.flatMap(LedgerDate.init(iso:))
        // Opening (and on first use creating) the ledger prints to stderr; do it before the screen takes over.
        let backend = try LiveChatBackend(config: config, ledgerOptions: ledgerOptions, serverOptions: serverOptions, today: day)
        ChatSignals.install()
        do {
            try await ChatTUI.run(backend: backend, options: ChatOptions(model: model, historyPath: history ?? InputHistory.defaultPath()))
        } catch let error as TerminalError {
            await backend.shutdown()
            throw CLIError(error.description)
        }
    }
}

/// SIGTERM or SIGHUP mid-chat: put the terminal back, stop the servers ledgerchat started, then die of the signal.
enum ChatSignals {
    static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { received in
                ChatTUI.restoreTerminalFromSignal()
                ChildProcesses.shared.terminateAll()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}

/// The chat's view of the configuration: model profiles, the MCP servers, the demo ledger's tool set.
actor LiveChatBackend: ChatBackend {
    let config: LedgerchatConfig
    let ledgerOptions: LedgerOptions
    let serverOptions: ServerOptions
    let today: LedgerDate?
    private var registry: ServerRegistry
    private var runner: MCPToolRunner
    private var toolsetOverride: Toolset?
    nonisolated let modelNames: [String]

    init(config: LedgerchatConfig, ledgerOptions: LedgerOptions, serverOptions: ServerOptions, today: LedgerDate?) throws {
        self.config = config
        self.ledgerOptions = ledgerOptions
        self.serverOptions = serverOptions
        self.today = today
        registry = try serverOptions.registry(config: config, ledgerOptions: ledgerOptions, today: today)
        runner = MCPToolRunner(connections: registry.servers)
        modelNames = config.models.keys.sorted()
    }

    func model(named name: String?, progress: @escaping @Sendable (String) -> Void) async throws -> ChatModel {
        let profile = try ModelResolver.profile(named: name, config: config)
        let day = today ?? .today()
        let prompt = try SystemPrompt.forModel(smallModel: profile.smallModelResilience, company: companyName(), today: day.iso)
        return ChatModel(
            name: profile.name, provider: profile.makeProvider(progress: progress), settings: AgentSettings(config: config, profile: profile, today: day),
            systemPrompt: prompt,
            cost: { profile.cost(of: $0) }, cutOffWarning: profile.cutOffWarning)
    }

    func toolRunner() async -> any ToolRunner { runner }

    func servers() async -> [ServerSummary] {
        await registry.connectAll()
        var summaries: [ServerSummary] = []
        for server in registry.servers {
            let status = await server.currentStatus()
            let count = status.isUp ? ((try? await server.tools().count) ?? 0) : 0
            summaries.append(ServerSummary(name: server.name, up: status.isUp, detail: status.description, toolCount: count))
        }
        return summaries
    }

    func toolset() async -> String? {
        guard builtinStore != nil else { return nil }
        if let toolsetOverride { return toolsetOverride.rawValue }
        return registry.servers.lazy.compactMap { ($0.base as? BuiltinServer)?.service.options.toolset.rawValue }.first
    }

    func setToolset(_ name: String) async throws {
        guard let toolset = Toolset(rawValue: name.lowercased()) else {
            throw CLIError("there is no tool set '\(name)'; choose \(Toolset.allCases.map(\.rawValue).joined(separator: " or ")).")
        }
        guard builtinStore != nil else { throw CLIError("only the built-in ledger has tool sets, and no built-in ledger is configured.") }
        let replacement = try serverOptions.registry(config: config, ledgerOptions: ledgerOptions, today: today, toolset: toolset)
        await registry.shutdown()
        registry = replacement
        runner = MCPToolRunner(connections: replacement.servers)
        toolsetOverride = toolset
    }

    func welcome() async -> Welcome {
        let path = builtinStore?.path
        let description = path.map { $0 == LedgerLocation.defaultPath ? "the demo ledger" : "ledger \(($0 as NSString).lastPathComponent)" }
            ?? "\(registry.servers.count) MCP server\(registry.servers.count == 1 ? "" : "s")"
        return Welcome(company: companyName(), ledgerDescription: description)
    }

    func shutdown() async { await registry.shutdown() }

    private var builtinStore: LedgerStore? {
        registry.servers.lazy.compactMap { ($0.base as? BuiltinServer)?.service.store }.first
    }

    private func companyName() -> String {
        (try? builtinStore?.companyInfo())??.company.name ?? DemoLedger.companyName
    }
}
