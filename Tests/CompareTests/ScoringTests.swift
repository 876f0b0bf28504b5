import Foundation
import LLM
import Ledger
import MCP
import Testing

@testable import Compare

/// A record built by hand: calls as (name, arguments JSON), the answer, optional ledger change.
func record(
    _ calls: [(String, String)], answer: String = "RE-1", turns: Int = 1, contactsAdded: Int = 0, outcome: RunRecord.Outcome = .answered
) -> RunRecord {
    let tools = [
        ToolInfo(
            name: "list_invoices", readOnly: true,
            inputSchema: [
                "type": "object",
                "properties": ["limit": ["type": "integer", "minimum": 1, "maximum": 100], "status": ["type": "string", "enum": ["open", "paid"]]],
            ]),
        ToolInfo(name: "list_contacts", readOnly: true, inputSchema: ["type": "object", "properties": ["search": ["type": "string"]]]),
        ToolInfo(
            name: "create_contact", readOnly: false,
            inputSchema: ["type": "object", "properties": ["name": ["type": "string"]], "required": ["name"]]),
    ]
    let before = ["contacts": TableState(rows: 36, checksum: "a"), "invoices": TableState(rows: 120, checksum: "b")]
    var after = before
    if contactsAdded != 0 { after["contacts"] = TableState(rows: 36 + contactsAdded, checksum: "c") }
    return RunRecord(
        scenario: "s", model: "m", toolset: "full", repetition: 1, sequence: 1, startedAt: "", turns: (1...turns).map { TurnRecord(question: "q\($0)", answer: answer, latencyMs: 1) },
        toolCalls: calls.enumerated().map { index, call in
            CallRecord(
                turn: 1, round: index + 1, name: call.0, rawArguments: call.1,
                arguments: try? JSONDecoder().decode([String: Value].self, from: Data(call.1.utf8)), isError: false, resultText: "",
                structured: nil, approval: "not_needed", durationMs: 1)
        }, tools: tools, usage: Usage(inputTokens: 10, outputTokens: 2), rounds: 2, latencyMs: 5, cost: 0.001, outcome: outcome,
        ledgerBefore: before, ledgerAfter: after, messages: [])
}

func scenario(_ calls: String, strict: Bool = false, trajectory: String = "", extra: String = "") throws -> Scenario {
    try Scenario.parse(
        """
        id = "s"
        turns = ["q"]
        strict = \(strict)
        reference_answers = ["RE-1"]
        \(extra)
        [answer]
        contains_all = ["RE-1"]
        \(trajectory)
        \(calls)
        """, source: "s.toml")
}

let expectLimit5 = """
    [[calls.full]]
    tool = "list_invoices"
    args = { limit = 5, status = { absent = true } }
    """


@Suite("Scoring recorded runs")
struct ScoringTests {
    @Test("a failed answer check says when the answer stopped at the token limit; records without the field read as not cut off")
    func cutOffAnswer() throws {
        var run = record([("list_invoices", #"{"limit":5}"#)], answer: "The invoices are RE-")
        run.turns[0].cutOff = true
        let score = Scorer.score(run, scenario: try scenario(expectLimit5))
        #expect(!score.passed && score.reason == "the answer lacks \"RE-1\" (it stops at the model's token limit)")
        run.turns[0].cutOff = nil
        #expect(Scorer.score(run, scenario: try scenario(expectLimit5)).reason == "the answer lacks \"RE-1\"")
        let old = try JSONDecoder().decode(TurnRecord.self, from: Data(#"{"question": "q", "answer": "a", "latencyMs": 3}"#.utf8))
        #expect(old.cutOff == nil)
    }

    @Test("an answer that names a number no tool returned fails as invented_reference, even when the checks fail too")
    func inventedReference() throws {
        var run = record([("list_invoices", #"{"limit":5}"#)], answer: "RE-12633 and RE-2026-0101")
        run.messages = [.user("q1"), .tool("c", "• RE-2026-0101 · 7.650,39 €")]
        let score = Scorer.score(run, scenario: try scenario(expectLimit5))
        #expect(!score.passed && score.failure == .inventedReference)
        #expect(score.reason == "the answer names RE-12633, which no tool returned")
        #expect(score.inventedReferences == ["RE-12633"])
        let report = CompareReport(scores: [score, Scorer.score(record([]), scenario: try scenario(expectLimit5))], scenarioOrder: ["s"])
        #expect(report.columns.first?.runsWithMadeUpNumbers == 1)
        #expect(report.text().split(separator: "\n").contains { $0.hasPrefix("made-up numbers") && $0.hasSuffix("1/2") })
        #expect(report.markdown().contains("| **made-up numbers** | 1/2 |"))
        run.turns[0].answer = "RE-99999 only"  // lacks "RE-1" as well
        #expect(Scorer.score(run, scenario: try scenario(expectLimit5)).failure == .inventedReference)
        run.turns[0].answer = "RE-1 and RE-2026-0101"
        #expect(Scorer.score(run, scenario: try scenario(expectLimit5)).passed)
    }

    @Test("an answer that reports a change no tool made fails as claimed_change; one that a write made passes")
    func claimedChange() throws {
        var run = record([], answer: "RE-1 is open. I have added Papier Paradies KG.")
        run.messages = [.user("q1")]
        let score = Scorer.score(run, scenario: try scenario(""))
        #expect(!score.passed && score.failure == .claimedChange)
        #expect(score.reason == "the answer says \"I have added Papier Paradies KG.\", but no tool that changes data succeeded")

        let call = ToolCall(id: "w", name: "create_contact", arguments: #"{"name": "Papier Paradies KG"}"#)
        run.messages = [.user("q1"), .assistant("", toolCalls: [call]), .tool("w", "Created contact 1037 Papier Paradies KG.")]
        #expect(Scorer.score(run, scenario: try scenario("")).passed)
    }

    @Test("the first deviation in call order names what went wrong", arguments: [
        ([("list_invoices", #"{"limit":5}"#)], nil as FailureCode?),
        ([("list_contacts", "{}")], .wrongTool),
        ([("list_invoices", "{}")], .missingArgument),
        ([("list_invoices", #"{"limit":6}"#)], .wrongValue),
        ([("list_invoices", #"{"limit":5,"status":"open"}"#)], .wrongValue),
        ([("get_invoice_summary", "{}"), ("list_invoices", #"{"limit":5}"#)], .hallucinatedTool),
        ([("list_invoices", #"{"limit":500}"#)], .schemaInvalidCall),
        ([("list_invoices", #"{"limit":5,"status":"overdue"}"#)], .schemaInvalidCall),
        ([("list_invoices", "limit=5")], .schemaInvalidCall),
        ([("list_invoices", #"{"limit":5}"#), ("create_contact", #"{"name":"X"}"#)], .unexpectedWrite),
        ([], .missingCall),
    ])
    func deviations(calls: [(String, String)], code: FailureCode?) throws {
        let score = Scorer.score(record(calls), scenario: try scenario(expectLimit5))
        #expect(score.deviation == code, "\(score.deviationDetail ?? "")")
        // Not strict: the answer and the ledger decide; only the write changes the ledger here, and it was not recorded.
        #expect(score.passed)
    }

    @Test("strict scenarios fail on any deviation; the reason says what happened")
    func strict() throws {
        let score = Scorer.score(record([("list_contacts", "{}")]), scenario: try scenario(expectLimit5, strict: true))
        #expect(!score.passed && score.failure == .wrongTool)
        #expect(score.reason == "strict: called list_contacts instead of list_invoices")
        #expect(score.toolPrecision == 0 && score.toolRecall == 0 && score.toolF1 == 0)
    }

    @Test("extra calls: read_only allows reads, forbidden allows none; a forbidden tool fails even without strict")
    func extras() throws {
        let calls = [("list_invoices", #"{"limit":5}"#), ("list_contacts", "{}")]
        let allowed = Scorer.score(record(calls), scenario: try scenario(expectLimit5))
        #expect(allowed.deviation == nil && allowed.toolPrecision == 0.5 && allowed.toolRecall == 1)
        let none = Scorer.score(record(calls), scenario: try scenario(expectLimit5, trajectory: "[trajectory]\nextra = \"forbidden\""))
        #expect(none.deviation == .extraCall && none.passed)
        let forbidden = Scorer.score(
            record(calls), scenario: try scenario(expectLimit5, trajectory: "[trajectory]\nforbidden = [\"list_contacts\"]"))
        #expect(!forbidden.passed && forbidden.failure == .forbiddenCall)
        #expect(forbidden.reason == "called list_contacts, which this scenario forbids")
    }

    @Test("in_order wants the expected calls in their order")
    func order() throws {
        let two = """
            [trajectory]
            order = "in_order"
            [[calls.full]]
            tool = "list_contacts"
            [[calls.full]]
            tool = "list_invoices"
            """
        let right = Scorer.score(record([("list_contacts", "{}"), ("list_invoices", "{}")]), scenario: try scenario(two))
        #expect(right.deviation == nil)
        let wrong = Scorer.score(record([("list_invoices", "{}"), ("list_contacts", "{}")]), scenario: try scenario(two))
        #expect(wrong.deviation == .wrongOrder)
    }

    @Test("answer checks: all, any, none, regex; ignoring case")
    func answers() {
        let checks = AnswerChecks(containsAll: ["RE-2026-0101", "Becker"], containsAny: ["paid", "bezahlt"], notContains: ["draft"], regex: [#"7[.,]?650"#])
        #expect(Scorer.answerProblem("re-2026-0101 from BECKER is PAID: 7.650,39 €", checks: checks) == nil)
        #expect(Scorer.answerProblem("RE-2026-0101 paid 7650", checks: checks) == "the answer lacks \"Becker\"")
        #expect(Scorer.answerProblem("RE-2026-0101 Becker open 7650", checks: checks) == "the answer has none of \"paid\", \"bezahlt\"")
        #expect(Scorer.answerProblem("RE-2026-0101 Becker paid draft 7650", checks: checks) == "the answer says \"draft\"")
        #expect(Scorer.answerProblem("RE-2026-0101 Becker paid 7.651", checks: checks) == "the answer does not match /7[.,]?650/")
        #expect(Scorer.answerProblem("  ", checks: checks) == "the answer is empty")
    }

    @Test("the ledger: named tables change by their count, every other table stays exactly as it was")
    func ledger() throws {
        let write = try scenario("", extra: "")
        let added = Scorer.score(record([], contactsAdded: 1), scenario: write)
        #expect(!added.passed && added.failure == .ledgerMismatch && added.reason == "contacts changed by +1 rows, expected unchanged")
        let expected = try Scenario.parse(
            "id = \"s\"\nturns = [\"q\"]\nreference_answers = [\"a\"]\n[answer]\ncontains_all = [\"RE-1\"]\n[ledger]\ncontacts = 1", source: "s.toml")
        #expect(Scorer.score(record([], contactsAdded: 1), scenario: expected).passed)
        let twice = Scorer.score(record([], contactsAdded: 2), scenario: expected)
        #expect(twice.reason == "contacts changed by +2 rows, expected +1")
        let before = ["invoices": TableState(rows: 1, checksum: "x")]
        #expect(Scorer.ledgerProblem(before: before, after: ["invoices": TableState(rows: 1, checksum: "y")], expected: [:]) == "invoices was modified, expected unchanged")
    }

    @Test("a run that timed out or broke fails with that code, whatever its calls were")
    func brokenRuns() throws {
        let timedOut = Scorer.score(record([("list_contacts", "{}")], outcome: .timeout(seconds: 60)), scenario: try scenario(expectLimit5))
        #expect(!timedOut.passed && timedOut.failure == .timeout && timedOut.reason == "no answer within 60 s")
        let broken = Scorer.score(record([], outcome: .error("HTTP 500")), scenario: try scenario(expectLimit5))
        #expect(broken.failure == .modelError && broken.reason == "HTTP 500")
    }

    @Test("totals: pass@1 averages per scenario, pass^k needs every repetition, $ per pass")
    func totals() {
        func score(_ scenario: String, _ repetition: Int, _ passed: Bool) -> RunScore {
            RunScore(
                scenario: scenario, model: "m", toolset: "full", repetition: repetition, passed: passed, reason: passed ? "ok" : "x",
                failure: passed ? nil : .wrongAnswer, deviation: nil, deviationDetail: nil, toolPrecision: 1, toolRecall: 1, toolF1: 1,
                argumentAccuracy: nil, rounds: 1, inputTokens: 100, outputTokens: 10, latencyMs: 1000, cost: 0.01)
        }
        let report = CompareReport(
            scores: [score("a", 1, true), score("a", 2, true), score("b", 1, true), score("b", 2, false)], scenarioOrder: ["a", "b"])
        let column = report.columns[0]
        #expect(column.passAt1 == 0.75 && column.passHatK == 0.5 && column.passes == 3 && column.runs == 4)
        #expect(abs((column.costPerPass ?? 0) - 0.04 / 3) < 1e-12)
        #expect(report.cellText(scenario: "a", column: column) == "✓ 2/2")
        #expect(report.cellText(scenario: "b", column: column) == "✗ 1/2 wrong_answer")
        let text = report.text()
        #expect(text.contains("pass^k") && text.contains("50%") && text.contains("b · m · full #2 — wrong_answer: x"))
        #expect(report.markdown().contains("| a | ✓ 2/2 |"))
    }
}
