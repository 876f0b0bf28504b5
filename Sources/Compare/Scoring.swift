import Foundation
import Agent
import Ledger
import MCP

/// Why a run failed, or where its tool calls first went astray. The trajectory codes come first in the order the
/// model made the calls; the others say which check failed when the calls were fine.
public enum FailureCode: String, Codable, Sendable, CaseIterable {
    case wrongTool = "wrong_tool"
    case missingArgument = "missing_argument"
    case wrongValue = "wrong_value"
    case extraCall = "extra_call"
    case hallucinatedTool = "hallucinated_tool"
    case schemaInvalidCall = "schema_invalid_call"
    case unexpectedWrite = "unexpected_write"
    case forbiddenCall = "forbidden_call"
    case missingCall = "missing_call"
    case wrongOrder = "wrong_order"
    case wrongAnswer = "wrong_answer"
    /// The answer names a document number (RE-…, BE-…) that no tool result or question showed: made up.
    case inventedReference = "invented_reference"
    /// The answer says data was changed ("I have added …") but no tool that changes data succeeded.
    case claimedChange = "claimed_change"
    case ledgerMismatch = "ledger_mismatch"
    case timeout
    case noAnswer = "no_answer"
    case modelError = "model_error"
}

/// The verdict on one run, with the diagnostics.
public struct RunScore: Codable, Sendable, Equatable {
    public var scenario: String
    public var model: String
    public var toolset: String
    public var repetition: Int
    public var passed: Bool
    /// "ok", or the check that failed in words.
    public var reason: String
    /// Set when the run failed: the first trajectory deviation, else the failed check.
    public var failure: FailureCode?
    /// The first trajectory deviation, also for runs that passed (where it did not gate).
    public var deviation: FailureCode?
    public var deviationDetail: String?
    public var toolPrecision: Double
    public var toolRecall: Double
    public var toolF1: Double
    /// Share of argument matchers met by the calls that matched an expected tool; nil when nothing was checked.
    public var argumentAccuracy: Double?
    public var rounds: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var latencyMs: Int
    public var cost: Double?
    /// Document numbers the final answer names that no tool returned (made up), whatever else decided the verdict.
    public var inventedReferences: [String] = []
}

/// Scores recorded runs against their scenarios. Pure: the same record always gets the same score.
public enum Scorer {
    public static func score(_ record: RunRecord, scenario: Scenario) -> RunScore {
        let trajectory = analyse(record, scenario: scenario)
        let invented = UnverifiedReferences.find(in: record.finalAnswer, conversation: record.messages)
        let score = RunScore(
            scenario: record.scenario, model: record.model, toolset: record.toolset, repetition: record.repetition, passed: true,
            reason: "ok", failure: nil, deviation: trajectory.deviation?.code, deviationDetail: trajectory.deviation?.detail,
            toolPrecision: trajectory.precision, toolRecall: trajectory.recall, toolF1: trajectory.f1,
            argumentAccuracy: trajectory.argumentAccuracy, rounds: record.rounds, inputTokens: record.usage.inputTokens,
            outputTokens: record.usage.outputTokens, latencyMs: record.latencyMs, cost: record.cost, inventedReferences: invented)

        func fail(_ check: FailureCode, _ reason: String) -> RunScore {
            var failed = score
            failed.passed = false
            failed.reason = reason
            // A broken run is that, whatever its calls did; otherwise the calls going astray explain the failed check.
            let runBroken: Set<FailureCode> = [.timeout, .noAnswer, .modelError]
            failed.failure = runBroken.contains(check) ? check : (trajectory.deviation?.code ?? check)
            // The code names where the calls went astray; say that too when a later check is what failed.
            if failed.failure != check, let detail = trajectory.deviation?.detail { failed.reason += " (\(detail))" }
            return failed
        }

        switch record.outcome {
        case .timeout(let seconds): return fail(.timeout, "no answer within \(Int(seconds.rounded())) s")
        case .noAnswer(let message): return fail(.noAnswer, message)
        case .error(let message): return fail(.modelError, message)
        case .answered: break
        }
        if let forbidden = trajectory.forbidden { return fail(.forbiddenCall, forbidden) }
        // A made-up number is the graver fault and the more telling diagnosis, so it is named even when the answer
        // also misses what the checks want.
        if !invented.isEmpty {
            return fail(.inventedReference, "the answer names \(invented.joined(separator: ", ")), which no tool returned")
        }
        // Likewise a change reported as made that was not: the person reading it would rely on it.
        let writes = Set(record.tools.filter { !$0.readOnly }.map(\.name))
        if let claim = ChangeTalk.unmade(in: record.finalAnswer, conversation: record.messages, writes: writes) {
            return fail(.claimedChange, "the answer says \"\(claim)\", but no tool that changes data succeeded")
        }
        if let problem = answerProblem(record.finalAnswer, checks: scenario.answer) {
            return fail(.wrongAnswer, problem + (record.finalAnswerCutOff ? " (it stops at the model's token limit)" : ""))
        }
        if let problem = ledgerProblem(before: record.ledgerBefore, after: record.ledgerAfter, expected: scenario.ledgerChanges) {
            return fail(.ledgerMismatch, problem)
        }
        if scenario.strict, let deviation = trajectory.deviation { return fail(deviation.code, "strict: \(deviation.detail)") }
        return score
    }

    // MARK: Answer and ledger

    /// The first answer check that fails, in words; nil when all hold. Matching ignores case.
    public static func answerProblem(_ answer: String, checks: AnswerChecks) -> String? {
        let text = answer.lowercased()
        if answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, !checks.isEmpty { return "the answer is empty" }
        for needle in checks.containsAll where !text.contains(needle.lowercased()) { return "the answer lacks \"\(needle)\"" }
        if !checks.containsAny.isEmpty, !checks.containsAny.contains(where: { text.contains($0.lowercased()) }) {
            return "the answer has none of " + checks.containsAny.map { "\"\($0)\"" }.joined(separator: ", ")
        }
        for needle in checks.notContains where text.contains(needle.lowercased()) { return "the answer says \"\(needle)\"" }
        for pattern in checks.regex {
            guard let expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { continue }
            if expression.firstMatch(in: answer, range: NSRange(answer.startIndex..., in: answer)) == nil {
                return "the answer does not match /\(pattern)/"
            }
        }
        return nil
    }

    /// The first table whose change differs from what the scenario expects; tables not named must be untouched.
    public static func ledgerProblem(before: [String: TableState], after: [String: TableState], expected: [String: Int]) -> String? {
        for name in before.keys.sorted() {
            guard let old = before[name] else { continue }
            let new = after[name] ?? TableState(rows: 0, checksum: "")
            let change = new.rows - old.rows
            if let wanted = expected[name] {
                if change != wanted { return "\(name) changed by \(signed(change)) rows, expected \(signed(wanted))" }
                if wanted == 0, new.checksum != old.checksum { return "\(name) was modified, expected unchanged" }
            } else if new != old {
                return change != 0 ? "\(name) changed by \(signed(change)) rows, expected unchanged" : "\(name) was modified, expected unchanged"
            }
        }
        return nil
    }

    static func signed(_ number: Int) -> String { number > 0 ? "+\(number)" : "\(number)" }

    // MARK: Trajectory

    struct Deviation {
        var code: FailureCode
        var detail: String
    }

    struct TrajectoryAnalysis {
        var deviation: Deviation?
        /// A call to a forbidden tool, in words (gates every scenario).
        var forbidden: String?
        var precision: Double
        var recall: Double
        var f1: Double
        var argumentAccuracy: Double?
    }

    static func analyse(_ record: RunRecord, scenario: Scenario) -> TrajectoryAnalysis {
        let expectedAll = scenario.calls[record.toolset] ?? []
        let tools = Dictionary(record.tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var deviations: [(position: Int, deviation: Deviation)] = []
        var forbidden: String?
        var matchedByName = 0
        var matchersMet = 0
        var matchersChecked = 0
        var position = 0

        for turn in 1...max(1, record.turns.count) {
            var unmatched = expectedAll.enumerated().filter { $0.element.turn == turn }
            let actual = record.toolCalls.filter { $0.turn == turn }
            var strays: [(position: Int, call: CallRecord)] = []
            var matchedOrder: [Int] = []
            for call in actual {
                position += 1
                if scenario.trajectory.forbidden.contains(call.name), forbidden == nil {
                    forbidden = "called \(call.name), which this scenario forbids"
                    deviations.append((position, Deviation(code: .forbiddenCall, detail: forbidden!)))
                }
                guard let tool = tools[call.name] else {
                    deviations.append((position, Deviation(code: .hallucinatedTool, detail: "called \(call.name), which does not exist")))
                    continue
                }
                if let problem = schemaProblem(call, tool: tool) {
                    deviations.append((position, Deviation(code: .schemaInvalidCall, detail: "\(call.name): \(problem)")))
                }
                // Of the expected calls to this tool, the one its arguments fit best.
                let candidates = unmatched.filter { $0.element.tool == call.name }
                guard let best = candidates.max(by: { metCount($0.element, call) < metCount($1.element, call) }) else {
                    if !tool.readOnly {
                        deviations.append((position, Deviation(code: .unexpectedWrite, detail: "\(call.name) changes data and was not expected")))
                    } else {
                        strays.append((position, call))
                    }
                    continue
                }
                unmatched.removeAll { $0.offset == best.offset }
                matchedOrder.append(best.offset)
                matchedByName += 1
                for argument in best.element.arguments where argument.matcher != .ignore {
                    let (name, matcher) = (argument.name, argument.matcher)
                    matchersChecked += 1
                    let value = call.arguments?[name]
                    if matcher.matches(value) {
                        matchersMet += 1
                    } else if value == nil || value == .null {
                        deviations.append((position, Deviation(code: .missingArgument, detail: "\(call.name) without \(name) (expected \(matcher.summary))")))
                    } else {
                        deviations.append(
                            (position, Deviation(code: .wrongValue, detail: "\(call.name) \(name) = \(ArgumentRepair.show(value!)), expected \(matcher.summary)")))
                    }
                }
            }
            // Calls to other tools: standing in for an expected call that never came, or simply extra.
            if let missing = unmatched.first {
                if let stray = strays.first {
                    deviations.append(
                        (stray.position, Deviation(code: .wrongTool, detail: "called \(stray.call.name) instead of \(missing.element.tool)")))
                    strays.removeFirst()
                } else {
                    deviations.append((position + 1, Deviation(code: .missingCall, detail: "did not call \(missing.element.tool)")))
                }
            }
            let extraAllowed = scenario.trajectory.extra != .forbidden && scenario.trajectory.order != .exact
            if !extraAllowed, let stray = strays.first {
                deviations.append((stray.position, Deviation(code: .extraCall, detail: "called \(stray.call.name), which was not expected")))
            }
            if scenario.trajectory.order != .any, matchedOrder != matchedOrder.sorted() {
                deviations.append((position, Deviation(code: .wrongOrder, detail: "the expected calls came in another order")))
            }
        }

        let actualCount = record.toolCalls.count
        let expectedCount = expectedAll.filter { $0.turn <= max(1, record.turns.count) }.count
        let precision = actualCount == 0 ? (expectedCount == 0 ? 1 : 0) : Double(matchedByName) / Double(actualCount)
        let recall = expectedCount == 0 ? 1 : Double(matchedByName) / Double(expectedCount)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        let first = deviations.enumerated().min { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }?.element.deviation
        return TrajectoryAnalysis(
            deviation: first, forbidden: forbidden, precision: precision, recall: recall, f1: f1,
            argumentAccuracy: matchersChecked == 0 ? nil : Double(matchersMet) / Double(matchersChecked))
    }

    static func metCount(_ expected: ExpectedCall, _ call: CallRecord) -> Int {
        expected.arguments.filter { $0.matcher.matches(call.arguments?[$0.name]) }.count
    }

    /// Whether the call's arguments break its tool's input schema: not a JSON object, a required field missing, a
    /// wrong type, a value outside the allowed choices or bounds.
    static func schemaProblem(_ call: CallRecord, tool: ToolInfo) -> String? {
        guard let arguments = call.arguments else { return "the arguments are not a JSON object: \(call.rawArguments.prefix(80))" }
        return ArgumentRepair.violation(arguments, schema: tool.inputSchema)
    }
}
