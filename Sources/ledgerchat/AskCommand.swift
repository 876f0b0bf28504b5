import AccountingServer
import Agent
import ArgumentParser
import Config
import Curl
import Foundation
import LLM
import Ledger
import MCP
import MCPClient
import Render
import TUI

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask", abstract: "Ask one question about the books and print the answer (for scripts and demos).",
        discussion: """
            The answer streams to stdout, followed by a table for each tool result with structured data; one footer \
            line (model, rounds, tokens, seconds) goes to stderr, after any warning: an invoice number or amount no tool \
            returned (likely made up), a change the answer reports but no tool made, an answer cut off at the token \
            limit, an answer stopped because the model repeated the same lines. With --json, stdout holds exactly one \
            JSON object (the warnings as unverified_references, unmade_change, cut_off and stopped_repeating). \
            Tools that change data need approval: --yes approves, a terminal asks y/N, anything else refuses. \
            Exit status: 0 answered, 1 failed, 2 usage error.
            """)

    @Argument(help: "The question, e.g. \"show me the last 5 invoices\".")
    var question: String

    @OptionGroup var common: CommonOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var serverOptions: ServerOptions

    @Option(name: .long, help: ArgumentHelp("The [models.NAME] to use (default: default_model in the config).", valueName: "name"))
    var model: String?

    @Flag(name: .long, help: "Print one JSON object (answer, tool calls with arguments and structured results, usage, timings).")
    var json = false

    @Flag(name: .long, help: "Approve every tool that changes data.")
    var yes = false

    @Option(name: .long, help: ArgumentHelp("Write the trace here (default: ~/.local/state/ledgerchat/traces/YYYY-MM-DD.jsonl).", valueName: "file"))
    var trace: String?

    @Option(name: .long, help: ArgumentHelp("Measure 'today' and 'overdue' from this date (YYYY-MM-DD).", valueName: "date"))
    var today: String?

    func validate() throws {
        if question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("The question is empty.") }
        if let today, LedgerDate(iso: today) == nil { throw ValidationError("--today must be a date written YYYY-MM-DD; got '\(today)'") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        SignalCleanup.install()
        let config = try common.loadConfig()
        let profile: ModelProfile
        do { profile = try ModelResolver.profile(named: model, config: config) } catch let error as CLIError {
            printError("Error: \(error)")
            throw ExitCode(2)
        }
        let day = today.flatMap(LedgerDate.init(iso:)) ?? .today()

        let registry = try serverOptions.registry(config: config, ledgerOptions: ledgerOptions, today: day)
        let runner = MCPToolRunner(connections: registry.servers)
        let company = try registry.servers.lazy.compactMap { ($0.base as? BuiltinServer)?.service.store }.first?.companyInfo()?.company.name
            ?? DemoLedger.companyName
        let systemPrompt = try SystemPrompt.forModel(smallModel: profile.smallModelResilience, company: company, today: day.iso)

        let approval: any ApprovalHandler
        if yes {
            approval = ApproveAll()
        } else if isatty(STDIN_FILENO) == 1 {
            approval = TerminalApproval()
        } else {
            approval = RefusingWithNotice()
        }
        let agent = Agent(
            provider: profile.makeProvider(progress: { printError($0) }), tools: runner, approval: approval,
            settings: AgentSettings(config: config, profile: profile, today: day))

        let tracePath = trace ?? TraceWriter.dailyPath(in: config.agent.traceDirectory, day: LedgerDate.today().iso)
        let writer: TraceWriter?
        do {
            writer = try TraceWriter(path: tracePath, secrets: [profile.apiKey].compactMap { $0 })
        } catch {
            writer = nil
            printError("Warning: this question is not traced: \(error).")
        }
        let recorder = TurnRecorder()
        let streamText = !json
        let tools = try await runner.listTools()
        for server in registry.servers {
            let status = await server.currentStatus()
            if case .failed(let reason) = status { printError("Warning: server \(server.name) is down (\(reason)); its tools are not available.") }
        }
        let answer: AgentAnswer
        do {
            answer = try await agent.ask(question, history: [.system(systemPrompt)]) { event in
                recorder.record(event)
                switch event {
                case .textDelta(let text) where streamText: StandardOutput.write(text)
                case .retrying(let attempt, let after, let reason): printError("Retrying (try \(attempt)) in \(after): \(reason)")
                case .toolCallStarted(_, let name, let arguments) where streamText: printError("→ \(name) \(arguments)")
                default: break
                }
            }
        } catch {
            await registry.shutdown()
            writer?.writeTurn(
                question: question, model: profile.name, provider: profile.provider.rawValue, answer: nil, error: error, recorder: recorder,
                duration: ContinuousClock.now - started)
            if json {
                print(JSONOutput.failure(error, model: profile.name))
            } else {
                StandardOutput.write("\n")
                printError("Error: \(error)")
            }
            throw ExitCode(1)
        }
        let duration = ContinuousClock.now - started
        await registry.shutdown()
        writer?.writeTurn(
            question: question, model: profile.name, provider: profile.provider.rawValue, answer: answer, error: nil, recorder: recorder,
            duration: duration)

        if json {
            print(JSONOutput.success(answer, model: profile.name, duration: duration))
            return
        }
        StandardOutput.write(answer.text.hasSuffix("\n") ? "" : "\n")
        let width = TerminalSize.columns() ?? 100
        for call in answer.toolCalls where !call.outcome.isError {
            guard let structured = call.outcome.structured else { continue }
            let schema = tools.first { $0.name == call.name }?.outputSchema
            for table in TableRenderer.tables(from: structured, schema: schema) where !table.rows.isEmpty {
                StandardOutput.write("\n" + TableLayout.lines(table, width: width).joined(separator: "\n") + "\n")
            }
        }
        if let warning = UnverifiedReferences.warning(answer.unverifiedReferences) { printError("Warning: " + warning) }
        if let claim = answer.unmadeChange { printError("Warning: " + ChangeTalk.warning(claim)) }
        if answer.cutOff { printError("Warning: " + profile.cutOffWarning) }
        if answer.stoppedRepeating { printError("Warning: " + RepeatedLines.warning) }
        var footer = "\(profile.name) · \(answer.rounds) round\(answer.rounds == 1 ? "" : "s") · "
        footer += "\(answer.usage.inputTokens) tokens in"
        if let cached = answer.usage.cachedInputTokens, cached > 0 { footer += " (\(cached) cached)" }
        footer += ", \(answer.usage.outputTokens) out"
        if let cost = profile.cost(of: answer.usage) { footer += String(format: " · $%.4f", cost) }
        footer += String(format: " · %.1f s", Double(duration.wholeMilliseconds) / 1000)
        printError(footer)
    }
}

extension AgentSettings {
    /// The `[agent]` settings with the profile's small-model help, as `ask` and the chat use them; `today` is the date
    /// the system prompt gives.
    init(config: LedgerchatConfig, profile: ModelProfile, today: LedgerDate) {
        self.init(
            maxRounds: config.agent.maxRounds ?? 8, resultBudgetTokens: config.agent.resultBudgetTokens ?? 1500,
            smallModelResilience: profile.smallModelResilience, today: today.iso)
    }
}

/// Model profiles from `[models.NAME]`.
enum ModelResolver {
    static func profile(named requested: String?, config: LedgerchatConfig) throws -> ModelProfile {
        let name: String
        if let requested {
            name = requested
        } else if let configured = config.defaultModel {
            name = configured
        } else if config.models.count == 1, let only = config.models.keys.first {
            name = only
        } else if config.models.isEmpty {
            return localProfile(name: "local", settings: nil)
        } else {
            throw CLIError("Several models are configured; choose one with --model (\(config.models.keys.sorted().joined(separator: ", "))) or set default_model.")
        }
        // The offline model is always there under its own name, unless the config gives the name to another profile.
        if name == "local" && config.models["local"] == nil { return localProfile(name: "local", settings: nil) }
        guard let settings = config.models[name] else {
            throw CLIError("No model named '\(name)'. Configured: \((config.models.keys.sorted() + ["local"]).joined(separator: ", ")).")
        }
        guard let kind = ProviderKind(rawValue: settings.provider) else {
            throw CLIError("models.\(name).provider must be openai, anthropic or local.")
        }
        if kind == .local { return localProfile(name: name, settings: settings) }
        if let unset = config.unsetVariables["models.\(name).api_key"], settings.apiKey?.isEmpty != false {
            throw CLIError("models.\(name).api_key uses \(unset.map { "${\($0)}" }.joined(separator: ", ")), which is not set. Export it and try again.")
        }
        let baseURL = settings.baseURL ?? (kind == .openai ? "https://api.openai.com/v1" : "https://api.anthropic.com")
        return ModelProfile(
            name: name, provider: kind, baseURL: baseURL, model: settings.model, apiKey: settings.apiKey, temperature: settings.temperature,
            maxTokens: settings.maxTokens, contextWindow: settings.contextWindow, inputPricePerMillion: settings.inputPricePerMillion,
            outputPricePerMillion: settings.outputPricePerMillion,
            headers: settings.headers.sorted { $0.key < $1.key }.map { HeaderField($0.key, $0.value) },
            timeouts: CurlTimeouts(connect: .seconds(10), total: nil, idle: .seconds(settings.timeout ?? 120)),
            smallModelResilience: settings.smallModelResilience, answerSlot: settings.answerSlot)
    }

    /// The offline model: llama-server started on demand with our chat template, deterministic (temperature 0).
    static func localProfile(name: String, settings: ModelSettings?) -> ModelProfile {
        ModelProfile(
            name: name, provider: .local, baseURL: "http://127.0.0.1", model: "local", temperature: settings?.temperature ?? 0,
            maxTokens: settings?.maxTokens ?? LocalModelServer.answerTokenLimit, contextWindow: LocalModelServer.contextSize,
            timeouts: CurlTimeouts(connect: .seconds(10), total: nil, idle: .seconds(settings?.timeout ?? 300)),
            smallModelResilience: settings?.smallModelResilience ?? true, chatTemplate: SystemPrompt.path(of: "qwen2.5-tools.jinja"),
            answerSlot: settings?.answerSlot)
    }
}

/// Asks on the terminal, one question at a time, before a tool changes data.
actor TerminalApproval: ApprovalHandler {
    func approve(_ call: ToolCall, tool: AgentTool, arguments: [String: Value]) async -> Bool {
        var text = "\n\(tool.destructive ? "⚠ " : "")\(tool.name) wants to change data:\n"
        for key in arguments.keys.sorted() { text += "  \(key): \(TranscriptLayout.describe(arguments[key]!))\n" }
        text += "Allow? [y/N] "
        writeStandardError(text)
        guard let terminal = FileHandle(forReadingAtPath: "/dev/tty") else { return false }
        defer { try? terminal.close() }
        var line = Data()
        while let byte = try? terminal.read(upToCount: 1), !byte.isEmpty, byte != Data([0x0A]) { line.append(byte) }
        let reply = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        return reply == "y" || reply == "yes" || reply == "j" || reply == "ja"
    }
}

/// Refuses writes when nobody can be asked, and says so on stderr.
struct RefusingWithNotice: ApprovalHandler {
    func approve(_ call: ToolCall, tool: AgentTool, arguments: [String: Value]) async -> Bool {
        printError("Refused \(tool.name): it changes data and there is no terminal to ask. Pass --yes to allow it.")
        return false
    }
}

/// Unbuffered writes to stdout, so streamed text appears as it arrives.
enum StandardOutput {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

enum TerminalSize {
    /// The terminal's width, or nil when stdout is not a terminal.
    static func columns() -> Int? {
        var size = winsize()
        guard isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// `ask --json`: exactly one JSON object on stdout.
enum JSONOutput {
    /// `cached_input_tokens` only where the server said how many of the input tokens it had computed already.
    static func usage(_ usage: Usage) -> Value {
        var object: [String: Value] = ["input_tokens": .int(usage.inputTokens), "output_tokens": .int(usage.outputTokens)]
        if let cached = usage.cachedInputTokens { object["cached_input_tokens"] = .int(cached) }
        return .object(object)
    }

    static func success(_ answer: AgentAnswer, model: String, duration: Duration) -> String {
        let object: Value = [
            "ok": true, "model": .string(model), "answer": .string(answer.text), "rounds": .int(answer.rounds),
            "retries": .int(answer.retries),
            "usage": usage(answer.usage),
            "duration_ms": .int(duration.wholeMilliseconds),
            "unverified_references": .array(answer.unverifiedReferences.map(Value.string)), "cut_off": .bool(answer.cutOff),
            "stopped_repeating": .bool(answer.stoppedRepeating),
            "unmade_change": answer.unmadeChange.map(Value.string) ?? .null,
            "tool_calls": .array(
                answer.toolCalls.map { call in
                    [
                        "name": .string(call.name), "arguments": call.arguments.map(Value.object) ?? .string(call.rawArguments),
                        "is_error": .bool(call.outcome.isError), "text": .string(call.outcome.text),
                        "structured": call.outcome.structured ?? .null, "duration_ms": .int(call.duration.wholeMilliseconds),
                        "approval": .string(call.approval.rawValue), "round": .int(call.round),
                    ]
                }),
        ]
        return encode(object)
    }

    static func failure(_ error: any Error, model: String) -> String {
        encode(["ok": false, "model": .string(model), "error": .string("\(error)")])
    }

    static func encode(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"ok":false,"error":"could not encode the answer"}"#
    }
}
