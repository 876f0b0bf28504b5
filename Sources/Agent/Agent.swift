import Foundation
import LLM
import MCP

/// How the agent behaves.
public struct AgentSettings: Sendable {
    /// Model requests per question before the agent gives up.
    public var maxRounds: Int
    /// Tokens of one tool result the model may see (the user always sees all of it).
    public var resultBudgetTokens: Int
    /// Help for small models: text tool calls turned into real ones, arguments cleaned and checked against the
    /// schema (one corrective error), compact tool specs, and no tools offered right after a repeated call or a
    /// round whose calls all succeeded (so the model answers instead of paging on).
    public var smallModelResilience: Bool
    /// Today's date (YYYY-MM-DD) as the system prompt tells the model; with small-model resilience, date arguments
    /// the model copied from it unasked are dropped (`ArgumentRepair.droppingCopiedToday`).
    public var today: String?

    public init(maxRounds: Int = 8, resultBudgetTokens: Int = 1500, smallModelResilience: Bool = false, today: String? = nil) {
        self.maxRounds = max(1, maxRounds)
        self.resultBudgetTokens = resultBudgetTokens
        self.smallModelResilience = smallModelResilience
        self.today = today
    }
}

/// A tool call as it ran: what the model asked, what came back, how long it took.
public struct ExecutedToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The arguments as the model wrote them.
    public var rawArguments: String
    /// Parsed arguments; nil when the model's JSON did not parse.
    public var arguments: [String: Value]?
    /// The full result for the user (structured content included).
    public var outcome: ToolOutcome
    /// What the model was shown.
    public var modelText: String
    public var duration: Duration
    public var round: Int
    /// Whether it needed approval, and whether it got it.
    public var approval: Approval

    public enum Approval: String, Sendable, Equatable {
        case notNeeded = "not_needed", approved, refused
    }

    public init(
        id: String, name: String, rawArguments: String, arguments: [String: Value]?, outcome: ToolOutcome, modelText: String,
        duration: Duration, round: Int, approval: Approval
    ) {
        self.id = id
        self.name = name
        self.rawArguments = rawArguments
        self.arguments = arguments
        self.outcome = outcome
        self.modelText = modelText
        self.duration = duration
        self.round = round
        self.approval = approval
    }
}

/// What happens during a question, for live display and traces.
public enum AgentEvent: Sendable {
    case roundStarted(Int)
    case textDelta(String)
    case retrying(attempt: Int, after: Duration, reason: String)
    case toolCallStarted(id: String, name: String, arguments: String)
    case toolCallFinished(ExecutedToolCall)
    case roundFinished(round: Int, usage: Usage?, latency: Duration)
}

/// The outcome of one question.
public struct AgentAnswer: Sendable {
    public var text: String
    public var toolCalls: [ExecutedToolCall]
    public var usage: Usage
    public var rounds: Int
    public var duration: Duration
    public var retries: Int
    /// The conversation as it stands, for the next question.
    public var messages: [ChatMessage]
    /// Document numbers and amounts the answer names that no tool result or question showed (see
    /// `UnverifiedReferences`): most likely made up by the model, and to be pointed out to the user.
    public var unverifiedReferences: [String] = []
    /// The answer's sentence reporting a change as made when no tool that changes data succeeded (`ChangeTalk`):
    /// nothing was changed, and the user must be told so.
    public var unmadeChange: String?
    /// The answer stopped at the model's token limit (`max_tokens`) rather than where the model ended it: it is
    /// incomplete, and the user must be told so — an answer cut off in the middle of a list reads like a whole one.
    public var cutOff = false
    /// The model wrote the same lines over and over (`RepeatedLines`, small models): the answer was stopped after
    /// their first copy. It is likely made up, and the user must be told so.
    public var stoppedRepeating = false
}

/// Why a question got no answer.
public enum AgentError: Error, CustomStringConvertible, LocalizedError {
    case noAnswer(rounds: Int, toolCalls: [ExecutedToolCall])

    public var description: String {
        switch self {
        case .noAnswer(let rounds, let calls):
            return "The model did not answer within \(rounds) rounds (\(calls.count) tool calls). "
                + "Ask more specifically, or raise max_rounds."
        }
    }

    public var errorDescription: String? { description }
}

/// The tool-calling loop: send the conversation with the tools, run every call the model asks for (concurrently
/// when several), give the results back, and repeat until the model answers or the round limit is reached.
public struct Agent: Sendable {
    public let provider: any ChatProvider
    public let tools: any ToolRunner
    public let approval: any ApprovalHandler
    public let settings: AgentSettings

    public init(provider: any ChatProvider, tools: any ToolRunner, approval: any ApprovalHandler, settings: AgentSettings = AgentSettings()) {
        self.provider = provider
        self.tools = tools
        self.approval = approval
        self.settings = settings
    }

    /// Answers one question, continuing `history` (which starts with the system prompt).
    public func ask(
        _ question: String, history: [ChatMessage], onEvent: @escaping @Sendable (AgentEvent) -> Void = { _ in }
    ) async throws -> AgentAnswer {
        let started = ContinuousClock.now
        let available = try await tools.listTools()
        let byName = Dictionary(available.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var messages = history + [.user(question)]
        var executed: [ExecutedToolCall] = []
        var usage = Usage(inputTokens: 0, outputTokens: 0)
        var retries = 0
        var seenCalls: Set<String> = []
        var corrected: Set<String> = []
        var repeatedCallIDs: Set<String> = []
        var offerTools = true
        let small = settings.smallModelResilience
        let specs = toolSpecs(available)
        let answersApart = small && provider.cachesAnswersApart
        let toolNames = Set(available.map(\.name))
        let writes = Self.writeTools(available)
        let german = Self.looksGerman(question)
        let earlierCalls = small ? Self.succeededCalls(ofLastQuestionIn: history) : [:]
        let period = small ? settings.today.flatMap { NamedPeriod.find(in: question, today: $0) } : nil
        var lastRoundWrote = false
        var guesses = 0
        // An announced change the model did not make, and the request to make it, for the next request only.
        var promised: [ChatMessage] = []

        for round in 1...settings.maxRounds {
            onEvent(.roundStarted(round))
            let roundStarted = ContinuousClock.now
            var response = ChatResponse()
            var holdBack = TextHoldBack(enabled: small)
            var amounts = GarbledAmounts.Stream()
            var repeats = RepeatedLines.Stream()
            var stoppedRepeating = false
            let answering = small && !offerTools
            let request: ChatRequest
            if answersApart {
                // The answer is written in a cache slot of its own, from a prompt without the tool list and with the
                // results folded into the question: reading them next to a short prompt is faster, and the tool-round
                // slot keeps its tool list computed.
                request = answering
                    ? ChatRequest(messages: AnswerView.messages(messages, writes: writes.contains), toolChoice: .none, cacheSlot: .answers)
                    : ChatRequest(messages: messages + promised, tools: specs, cacheSlot: .toolRounds)
            } else {
                // Tools stay listed when they may not be called: the prompt then starts as in every other round, and a
                // server that caches prompts reuses its computation of the (long) tool list instead of reading it again.
                var requestMessages = messages + promised
                if answering {
                    let results = messages[history.count...].filter { $0.role == .tool }.map { (text: $0.content, isError: $0.isError) }
                    requestMessages.append(Self.answerNudge(german: german, afterWrite: lastRoundWrote, after: results, question: question))
                }
                request = ChatRequest(messages: requestMessages, tools: specs, toolChoice: offerTools ? .auto : .none)
            }
            for try await event in provider.send(request) {
                // A small model that starts more calls in one round than any question here needs is guessing its
                // way through ids: the rest is not waited for (leaving the stream stops the request, so the server
                // stops writing); the calls it has are cut to the cap below.
                // So is one that writes the same call again: it stutters, and would go on to the cap (asked "Wie alt sind
                // unsere offenen Forderungen?", it wrote `list_invoices status=open` six times in one round).
                if small, case .toolCallStart(let index, _, _) = event,
                    index >= Self.callsPerRound || Self.withoutStutters(Array(response.toolCalls.prefix(index))).count < index
                {
                    break
                }
                response.apply(event)
                switch event {
                case .textDelta(let text):
                    if let held = holdBack.add(text), case let shown = small ? repeats.add(amounts.add(held)) : held, !shown.isEmpty {
                        onEvent(.textDelta(shown))
                    }
                case .retrying(let attempt, let after, let reason): onEvent(.retrying(attempt: attempt, after: after, reason: reason))
                default: break
                }
                // The same lines over and over (`RepeatedLines`): the answer ends after their first copy, and the
                // request is left, so the server stops writing.
                if small, case .textDelta(let text) = event, text.contains("\n"),
                    let end = RepeatedLines.endOfFirstCopy(in: response.text)
                {
                    response.text = String(response.text[..<end])
                    stoppedRepeating = true
                    break
                }
            }
            let toolsWereOffered = offerTools
            offerTools = true
            if small {
                let textCalls = response.toolCalls.isEmpty ? TextToolCalls.extract(from: response.text, toolNames: toolNames) : nil
                if !toolsWereOffered && (textCalls != nil || !response.toolCalls.isEmpty) {
                    // Told to answer, it made yet another call (as text, or a real one from a server that ignores
                    // tool_choice): answer with what the last call said instead.
                    response.toolCalls = []
                    if let last = executed.last(where: { !repeatedCallIDs.contains($0.id) }) ?? executed.last {
                        let limited = last.outcome.text.count > 1500 ? String(last.outcome.text.prefix(1500)) + " …" : last.outcome.text
                        response.text = last.outcome.isError ? "That did not work: \(limited)" : limited
                    }
                    holdBack.replace(with: response.text)
                } else if let textCalls {
                    response.toolCalls = textCalls.calls.map { ToolCall(id: "", name: $0.name, arguments: $0.arguments) }
                    response.text = textCalls.remainingText
                    holdBack.replace(with: response.text)
                }
                // Calls written as text are only known at the end; they are cut to the same cap.
                response.toolCalls = Array(response.toolCalls.prefix(Self.callsPerRound))
            }
            // Amounts are mended as they stream (small models only), and the answer with them; of an answer that looped,
            // the first copy is shown.
            let rest = (holdBack.finish().map { small ? amounts.add($0) : $0 } ?? "") + (small ? amounts.finish() : "")
            let shownRest = !small ? rest : stoppedRepeating ? repeats.stop(adding: rest) : repeats.add(rest) + repeats.finish()
            if !shownRest.isEmpty { onEvent(.textDelta(shownRest)) }
            if small { response.text = GarbledAmounts.mend(response.text) }
            retries += response.retries
            if let roundUsage = response.usage {
                usage = usage + roundUsage
            }
            onEvent(.roundFinished(round: round, usage: response.usage, latency: ContinuousClock.now - roundStarted))
            // A call written again in the same round is one call: run once, it is answered once (as a repeat, it would
            // end the tool rounds before the model could read why the first was refused).
            let written = small ? Self.withoutStutters(response.toolCalls) : response.toolCalls
            let calls = written.enumerated().map { index, call in
                ToolCall(id: call.id.isEmpty ? "call_\(round)_\(index)" : call.id, name: call.name, arguments: call.arguments)
            }
            promised = []
            // Round 1 only: a later round without any call made so far can only follow such a request (every round with
            // calls adds to `executed`, every other one returns), so each request below is made once.
            let firstAnswerWithoutCall = small && round == 1 && calls.isEmpty && toolsWereOffered && round < settings.maxRounds
            if firstAnswerWithoutCall && !writes.isEmpty,
                case let claimed = ChangeTalk.claim(in: response.text) != nil, claimed || ChangeTalk.announces(response.text),
                ChangeTalk.asksForChange(messages.filter { $0.role == .user }.suffix(2).map(\.content))
            {
                // "I will proceed to add the supplier." and nothing done: the next request asks for it to be done. Neither
                // message joins the conversation (the answer view would take the announcement for the answer). A claim
                // that it is done ("I have added …") stays out of that request too: with it there, the model claimed again.
                promised = (claimed ? [] : [.assistant(response.text)]) + [Self.actNudge(german: german, writes: writes)]
                // The claim is on screen already (streamed) and stays there: it is said right away that it is not true.
                onEvent(.textDelta(claimed ? "\n\n" + Self.notChangedYet(german: german) + "\n\n" : "\n\n"))
                continue
            }
            // An answer without a call that names document numbers or amounts no question and no result gave was made up
            // from memory, and so was any answer without a call to a question about our own books (`answeredFromMemory`):
            // the next request asks for the data to be looked up (without the made-up answer, as with a claimed change
            // above).
            // Found once: the answer below reports the same (only questions and tool results confirm a number).
            let unverified = calls.isEmpty ? UnverifiedReferences.find(in: response.text, conversation: messages) : []
            if firstAnswerWithoutCall, !unverified.isEmpty || Self.answeredFromMemory(question, answer: response.text) {
                promised = [Self.lookUpNudge]
                onEvent(.textDelta("\n\n" + Self.notLookedUp(german: german) + "\n\n"))
                continue
            }
            messages.append(.assistant(response.text, toolCalls: calls))
            if calls.isEmpty {
                return AgentAnswer(
                    text: response.text, toolCalls: executed, usage: usage, rounds: round, duration: ContinuousClock.now - started,
                    retries: retries, messages: messages,
                    unverifiedReferences: unverified,
                    unmadeChange: ChangeTalk.unmade(in: response.text, conversation: messages, writes: writes),
                    cutOff: response.finishReason == .length, stoppedRepeating: stoppedRepeating)
            }
            // Decide each call's fate in order (repeats are judged against earlier calls), then run them together.
            // `shown`: the arguments on screen and in the trace — the model's own text, or the cleaned arguments when
            // cleaning changed them, so that the call shown is the call that runs (the conversation keeps the text unless
            // arguments were left out, added or renamed: below).
            var plans: [(call: ToolCall, plan: CallPlan, shown: String, note: String?, instead: String?, asRun: Bool)] = []
            var mustAsk = false
            let said = small ? messages.filter { $0.role == .user || $0.role == .tool }.map(\.content) : []
            let questions = small ? messages.filter { $0.role == .user }.map(\.content) : []
            for written in calls {
                var call = written
                // "What do we owe our suppliers?" read as receivables, "offene Forderungen" as a list of invoices: the
                // read that answers the question runs instead, and the conversation shows it (`asRun` below).
                var instead: String?
                if small, byName[call.name]?.readOnly == true,
                    let arguments = Self.arguments(of: call),
                    let other = OwedMoney.replacement(tool: call.name, arguments: arguments, question: question, among: available)
                {
                    call = ToolCall(id: call.id, name: other.tool, arguments: ArgumentRepair.show(.object(other.arguments)))
                    instead = other.note
                }
                var plan = plan(for: call, tools: byName, seen: &seenCalls)
                var shown = call.arguments
                var note: String?
                var asRun = instead != nil
                if small, case .run(let tool, let arguments) = plan {
                    let repaired = repair(
                        tool, arguments, question: question, questions: questions, said: said, writes: writes, tools: available,
                        earlier: earlierCalls[tool.name], period: period, corrected: &corrected)
                    plan = repaired.plan
                    note = repaired.note
                    asRun = asRun || repaired.showsCallAsRun
                    if repaired.arguments != arguments { shown = ArgumentRepair.show(.object(repaired.arguments)) }
                    // The call as it runs is the one a later call repeats: shown `get_invoice number='RE-9999'` for its
                    // `id: 9999`, the offline model called with that number next, and once more, instead of answering.
                    if case .run(_, let ran) = plan, ran != arguments, !seenCalls.insert(Self.callKey(call.name, ran)).inserted {
                        plan = Self.repeated(call.name, ran)
                    }
                    if repaired.asksUser { mustAsk = true }
                    if repaired.guessed { guesses += 1 }
                }
                if case .repeated = plan {
                    repeatedCallIDs.insert(call.id)
                    // The model is going round in circles: the next request offers no tools, so it must answer.
                    if small { offerTools = false }
                }
                plans.append((call, plan, shown, note, instead, asRun))
            }
            // With arguments left out, added or renamed (made-up values, an unasked status, copied or guessed filters, dates
            // filled in, an id that was a number), the conversation shows the call as it runs: the model otherwise reports
            // them as written ("… with VAT ID DE123456789") from its own call. (A prompt cache then reads that call again,
            // a few dozen tokens, and only for such calls.)
            let asRun = plans.map { entry -> ToolCall in
                guard entry.asRun, case .run(_, let arguments) = entry.plan else { return entry.call }
                return ToolCall(id: entry.call.id, name: entry.call.name, arguments: ArgumentRepair.show(.object(arguments)))
            }
            if asRun != calls { messages[messages.count - 1] = .assistant(response.text, toolCalls: asRun) }
            let results = await withTaskGroup(of: (Int, ExecutedToolCall).self) { group in
                for (index, entry) in plans.enumerated() {
                    group.addTask {
                        onEvent(.toolCallStarted(id: entry.call.id, name: entry.call.name, arguments: entry.shown))
                        let result = await execute(entry.call, entry.plan, round: round, note: entry.note, userNote: entry.instead)
                        onEvent(.toolCallFinished(result))
                        return (index, result)
                    }
                }
                var collected: [(Int, ExecutedToolCall)] = []
                for await result in group { collected.append(result) }
                return collected.sorted { $0.0 < $1.0 }.map(\.1)
            }
            executed += results
            lastRoundWrote = results.contains { writes.contains($0.name) }
            for result in results {
                messages.append(.tool(result.id, result.modelText, isError: result.outcome.isError))
            }
            // Small models keep calling tools (paging on and on) instead of answering: once a round's calls all
            // succeeded, the next request offers no tools, so the model answers from what it has.
            // (Offering tools one round more after a lookup that followed a refused guess was tried: the model then
            // repeated the refused call, or called get_contact with another contact's id and mixed the two up.)
            if small && results.allSatisfy({ !$0.outcome.isError }) { offerTools = false }
            // A value was made up where the user must give one: the next request offers no tools, so the model asks.
            // So too after a write that changes something else than asked for, which no tool can: with tools, the
            // offline model made the same call again.
            // Likewise after a change the server refused or the user declined (a call that got as far as approval):
            // told that a contact named 'Müller GmbH' already exists and that allow_duplicate creates a second one if
            // the user asks for that, the offline model called again with allow_duplicate=true at once.
            let writeRefused = results.contains { writes.contains($0.name) && $0.outcome.isError && $0.approval != .notNeeded }
            let cannot = results.contains { $0.outcome.isError && ChangeTalk.cannot(in: $0.outcome.text) != nil }
            if small && (mustAsk || writeRefused || cannot || guesses >= 2) { offerTools = false }
        }
        throw AgentError.noAnswer(rounds: settings.maxRounds, toolCalls: executed)
    }

    /// One round's calls, each written again left out (the first is kept): the same tool with the same arguments
    /// (`callKey`; arguments that are no JSON object compared as written).
    static func withoutStutters(_ calls: [ToolCall]) -> [ToolCall] {
        var seen = Set<String>()
        return calls.filter { call in
            seen.insert(arguments(of: call).map { callKey(call.name, $0) } ?? call.name + "\u{0}" + call.arguments).inserted
        }
    }

    /// A call's arguments as an object; no text at all is no arguments. Nil when the text is no JSON object.
    static func arguments(of call: ToolCall) -> [String: Value]? {
        call.arguments.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? [:] : call.decodedArguments
    }

    /// The most calls of one round a small model's answer is read for (`ask`). Why: asked "Wie alt sind unsere
    /// offenen Forderungen?", the offline model once called `list_invoices` and then `get_invoice` 37 times in one round
    /// with made-up ids (1234, 5678, …), every one refused as a guess: 157 s, most of them spent writing calls.
    static let callsPerRound = 6

    /// The tool list as the model is shown it.
    func toolSpecs(_ available: [AgentTool]) -> [ToolSpec] {
        settings.smallModelResilience ? available.map { CompactToolSpecs.compact($0.spec) } : available.map(\.spec)
    }

    /// Call when a question may follow, with the conversation as it stands (the chat calls it after starting and
    /// after each answer): a provider that keeps answers apart then reads the conversation into both its slots now,
    /// while the user reads and types, so the next question is read at once. Without this the first question reads
    /// the tool list (~40 s on two cores) and every later one the last results and answer again (~6 s). Does
    /// nothing for other providers; failures don't matter, the next question then just reads more.
    public func prepareNextQuestion(history: [ChatMessage]) async {
        guard settings.smallModelResilience, provider.cachesAnswersApart, let available = try? await tools.listTools() else { return }
        let writes = Self.writeTools(available)
        // Only the prompt is wanted; the one token written is past where the next prompt differs.
        let requests = [
            ChatRequest(messages: history, tools: toolSpecs(available), cacheSlot: .toolRounds, maxTokens: 1),
            ChatRequest(messages: AnswerView.messages(history, writes: writes.contains), toolChoice: .none, cacheSlot: .answers, maxTokens: 1),
        ]
        for request in requests {
            do { for try await _ in provider.send(request) {} } catch {}
        }
    }

    /// What to do with one call before running anything.
    enum CallPlan {
        case run(AgentTool, [String: Value])
        case reject(String, arguments: [String: Value]?)
        /// The same call with the same arguments as an earlier one: not run again.
        case repeated(String, arguments: [String: Value])
    }

    func plan(for call: ToolCall, tools: [String: AgentTool], seen: inout Set<String>) -> CallPlan {
        guard let tool = tools[call.name] else {
            let names = tools.keys.sorted().joined(separator: ", ")
            return .reject("Unknown tool '\(call.name)'. Available tools: \(names).", arguments: nil)
        }
        guard let arguments = Self.arguments(of: call) else {
            let text = call.arguments.trimmingCharacters(in: .whitespacesAndNewlines)
            return .reject(
                "The arguments for \(call.name) are not a valid JSON object: \(text.prefix(200)). "
                    + "Call it again with a JSON object matching its input schema.", arguments: nil)
        }
        if !seen.insert(Self.callKey(call.name, arguments)).inserted { return Self.repeated(call.name, arguments) }
        return .run(tool, arguments)
    }

    /// What tells two calls apart: the tool and its arguments in canonical form.
    static func callKey(_ name: String, _ arguments: [String: Value]) -> String {
        name + "\u{0}" + canonical(.object(arguments))
    }

    static func repeated(_ name: String, _ arguments: [String: Value]) -> CallPlan {
        .repeated(
            "This exact call of \(name) was already made with the same arguments; its result is above. "
                + "Answer from it, or call with different arguments.", arguments: arguments)
    }

    /// What the small-model repairs made of one call planned to run.
    struct RepairedCall {
        var plan: CallPlan
        /// The arguments after cleaning (what runs, or what the refused call would have run with).
        var arguments: [String: Value]
        /// Added to the result: the made-up values left out, or the dates the question named filled in.
        var note: String?
        /// Refused for a made-up required value: the model must ask the user next.
        var asksUser = false
        /// Refused for guessed identifiers.
        var guessed = false
        /// Arguments were left out, added or renamed, or a note says what changed (dates of a named period written over
        /// the model's): the conversation must show the call as it runs, or the model reads its own call and answers as
        /// if that had run ("the three largest open invoices" after the unasked `status` was left out, today's
        /// transactions after the copied dates were).
        var showsCallAsRun = false
    }

    /// A small model's call cleaned (`ArgumentRepair`), rid of made-up values and guessed identifiers
    /// (`MadeUpValues`, judged against `said`: the user's messages and tool results) and of a status filter no
    /// question (`questions`: the user's messages) asked for, given the dates of a period the question names
    /// (`NamedPeriod`), then checked against the schema (one corrective error per tool, recorded in `corrected`). A
    /// write of another kind or about another thing than the user asked for is refused (`ChangeTalk.mismatch`; `writes`:
    /// the tools that change data, one of which may fit instead). `tools`: all offered, for the search tool a refusal
    /// of guessed identifiers names (`MadeUpValues.finder`); `earlier`: the arguments of this tool's call for the
    /// previous question, whose subject a follow-up keeps (`ArgumentRepair.inheritingSubject`); `period`: the one the
    /// question names (`NamedPeriod.find`, once per question).
    func repair(
        _ tool: AgentTool, _ arguments: [String: Value], question: String, questions: [String], said: [String],
        writes: Set<String>, tools: [AgentTool] = [], earlier: [String: Value]? = nil, period: NamedPeriod? = nil,
        corrected: inout Set<String>
    ) -> RepairedCall {
        var cleaned = ArgumentRepair.clean(arguments, schema: tool.inputSchema)
        cleaned = ArgumentRepair.numberForID(cleaned, schema: tool.inputSchema, question: question)
        if let today = settings.today {
            cleaned = ArgumentRepair.droppingCopiedToday(cleaned, today: today, question: question, schema: tool.inputSchema)
        }
        var note: String?
        var choiceReplaced = false
        if tool.readOnly {
            // A guessed identifier answers about the wrong record. A filter among others is left out (the account of
            // "the last 5 bank transactions"); a call about nothing else is refused, so the model looks the record up
            // first.
            let guessed = MadeUpValues.guessedIdentifiers(in: cleaned, said: said)
            let kept = cleaned.filter { !guessed.contains($0.key) }
            if !guessed.isEmpty && kept.isEmpty {
                let refusal = MadeUpValues.guessRefusal(tool: tool.name, guessed: cleaned, finder: MadeUpValues.finder(for: tool.name, among: tools))
                return RepairedCall(plan: .reject(refusal, arguments: cleaned), arguments: cleaned, guessed: true)
            }
            // A made-up name finds no one, and the model answers that there is no one. Not counted as a guess (two of
            // which end the tool rounds): it follows the refused identifier, and the next call is the one that answers.
            if let search = MadeUpValues.guessedSearch(in: cleaned, said: said) {
                let refusal = MadeUpValues.searchRefusal(tool: tool.name, search: search, among: tools)
                return RepairedCall(plan: .reject(refusal, arguments: cleaned), arguments: cleaned)
            }
            cleaned = kept
            cleaned = ArgumentRepair.droppingUnaskedChoices(cleaned, schema: tool.inputSchema, questions: questions)
            cleaned = ArgumentRepair.droppingUnaskedDates(cleaned, schema: tool.inputSchema, questions: questions)
            cleaned = ArgumentRepair.addingNamedCategory(cleaned, schema: tool.inputSchema, question: question)
            // A value changed, not a key: the conversation must still show the call as it ran ("summarize entity=invoices
            // returned: Vouchers by month …" otherwise). The kind of records the question names; no tax grouping unasked;
            // the state it names.
            let named = ArgumentRepair.agreeingStatus(
                ArgumentRepair.replacingUnaskedTaxGrouping(
                    ArgumentRepair.choosingNamedRecords(cleaned, schema: tool.inputSchema, question: question), schema: tool.inputSchema,
                    question: question), schema: tool.inputSchema, question: question)
            choiceReplaced = named != cleaned
            cleaned = named
            cleaned = ArgumentRepair.inheritingSubject(cleaned, earlier: earlier, question: question)
            // "Last month", "dieses Quartal": the offline model leaves the dates out and answers with the totals of all dates.
            // "Due this week": the same for due dates, where the tool takes them.
            if let period, period.fits(tool.inputSchema) {
                let filled = period.filling(cleaned)
                if filled != cleaned {
                    cleaned = filled
                    note = period.note
                }
            }
        } else {
            if let refusal = ChangeTalk.mismatch(tool: tool.name, questions: questions, writes: writes) {
                return RepairedCall(plan: .reject(refusal, arguments: cleaned), arguments: cleaned)
            }
            let madeUp = MadeUpValues.keys(in: cleaned, tool: tool, said: said)
            if let key = madeUp.first(where: ArgumentRepair.requiredKeys(tool.inputSchema).contains), let value = cleaned[key] {
                // Every time, not once like schema corrections: a made-up value must never be written.
                let refusal = MadeUpValues.refusal(tool: tool.name, key: key, value: value)
                return RepairedCall(plan: .reject(refusal, arguments: cleaned), arguments: cleaned, asksUser: true)
            }
            if !madeUp.isEmpty {
                note = MadeUpValues.note(leftOut: cleaned.filter { madeUp.contains($0.key) })
                cleaned = cleaned.filter { !madeUp.contains($0.key) }
            }
        }
        if let problem = ArgumentRepair.violation(cleaned, schema: tool.inputSchema), corrected.insert(tool.name).inserted {
            let message = "Invalid arguments for \(tool.name): \(problem) Call \(tool.name) again with corrected arguments."
            return RepairedCall(plan: .reject(message, arguments: cleaned), arguments: cleaned)
        }
        return RepairedCall(
            plan: .run(tool, cleaned), arguments: cleaned, note: note,
            showsCallAsRun: note != nil || choiceReplaced || Set(cleaned.keys) != Set(arguments.keys))
    }

    /// Runs one planned call. `note` is added to a successful result (what the agent left out of the arguments);
    /// `userNote` too, but not to what the model reads (the conversation shows the call as it ran, and told in the
    /// result that another read ran instead, the offline model answered about that one: "Wir müssen noch bezahlen:
    /// RE-123456, RE-789012." after no open vouchers and a note naming `list_invoices`).
    func execute(_ call: ToolCall, _ plan: CallPlan, round: Int, note: String? = nil, userNote: String? = nil) async -> ExecutedToolCall {
        let started = ContinuousClock.now
        func finished(_ outcome: ToolOutcome, arguments: [String: Value]?, approval: ExecutedToolCall.Approval, userNote: String? = nil) -> ExecutedToolCall {
            var shown = outcome
            if let userNote { shown.text += "\n" + userNote }
            return ExecutedToolCall(
                id: call.id, name: call.name, rawArguments: call.arguments, arguments: arguments, outcome: shown,
                modelText: ModelView.bound(outcome.text, budgetTokens: settings.resultBudgetTokens),
                duration: ContinuousClock.now - started, round: round, approval: approval)
        }
        switch plan {
        case .reject(let message, let arguments):
            return finished(ToolOutcome(text: message, isError: true), arguments: arguments, approval: .notNeeded)
        case .repeated(let message, let arguments):
            return finished(ToolOutcome(text: message, isError: true), arguments: arguments, approval: .notNeeded)
        case .run(let tool, let arguments):
            var approvalState = ExecutedToolCall.Approval.notNeeded
            if !tool.readOnly {
                guard await approval.approve(call, tool: tool, arguments: arguments) else {
                    let message = "The user declined to run \(tool.name); nothing was changed. Tell the user, and do not retry it."
                    return finished(ToolOutcome(text: message, isError: true), arguments: arguments, approval: .refused)
                }
                approvalState = .approved
            }
            do {
                var outcome = try await tools.call(tool.name, arguments: arguments)
                if let note, !outcome.isError { outcome.text += "\n" + note }
                return finished(outcome, arguments: arguments, approval: approvalState, userNote: userNote)
            } catch {
                let message = "\(tool.name) failed: \(error). The server may be down; tell the user."
                return finished(ToolOutcome(text: message, isError: true), arguments: arguments, approval: approvalState)
            }
        }
    }

    /// Text a small model may turn into a tool call is held back until it is clear it is not one: text starting with
    /// a fence, a brace or a tag waits for the end of the answer; anything else streams at once.
    struct TextHoldBack {
        private var held: String?

        init(enabled: Bool) { held = enabled ? "" : nil }

        /// What to show now for this delta, if anything.
        mutating func add(_ text: String) -> String? {
            guard var pending = held else { return text }
            pending += text
            let start = pending.drop { $0.isWhitespace }
            if start.isEmpty || start.hasPrefix("`") || start.hasPrefix("{") || start.hasPrefix("<") {
                held = pending
                return nil
            }
            held = nil
            return pending
        }

        /// The answer turned out different (a call taken out, or a replacement): show this instead of what is held.
        /// Text already shown stays as it was.
        mutating func replace(with text: String) {
            if held != nil { held = text }
        }

        /// What is still held, at the end of the answer.
        mutating func finish() -> String? {
            defer { held = nil }
            return held.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// Streamed after an answer made up without a call (document numbers or amounts from nowhere), before the model is
    /// asked to look the data up.
    static func notLookedUp(german: Bool) -> String {
        german ? "(Das stammt nicht aus den Daten. Ich sehe nach.)" : "(That was not looked up. Looking it up now.)"
    }

    /// Whether a question asks about the company's own books: it speaks of us ("we", "our", "wir", "unsere", …) and of
    /// records, their state or the books (`ArgumentRepair.recordWords`, `stateWords`, `bookWords`). Such a question
    /// answered without any call was answered from memory: asked "Haben wir Schulden?", the offline model said "Ja, wir
    /// haben Schulden." and called nothing. Small talk and questions about something else name neither.
    static func asksAboutOwnBooks(_ question: String) -> Bool {
        let words = ArgumentRepair.wordList(question)
        guard words.contains(where: ownWords.contains) else { return false }
        let stems = ArgumentRepair.recordWords.values.flatMap { $0 } + ArgumentRepair.stateWords + bookWords
        return words.contains { ArgumentRepair.begins($0, with: stems) }
    }

    /// A question about the company's own books (`asksAboutOwnBooks`) answered without a call, neither asking the user
    /// back nor about a change (whose own checks come first).
    static func answeredFromMemory(_ question: String, answer: String) -> Bool {
        asksAboutOwnBooks(question) && !asksBack(answer) && !ChangeTalk.asksForChange([question])
    }

    /// Beginnings of words for the books as a whole, beyond records and states (which know debts and owing).
    static let bookWords = ["bilanz", "balance", "konto", "account", "finanz", "financ"]

    /// Words by which a question speaks of the company, as `MadeUpValues.words` writes them.
    static let ownWords: Set<String> = ["we", "our", "ours", "us", "wir", "uns", "unser", "unsere", "unserer", "unseren", "unserem", "unseres"]

    /// Whether an answer asks the user something back (a detail it needs): then no call was right.
    static func asksBack(_ text: String) -> Bool {
        text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("?")
    }

    /// What the model is told after answering from memory with made-up numbers. Why: asked "Wer schuldet uns Geld?",
    /// the offline model called no tool and listed "RE-1042: 1.234,56 €" and three more (the tool descriptions'
    /// examples) in every try; replayed with this request after the question, it called receivables_aging. Told the
    /// same in German, it wrote that it must first call a tool, and called none.
    static let lookUpNudge = ChatMessage.user("Do not answer from memory: first call the tool that gives this data.")

    /// Streamed after a claimed change the model did not make, before it is asked to make it.
    static func notChangedYet(german: Bool) -> String {
        german ? "(Noch wurde nichts geändert.)" : "(Nothing has been changed yet.)"
    }

    /// What the model is told after announcing a change it did not make (`ChangeTalk.announces`), naming the tools that
    /// change data: told "Yes, do it now: call the tool.", the offline model answered "I have added a new supplier
    /// named Papier Paradies KG." without a call; told to call create_contact, it did.
    static func actNudge(german: Bool, writes: Set<String>) -> ChatMessage {
        let tools = writes.sorted().joined(separator: " or ")
        return .user("Yes, do it now: call \(tools). Then tell me in one\(german ? " German" : "") sentence what happened.")
    }

    /// The names of the tools that change data.
    static func writeTools(_ tools: [AgentTool]) -> Set<String> {
        Set(tools.filter { !$0.readOnly }.map(\.name))
    }

    /// The arguments of each tool's last successful call for the last question of `history` (the one before the
    /// question being asked).
    static func succeededCalls(ofLastQuestionIn history: [ChatMessage]) -> [String: [String: Value]] {
        guard let last = history.lastIndex(where: { $0.role == .user }) else { return [:] }
        let failed = Set(history[last...].filter { $0.role == .tool && $0.isError }.compactMap(\.toolCallID))
        var calls: [String: [String: Value]] = [:]
        for message in history[last...] where message.role == .assistant {
            for call in message.toolCalls where !failed.contains(call.id) {
                if let arguments = call.decodedArguments { calls[call.name] = arguments }
            }
        }
        return calls
    }

    /// What a small model is told when it must answer from the results (not kept in the history): without it, it
    /// still tends to write another call. In the user's language, and it names what to say, since small models
    /// otherwise copy a whole list the user already sees as a table, or talk of numbers only. Every word costs ~12 ms
    /// on two cores; each clause earned its place in the compare suite: the 18-token "Answer now in one or two
    /// sentences; name the numbers (e.g. RE-…), don't copy the list." lost scenarios this one passes; "(e.g. RE-…)"
    /// had the model put RE- before voucher and customer numbers; "give names and numbers" had it copy every list;
    /// after a change, without the change's own nudge, it named the new contact's number but not its name; "name the
    /// numbers as written there, but do not copy the list" alone had it give account balances without the accounts.
    /// "Do not call tools" is said only when tools are listed (an answer slot's prompt has none).
    /// A German question gets the same English request, asking for German sentences. Written in German, the request
    /// had the offline model copy lists far more often: replayed on recorded results, 12 German questions got 2,073
    /// tokens written against 1,023 ("Zeig mir die letzten 5 Rechnungen": the whole list, 197 tokens, against the
    /// five numbers, 44; "Gibt es die Rechnung RE-9999?": "Ja" against "Es gibt keine"), and every answer was still
    /// German. "… Answer in German." at the end instead did not stop the copying (1,912 tokens).
    ///
    /// When the results name no document numbers (`UnverifiedReferences`: transactions, balances, summaries),
    /// "name the numbers" had the model make some up from what was there ("RE-20261120" from a payment of
    /// 2026-11-20); asked for names, dates and amounts instead, it gave those. Compare suite, both toolsets, same
    /// morning: 25 of 39 runs passed against 24, made-up numbers in 2 against 4 (unmatched payments now right);
    /// the price is longer answers where the results are lists (3.6k tokens written against 2.6k) and one detail
    /// question (a contact's number) answered with the whole contact. Only what the results hold is asked for
    /// (`dated`: a `YYYY-MM` in them, `priced`: an amount with its currency): asked for "names, dates and amounts"
    /// about a list of contacts that has neither, the model found Hotel Rheinblick's number and added "The last
    /// invoice was for 1.234,56 € on 2026-11-25" in every compare run; asked for "the names", it wrote the number
    /// alone (16 tokens instead of 44); asked for "names and dates", it still made up the date.
    /// A document with its items (`itemized`: lines "  1. Webentwicklung: …", the built-in server's detail view) gets
    /// "name the numbers and the gross total, and the items as written there, in their language": asked "What is on
    /// invoice RE-1060?", the model wrote "web development and UX/UI design" for the lines "Webentwicklung" and
    /// "UX/UI-Design" in every compare run (a rule in the system prompt to keep them as written changed nothing).
    /// Replayed, with an empty and with a warm answer slot: "name the numbers and items as written there, in their
    /// language" kept the names but left out the total (net and VAT only); "…, with the total" and "the numbers,
    /// items and totals" translated again or copied every line with its arithmetic; this one gave "a gross total of
    /// 6.188,00 €" and the two lines as written (105 tokens, against 98 before).
    ///
    /// Asked about its state (`statusAsked`: a word of `ArgumentRepair.stateWords` in the question), such a document
    /// gets "give the number, its status as written there and the gross total" instead: "Did we get paid for
    /// RE-1090?" (open, overdue, no payments) was answered "Yes, we got paid for RE-1090." and every line copied, with
    /// the items request and with "say the status" added to it; replayed with this one, "RE-1090 is open and OVERDUE
    /// since 2026-11-09. The gross total is 5.499,08 €." (41 tokens against 221). Saying "yes-or-no question" in the
    /// request brought the false "Yes" back.
    ///
    /// When every call of the question failed (`failed`), there is nothing to answer from: asked for "the numbers as
    /// written there", the offline model made up three invoices ("RE-1234567890123456: 1234567890123456 €") after
    /// its one call had failed twice.
    ///
    /// A result of more than five rows (`LongList`, read by `longList`) gets a request for what to name instead of the
    /// rows: with "name the numbers as written there", the offline model copied such lists whole, dates, names and
    /// amounts, in about half the tries — whether it did changed with what the server had cached.
    /// - Documents: "say how many there are and name only their numbers". Replayed answer rounds for "which invoices
    ///   are overdue?", "Show me all invoices for Autohaus Becker" and their German forms, each with an empty and with
    ///   a warm answer slot: 4 of 8 copies (304–438 tokens, 29–63 s) against none (60–69 tokens, ~6 s warm), the same
    ///   invoice numbers named.
    /// - More than ten documents, all of them ("All 20 open invoices"): "say how many there are and name the first
    ///   five numbers". Asked for all their numbers, "Which invoices have not been paid yet?" (16 open invoices, and
    ///   replayed with 20) got a made-up run "RE-1101, RE-1102, …", "There are 15 invoices" and 123 tokens; asked for
    ///   the first five (with the count read as "There are 20 …", `AnswerView.compact`), the right five and 20 (55).
    /// - A page of more documents: "say how many there are in all (the number after "of") and name the first five
    ///   numbers". Asked for "how many there are", "Show me the paid invoices" (1–25 of 93) got "There are 25 paid
    ///   invoices" and all 25 numbers (180 tokens); now "There are 93 paid invoices in total. The first five numbers
    ///   are RE-1104, …" (52). Without "(the number after "of")" it still said 25.
    /// - Groups with a total (summarize): "give the total and the three largest". "Revenue per month this year" wrote
    ///   512 tokens (the cap: every month, net, VAT and gross) against 69 ("… 388.936,79 €. The three largest months
    ///   are April (82.658,95 €), November …", read from the result's "Largest months" line — asked for the largest
    ///   of a list that does not say which they are, the model named the wrong ones), "which suppliers did we spend
    ///   the most with?" (largest first) 422 against 86. Groups that do not say (money in and out by month) keep the
    ///   other request. "…the three largest groups with their names and gross amounts…": asked "Who is our biggest
    ///   customer?" (invoices by contact, largest first, five amounts a row), the model called the groups "the three
    ///   largest invoices" and made up an invoice number to the token limit; asked for "the three largest (the first
    ///   three rows)", it copied the three rows whole (245 tokens); asked this, it named the three customers with
    ///   their counts and gross amounts (131).
    /// - Totals next to overdue documents (receivables_aging): "give the totals, who owes the most and how much, and
    ///   the three most overdue invoices".
    ///   "Who owes us money, and how overdue is it?" wrote 300 tokens (every invoice number and name, no amounts)
    ///   against 137 (the total and the three oldest with names, amounts and days). Asked for "how many and their
    ///   numbers", the answer left out the totals. "Who owes the most and how much" since the result names its
    ///   customers who owe the most: asked "Which customer owes us the most?", the model otherwise answered with the
    ///   oldest invoices only; asked for "who owes the most" without "how much", the German answer gave Müller GmbH the
    ///   overdue total (28.021,83 €) instead of its 20.984,69 € (replayed; the same with the line worded otherwise).
    /// Lists of five or fewer rows keep the other request, which names their numbers without copying them (so "the
    /// last 5 invoices" reads the same tokens as before).
    static func answerNudge(
        german: Bool, afterWrite: Bool, numbered: Bool = true, dated: Bool = true, priced: Bool = true, itemized: Bool = false,
        statusAsked: Bool = false, list: LongList? = nil, askFor: String? = nil, cannot: String? = nil, failed: Bool = false,
        toolsListed: Bool = true
    ) -> ChatMessage {
        let text: String
        let details = UnverifiedReferences.spokenList(["names"] + (dated ? ["dates"] : []) + (priced ? ["amounts"] : []))
        let items = itemized && !statusAsked
        let what = switch (numbered, items, itemized) {
        case (true, true, _): "name the numbers and the gross total, and the items"
        case (true, false, true): "give the number, its status as written there and the gross total"
        case (true, false, false): "name the numbers"
        case (false, _, _): "give the \(details)"
        }
        let asWritten = items ? " as written there, in their language" : itemized ? "" : " as written there"
        if let askFor {
            // A write refused for a made-up value (`MadeUpValues`): the answer is a question to the user.
            text = "Ask me for the \(askFor) in one short\(german ? " German" : "") question."
        } else if let cannot {
            // A write refused for changing something else, which no tool can (`ChangeTalk.mismatch`). Replayed, for
            // "Delete the contact Müller GmbH" and "Lösche den Kunden Müller GmbH": "I cannot delete a contact here, and
            // nothing was changed." and "Ich kann hier keine Kunden löschen, und nichts wurde verändert."; asked for
            // "what happened", "from the tool result" or "that you cannot do that", it answered of "the user", said
            // "You cannot delete …", said the customer was deleted, or answered a German question in English.
            text = "Answer my question now in one\(german ? " German" : "") sentence: I cannot \(cannot) here, and nothing was changed."
        } else if failed && !afterWrite {
            text = "The tool calls above failed: tell me in one or two\(german ? " German" : "") sentences that you could not get the data "
                + "and why, without making up any numbers."
        } else {
            let seen = ", I already see the details as a table."
            let request = switch list {
            case .documents: "say how many there are and name only their numbers" + seen
            case .page: "say how many there are in all (the number after \"of\") and name the first five numbers" + seen
            case .manyDocuments: "say how many there are and name the first five numbers" + seen
            case .groups: "give the total and the three largest groups with their names and gross amounts as written there" + seen
            case .receivables: "give the totals, who owes the most and how much, and the three most overdue invoices as written there" + seen
            case .leftToPay: "say what is left to pay, with the amounts as written there."
            case nil: "\(what)\(asWritten), but do not copy the list, I already see it as a table."
            }
            switch (german, afterWrite) {
            case (false, false):
                text = "Answer my question now from the tool results above in one or two sentences: " + request
            case (true, false):
                text = "Answer my question now in one or two German sentences from the tool results above: " + request
            case (false, true):
                text = "Tell me now in one or two sentences what happened, with the names and numbers the tool result gives."
            case (true, true):
                text = "Tell me now in one or two German sentences what happened, with the names and numbers the tool result gives."
            }
        }
        guard toolsListed else { return .user(text) }
        return .user(text + " Do not call tools.")
    }

    /// The request to answer from `results` (a question's tool results, in the order of its calls): what they hold
    /// picks the request (document numbers, a long list, a value to ask the user for, nothing but failures). Both
    /// answer paths — in the tool-round slot and in the answer slot's `AnswerView` — ask through here.
    static func answerNudge(
        german: Bool, afterWrite: Bool, after results: [(text: String, isError: Bool)], question: String = "", toolsListed: Bool = true
    ) -> ChatMessage {
        answerNudge(
            german: german, afterWrite: afterWrite, numbered: results.contains { aboutDocuments($0.text) },
            dated: results.contains { $0.text.range(of: #"\b\d{4}-\d{2}\b"#, options: .regularExpression) != nil },
            priced: results.contains { UnverifiedReferences.namesAmounts($0.text) },
            itemized: results.contains { $0.text.range(of: #"(?m)^  \d+\. "#, options: .regularExpression) != nil },
            statusAsked: ArgumentRepair.speaksOfState([question]),
            list: results.lazy.compactMap { longList($0.text) }.first,
            askFor: results.lazy.compactMap { MadeUpValues.askedFor(in: $0.text) }.first,
            cannot: results.lazy.compactMap { $0.isError ? ChangeTalk.cannot(in: $0.text) : nil }.first,
            failed: !results.isEmpty && results.allSatisfy(\.isError), toolsListed: toolsListed)
    }

    /// Whether a result's numbers are what to name: a document (no "• " rows, a number anywhere), or rows of which
    /// some begin with a document number or every one names one. Why not any number anywhere: "Show me the last 5
    /// bank transactions" had two purposes naming invoices ("RE-1112 Praxis Dr. Wagner Teilzahlung"); asked to name
    /// the numbers, the offline model gave those two and made up three more (RE-1103, RE-1102, RE-1101) for the others.
    static func aboutDocuments(_ text: String) -> Bool {
        let rows = bulletRows(text)
        guard !rows.isEmpty else { return UnverifiedReferences.namesDocuments(text) }
        return rows.contains(where: beginsWithDocument) || rows.allSatisfy { UnverifiedReferences.namesDocuments(String($0)) }
    }

    /// The built-in server's list rows: the lines with the "• " bullet.
    static func bulletRows(_ text: String) -> [Substring] { text.split(separator: "\n").filter { $0.hasPrefix("• ") } }

    /// Whether a bullet row begins with a document number ("• RE-1101 · …").
    static func beginsWithDocument(_ row: Substring) -> Bool {
        UnverifiedReferences.namesDocuments(String(row.dropFirst(2).prefix { $0 != " " }))
    }

    /// What a result holds that asks for an answer of its own: a list of more than five rows, which the answer names a
    /// few of instead of copying them all, or what is left to pay.
    enum LongList: Equatable {
        /// Documents and nothing else ("• RE-1101 · …"): how many, and their numbers.
        case documents
        /// More than ten documents, all of them ("All 20 open invoices"): how many, and the first five numbers.
        case manyDocuments
        /// A page of more documents ("Showing 1–25 of 93 …"): how many in all, and the first five numbers.
        case page
        /// Groups added up, closed by a "• Total:" row, that say which are largest (summarize): the total and the
        /// three largest.
        case groups
        /// Totals next to a list of documents overdue or coming due (receivables_aging): the totals, who owes the
        /// most, and the three most overdue.
        case receivables
        /// A summary that says what is left to pay ("Left to pay: …", "Nothing is left to pay."): what is left. Asked
        /// "Haben wir Schulden?" for the names and amounts, the offline model answered "Ja, wir haben Schulden." with
        /// nothing left to pay, in every replayed wording of that line (and with "Wir haben keine Schulden" in it, copied
        /// that); asked to say what is left to pay, "Es gibt noch keine Schulden." and, with two bills unpaid, "Es fehlen
        /// noch 2.521,93 € auf 2 Rechnungen."
        case leftToPay
    }

    /// The kind of a long result, from the built-in server's list conventions: its rows are the lines with the "• "
    /// bullet; a document row begins with a document number. A result of five rows or fewer, or another server's
    /// result without the bullets, is none, unless it says what is left to pay.
    static func longList(_ text: String) -> LongList? {
        if text.contains("\nLeft to pay: ") || text.contains("\nNothing is left to pay.") { return .leftToPay }
        let rows = bulletRows(text)
        let documents = rows.filter(beginsWithDocument).count
        if documents == rows.count {
            guard rows.count > 5 else { return nil }
            if text.range(of: #"Showing \d+–\d+ of \d+"#, options: .regularExpression) != nil { return .page }
            return rows.count > 10 ? .manyDocuments : .documents
        }
        if rows.last?.hasPrefix("• Total:") == true {
            // Only where the result says which groups are largest: otherwise the model names the first it read.
            return rows.count - 1 > 5 && text.range(of: "largest", options: .caseInsensitive) != nil ? .groups : nil
        }
        if documents > 5 && text.contains("overdue") { return .receivables }
        return nil
    }

    /// A rough guess whether a question is German, so that the nudge asks for the answer in German. English is the
    /// fallback. Words are counted for either language (words both share, "in", "was", "an", count for neither), and
    /// an umlaut or ß counts only in a word written in lower case: a capitalised one may be a name ("create a contact
    /// named Müller GmbH" is English), and German nouns are found by the list instead. Why the lists are long: "Gibt es
    /// unbezahlte Rechnungen von Schneider?" named one word of the first list (eleven words, umlauts deciding the
    /// rest) and was answered in English; "Show me the invoices of Müller GmbH" was asked to be answered in German.
    static func looksGerman(_ text: String) -> Bool {
        var german = 0, english = 0
        for word in text.split(whereSeparator: { !$0.isLetter }) {
            let lower = word.lowercased()
            if germanWords.contains(lower) || (word == lower && lower.contains(where: { "äöüß".contains($0) })) {
                german += 1
            } else if englishWords.contains(lower) {
                english += 1
            }
        }
        return german > english
    }

    static let germanWords: Set<String> = [
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "und", "oder", "ist", "sind",
        "war", "waren", "wurde", "wurden", "werden", "haben", "habe", "hast", "hatten", "hatte", "gibt", "es", "ich", "du",
        "wir", "sie", "mir", "mich", "uns", "unser", "unsere", "unseren", "unserer", "unseres", "von", "mit", "im", "auf",
        "aus", "bei", "nach", "noch", "nicht", "kein", "keine", "schon", "auch", "alle", "zeig", "zeige", "welche",
        "welcher", "welches", "wie", "viel", "viele", "wer", "wen", "wem", "wo", "wann", "warum", "bitte", "danke",
        "hallo", "guten", "lege", "erstelle", "anlegen", "angelegt", "rechnung", "rechnungen", "letzten", "letzte",
        "offen", "offene", "offenen", "bezahlt", "bezahlte", "unbezahlt", "unbezahlte", "unbezahlten", "kunde", "kunden",
        "kontakt", "kontakte", "lieferant", "lieferanten", "umsatz", "kosten", "beleg", "belege", "zahlung", "zahlungen",
        "konto", "konten", "monat", "jahr", "heute", "gestern", "summe", "betrag", "neuen", "neue", "neuer", "alles",
        "forderungen", "ausgaben", "einnahmen",
    ]

    static let englishWords: Set<String> = [
        "the", "a", "of", "for", "to", "from", "by", "with", "and", "or", "not", "any", "all", "there", "it", "this", "that",
        "is", "are", "was", "were", "did", "do", "does", "have", "has", "had", "we", "our", "us", "me", "my", "you", "your",
        "what", "which", "who", "how", "many", "much", "show", "list", "give", "get", "got", "please", "thanks", "thank",
        "hello", "hi", "invoice", "invoices", "last", "paid", "unpaid", "open", "overdue", "customer", "customers",
        "contact", "contacts", "supplier", "suppliers", "create", "add", "new", "named", "called", "month", "year",
        "today", "total", "biggest", "largest", "most",
    ]

    /// A stable text form of a JSON value (sorted keys, 5 and 5.0 alike), to recognise identical calls.
    public static func canonical(_ value: Value) -> String {
        switch value {
        case .object(let object): return "{" + object.keys.sorted().map { "\($0):\(canonical(object[$0]!))" }.joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map(canonical).joined(separator: ",") + "]"
        case .string(let text): return "\"\(text)\""
        case .int(let number): return String(number)
        case .double(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): return String(flag)
        case .null: return "null"
        case .data(_, let data): return data.base64EncodedString()
        }
    }
}
