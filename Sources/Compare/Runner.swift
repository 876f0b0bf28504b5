import AccountingServer
import Agent
import Foundation
import LLM
import Ledger
import MCP
import MCPClient
import Synchronization

/// A model taking part in a comparison: how to get its provider for a run, and what its tokens cost.
public struct CompareModel: Sendable {
    public var name: String
    public var smallModelResilience: Bool
    /// The provider for one run (scripted models need the scenario; real ones ignore it).
    public var provider: @Sendable (_ scenario: Scenario, _ toolset: String) -> any ChatProvider
    public var cost: @Sendable (Usage) -> Double?

    public init(
        name: String, smallModelResilience: Bool, cost: @escaping @Sendable (Usage) -> Double? = { _ in nil },
        provider: @escaping @Sendable (_ scenario: Scenario, _ toolset: String) -> any ChatProvider
    ) {
        self.name = name
        self.smallModelResilience = smallModelResilience
        self.cost = cost
        self.provider = provider
    }

    /// A scripted model; see `ScriptedBehaviour`.
    public static func scripted(_ behaviour: ScriptedBehaviour) -> CompareModel {
        CompareModel(name: behaviour.modelName, smallModelResilience: false) { scenario, toolset in
            ScriptedModel(behaviour: behaviour, scenario: scenario, toolset: toolset)
        }
    }
}

/// How runs are made.
public struct CompareSettings: Sendable {
    /// Every run starts from this demo ledger: same seed, same anchor date, which is also "today".
    public var seed: UInt64 = DemoLedger.defaultSeed
    public var anchor: LedgerDate = LedgerDate(iso: "2026-11-25")!
    /// A run (all its turns) that takes longer fails with `timeout`.
    public var timeLimit: Duration = .seconds(180)
    public var maxRounds = 8
    public var resultBudgetTokens = 1500
    /// Repeat count for every scenario instead of its own.
    public var repeatOverride: Int?
    /// Recorded tool results to give instead of calling the ledger (`--replay`).
    public var replay: ReplayBook?

    public init() {}
}

/// Runs scenarios × models × toolsets, each run on its own fresh copy of the demo ledger with every write approved.
public final class CompareRunner: Sendable {
    public let settings: CompareSettings
    private let workDirectory: String
    private let template: String
    /// The system prompt for models without and with small-model help: the same for every run.
    private let systemPrompts: [Bool: String]

    /// Builds the template ledger and the system prompts once; every run copies the ledger.
    public init(settings: CompareSettings) throws {
        self.settings = settings
        Self.removeAbandonedWorkDirectories()
        workDirectory = NSTemporaryDirectory() + "\(Self.workPrefix)\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        template = workDirectory + "/template.sqlite"
        _ = try LedgerLocation.initialize(at: template, seed: settings.seed, anchor: settings.anchor, force: true)
        let company = try LedgerStore(path: template).companyInfo()?.company.name ?? DemoLedger.companyName
        systemPrompts = try Dictionary(uniqueKeysWithValues: [false, true].map { small in
            (small, try SystemPrompt.forModel(smallModel: small, company: company, today: settings.anchor.iso))
        })
    }

    deinit { try? FileManager.default.removeItem(atPath: workDirectory) }

    static let workPrefix = "ledgerchat-compare-"

    /// A comparison stopped with Ctrl-C or killed never reaches `deinit`; its ledger copies (~0.6 MB a run folder) are
    /// removed by the next one: folders named after a process that no longer runs.
    static func removeAbandonedWorkDirectories(in temporary: String = NSTemporaryDirectory()) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix(workPrefix) {
            guard let pid = name.dropFirst(workPrefix.count).split(separator: "-").first.flatMap({ Int32($0) }),
                pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? FileManager.default.removeItem(atPath: (temporary as NSString).appendingPathComponent(name))
        }
    }

    /// One planned run.
    public struct Job: Sendable {
        public var scenario: Scenario
        public var model: CompareModel
        public var toolset: String
        public var repetition: Int
        /// Its place in the plan.
        public var sequence: Int
    }

    /// Every run to make, in order: by model, then toolset, then scenario, then repetition.
    public func plan(scenarios: [Scenario], models: [CompareModel], toolsets: [String]) -> [Job] {
        var jobs: [Job] = []
        for model in models {
            for toolset in toolsets {
                for scenario in scenarios where scenario.toolsets.contains(toolset) {
                    for repetition in 1...(settings.repeatOverride ?? scenario.repeatCount) {
                        jobs.append(Job(scenario: scenario, model: model, toolset: toolset, repetition: repetition, sequence: jobs.count + 1))
                    }
                }
            }
        }
        return jobs
    }

    /// Makes one run and records it. Model failures and timeouts are part of the record, not errors; an error here
    /// means the run could not be set up (the ledger copy, the prompts).
    public func run(_ job: Job) async throws -> RunRecord {
        let path = workDirectory + "/run-\(UUID().uuidString.prefix(8)).sqlite"
        try FileManager.default.copyItem(atPath: template, toPath: path)
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try LedgerStore(path: path)
        guard let toolset = Toolset(rawValue: job.toolset) else { throw ScenarioError("Unknown toolset \(job.toolset); use poc or full.") }
        let anchor = settings.anchor
        let service = AccountingService(
            store: store, options: AccountingServerOptions(toolset: toolset, readOnly: false, cacheResults: false, today: { anchor }))
        let live = MCPToolRunner(connections: [BuiltinServer(service: service)])
        let tools = try await live.listTools()
        let runner: any ToolRunner =
            settings.replay.map { ReplayToolRunner(live: live, book: $0, scenario: job.scenario.id, toolset: job.toolset) } ?? live
        let prompt = systemPrompts[job.model.smallModelResilience]!
        let agent = Agent(
            provider: job.model.provider(job.scenario, job.toolset), tools: runner, approval: ApproveAll(),
            settings: AgentSettings(
                maxRounds: settings.maxRounds, resultBudgetTokens: settings.resultBudgetTokens,
                smallModelResilience: job.model.smallModelResilience, today: anchor.iso))

        let before = try store.tableStates()
        let started = ContinuousClock.now
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let log = EventLogBox()
        var turns: [TurnRecord] = []
        var history: [ChatMessage] = [.system(prompt)]
        var outcome = RunRecord.Outcome.answered
        let deadline = started + settings.timeLimit

        for (index, question) in job.scenario.turns.enumerated() {
            let turn = index + 1
            let turnStarted = ContinuousClock.now
            let soFar = history
            let result = await Self.withDeadline(deadline) {
                try await agent.ask(question, history: soFar) { event in log.state.withLock { $0.record(event, turn: turn) } }
            }
            let latency = (ContinuousClock.now - turnStarted).wholeMilliseconds
            switch result {
            case .success(let answer):
                log.state.withLock { $0.replaceCalls(ofTurn: turn, with: answer.toolCalls) }
                history = answer.messages
                turns.append(TurnRecord(question: question, answer: answer.text, latencyMs: latency, cutOff: answer.cutOff))
                continue
            case .timedOut:
                outcome = .timeout(seconds: Double(settings.timeLimit.wholeMilliseconds) / 1000)
            case .failure(let error as AgentError):
                outcome = .noAnswer("\(error)")
            case .failure(let error):
                outcome = .error("\(error)")
            }
            turns.append(TurnRecord(question: question, answer: nil, latencyMs: latency))
            history.append(.user(question))
            break
        }
        let after = try store.tableStates()
        let events = log.state.withLock { $0 }
        let usage = Usage(inputTokens: events.inputTokens, outputTokens: events.outputTokens)
        return RunRecord(
            scenario: job.scenario.id, model: job.model.name, toolset: job.toolset, repetition: job.repetition, sequence: job.sequence,
            startedAt: startedAt,
            turns: turns, toolCalls: events.calls,
            tools: tools.map { ToolInfo(name: $0.name, readOnly: $0.readOnly, inputSchema: $0.inputSchema) }, usage: usage,
            rounds: events.rounds, latencyMs: (ContinuousClock.now - started).wholeMilliseconds, cost: job.model.cost(usage),
            outcome: outcome, ledgerBefore: before, ledgerAfter: after, messages: history)
    }

    final class EventLogBox: Sendable {
        let state = Mutex(EventLog())
    }

    /// What the agent reported during a run; kept from events so that a run cut short still shows its calls.
    struct EventLog: Sendable {
        var calls: [CallRecord] = []
        var rounds = 0
        var inputTokens = 0
        var outputTokens = 0

        mutating func record(_ event: AgentEvent, turn: Int) {
            switch event {
            case .roundStarted: rounds += 1
            case .roundFinished(_, let usage, _):
                inputTokens += usage?.inputTokens ?? 0
                outputTokens += usage?.outputTokens ?? 0
            case .toolCallFinished(let call): calls.append(Self.record(call, turn: turn))
            default: break
            }
        }

        /// The calls of one round run side by side and are reported as they finish; the turn's answer lists them in
        /// the order the model made them, which scenarios with `order = "in_order"` score (contact-balance failed
        /// `wrong_order` when get_contact finished before list_contacts). Events stay the record of a turn cut short.
        mutating func replaceCalls(ofTurn turn: Int, with executed: [ExecutedToolCall]) {
            calls.removeAll { $0.turn == turn }
            calls += executed.map { Self.record($0, turn: turn) }
        }

        static func record(_ call: ExecutedToolCall, turn: Int) -> CallRecord {
            CallRecord(
                turn: turn, round: call.round, name: call.name, rawArguments: call.rawArguments, arguments: call.arguments,
                isError: call.outcome.isError, resultText: call.outcome.text, structured: call.outcome.structured,
                approval: call.approval.rawValue, durationMs: call.duration.wholeMilliseconds)
        }
    }

    enum DeadlineResult<T: Sendable>: Sendable {
        case success(T)
        case failure(any Error)
        case timedOut
    }

    /// Runs `body` until it finishes or the deadline passes; then it is cancelled.
    static func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () async throws -> T) async
        -> DeadlineResult<T>
    {
        await withTaskGroup(of: DeadlineResult<T>.self) { group in
            group.addTask {
                do { return .success(try await body()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
    }
}

/// Tool results recorded in earlier runs, by scenario, toolset, tool and arguments (`--replay`).
public struct ReplayBook: Sendable {
    private var results: [String: CallRecord] = [:]

    /// The first recorded result of every distinct reading call; calls that failed are not replayed.
    public init(records: [RunRecord]) {
        for record in records {
            let readOnly = Set(record.tools.filter(\.readOnly).map(\.name))
            for call in record.toolCalls where readOnly.contains(call.name) && !call.isError {
                guard let arguments = call.arguments else { continue }
                let key = Self.key(scenario: record.scenario, toolset: record.toolset, tool: call.name, arguments: arguments)
                if results[key] == nil { results[key] = call }
            }
        }
    }

    public var count: Int { results.count }

    func result(scenario: String, toolset: String, tool: String, arguments: [String: Value]) -> CallRecord? {
        results[Self.key(scenario: scenario, toolset: toolset, tool: tool, arguments: arguments)]
    }

    /// The same call is recognised as the agent recognises a repeated one.
    static func key(scenario: String, toolset: String, tool: String, arguments: [String: Value]) -> String {
        [scenario, toolset, tool, Agent.canonical(.object(arguments))].joined(separator: "\u{1F}")
    }
}

/// Gives a recorded result where one exists for the same reading call, so every model sees identical data; writes
/// and calls never seen before go to the run's own ledger.
struct ReplayToolRunner: ToolRunner {
    let live: MCPToolRunner
    let book: ReplayBook
    let scenario: String
    let toolset: String

    func listTools() async throws -> [AgentTool] { try await live.listTools() }

    func call(_ name: String, arguments: [String: Value]) async throws -> ToolOutcome {
        if let recorded = book.result(scenario: scenario, toolset: toolset, tool: name, arguments: arguments) {
            return ToolOutcome(text: recorded.resultText, structured: recorded.structured, isError: recorded.isError)
        }
        return try await live.call(name, arguments: arguments)
    }
}
