import AccountingServer
import Foundation
import MCP
import TestSupport
import Testing

@testable import Compare

/// The shipped scenarios.
let shippedScenarios: [Scenario] = {
    let folder = packageRootURL.appendingPathComponent("prompts/scenarios").path
    return (try? Scenario.loadAll(from: folder)) ?? []
}()

/// Every run of one scripted model over the shipped suite on both toolsets, scored.
func scores(of behaviour: ScriptedBehaviour, timeLimit: Duration = .seconds(30)) async throws -> [(Scenario, RunRecord, RunScore)] {
    var settings = CompareSettings()
    settings.timeLimit = timeLimit
    let runner = try CompareRunner(settings: settings)
    var results: [(Scenario, RunRecord, RunScore)] = []
    for job in runner.plan(scenarios: shippedScenarios, models: [.scripted(behaviour)], toolsets: ["poc", "full"]) {
        let record = try await runner.run(job)
        results.append((job.scenario, record, Scorer.score(record, scenario: job.scenario)))
    }
    return results
}

@Suite("Scripted models fail exactly the scenarios they should")
struct ScriptedModelTests {
    @Test("the shipped suite: at least 25 scenarios, each with a positive answer check and calls to tools that exist")
    func shippedSuite() throws {
        #expect(shippedScenarios.count >= 25)
        let tags = Set(shippedScenarios.flatMap(\.tags))
        for needed in ["read", "paging", "sorting", "summary", "receivables", "contact", "write", "small-talk", "missing-parameter", "german", "relative-date", "multi-turn"] {
            #expect(tags.contains(needed), "no scenario tagged \(needed)")
        }
        for scenario in shippedScenarios {
            #expect(!scenario.answer.containsAll.isEmpty || !scenario.answer.containsAny.isEmpty || !scenario.answer.regex.isEmpty, "\(scenario.id)")
            for (toolset, calls) in scenario.calls {
                let tools = Set(AccountingService(store: try .init(), options: .init(toolset: Toolset(rawValue: toolset)!)).tools.map(\.name))
                for call in calls { #expect(tools.contains(call.tool), "\(scenario.id): \(call.tool) is not a \(toolset) tool") }
            }
        }
    }

    @Test("scripted (perfect) passes every scenario on both toolsets, with no deviation at all")
    func perfect() async throws {
        let results = try await scores(of: .perfect)
        #expect(results.count == shippedScenarios.map(\.toolsets.count).reduce(0, +))
        for (scenario, record, score) in results {
            #expect(score.passed, "\(scenario.id)/\(record.toolset): \(score.reason)")
            #expect(score.deviation == nil, "\(scenario.id)/\(record.toolset): \(score.deviationDetail ?? "")")
            #expect(score.toolF1 == 1 && (score.argumentAccuracy ?? 1) == 1, "\(scenario.id)/\(record.toolset)")
            #expect(record.toolCalls.allSatisfy { !$0.isError } || scenario.id == "unknown-invoice", "\(scenario.id): \(record.toolCalls)")
        }
        // The write scenarios really wrote to their copy, and only there.
        let created = results.filter { $0.0.id == "create-contact" }.map(\.1)
        #expect(created.count == 2 && created.allSatisfy { $0.ledgerAfter["contacts"]!.rows == $0.ledgerBefore["contacts"]!.rows + 1 })
        #expect(created.allSatisfy { $0.ledgerBefore == results[0].1.ledgerBefore })
    }

    @Test("wrong-tool fails where a call is expected, with wrong_tool; elsewhere it behaves")
    func wrongTool() async throws {
        for (scenario, record, score) in try await scores(of: .wrongTool) {
            let expectsCalls = !(scenario.calls[record.toolset] ?? []).isEmpty
            #expect(score.passed == !expectsCalls, "\(scenario.id)/\(record.toolset): \(score.reason)")
            if expectsCalls { #expect(score.failure == .wrongTool, "\(scenario.id)/\(record.toolset): \(score.failure?.rawValue ?? "-")") }
        }
    }

    @Test("wrong-args fails where an argument has a definite expected value, with wrong_value")
    func wrongArguments() async throws {
        for (scenario, record, score) in try await scores(of: .wrongArgs) {
            let definite = (scenario.calls[record.toolset] ?? []).contains { call in
                call.arguments.contains { argument in
                    switch argument.matcher {
                    case .equals, .anyOf, .text, .range, .optional(.equals), .optional(.anyOf), .optional(.text), .optional(.range): return true
                    default: return false
                    }
                }
            }
            #expect(score.passed == !definite, "\(scenario.id)/\(record.toolset): \(score.reason)")
            if definite { #expect(score.failure == .wrongValue, "\(scenario.id)/\(record.toolset): \(score.failure?.rawValue ?? "-")") }
        }
    }

    @Test("extra-write fails everywhere: unexpected_write, or forbidden_call where creating a contact is forbidden")
    func extraWrite() async throws {
        for (scenario, record, score) in try await scores(of: .extraWrite) {
            #expect(!score.passed, "\(scenario.id)/\(record.toolset)")
            let expected: FailureCode = scenario.trajectory.forbidden.contains("create_contact") ? .forbiddenCall : .unexpectedWrite
            #expect(score.failure == expected, "\(scenario.id)/\(record.toolset): \(score.failure?.rawValue ?? "-") \(score.reason)")
            // The extra contact landed in the run's copy; the ledger check saw it.
            #expect(record.ledgerAfter["contacts"]!.rows > record.ledgerBefore["contacts"]!.rows)
        }
    }

    @Test("hallucinated-tool recovers, so it fails only the strict scenarios, with hallucinated_tool")
    func hallucinatedTool() async throws {
        for (scenario, record, score) in try await scores(of: .hallucinatedTool) {
            #expect(score.passed == !scenario.strict, "\(scenario.id)/\(record.toolset): \(score.reason)")
            #expect(score.deviation == .hallucinatedTool, "\(scenario.id)/\(record.toolset)")
            if scenario.strict { #expect(score.failure == .hallucinatedTool) }
        }
    }

    @Test("timeout fails every scenario with timeout; the silent model is cancelled, so the runs end")
    func timeout() async throws {
        let results = try await scores(of: .timeout, timeLimit: .milliseconds(100))
        #expect(results.count == shippedScenarios.map(\.toolsets.count).reduce(0, +))
        for (scenario, record, score) in results {
            #expect(!score.passed && score.failure == .timeout, "\(scenario.id)/\(record.toolset)")
            #expect(record.outcome == .timeout(seconds: 0.1) && record.turns.count == 1 && record.turns[0].answer == nil)
        }
    }

    @Test("rescoring recorded runs read back from JSON gives the very same scores")
    func rescoreFromRecords() async throws {
        let directory = scratchPath("rescore")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var original: [RunScore] = []
        for behaviour in [ScriptedBehaviour.perfect, .wrongArgs, .hallucinatedTool] {
            for (_, record, score) in try await scores(of: behaviour) {
                let path = directory + "/" + record.relativePath
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try record.encoded().write(to: URL(fileURLWithPath: path))
                original.append(score)
            }
        }
        let report = try Rescoring.score(try RunRecord.loadAll(from: directory), scenarios: shippedScenarios)
        let key = { (score: RunScore) in "\(score.model)|\(score.toolset)|\(score.scenario)|\(score.repetition)" }
        #expect(report.scores.sorted { key($0) < key($1) } == original.sorted { key($0) < key($1) })
        #expect(report.columns.count == 6)
    }
}

@Suite("Replaying recorded tool results")
struct ReplayTests {
    @Test("a replayed run gets the recorded result of the same reading call; other calls and writes reach its ledger")
    func replay() async throws {
        let scenarios = shippedScenarios.filter { ["last-5-invoices", "create-contact"].contains($0.id) }
        let recorder = try CompareRunner(settings: CompareSettings())
        var records: [RunRecord] = []
        for job in recorder.plan(scenarios: scenarios, models: [.scripted(.perfect)], toolsets: ["full"]) {
            var record = try await recorder.run(job)
            // Doctor the recording, so a replayed result is told from a fresh one.
            for index in record.toolCalls.indices { record.toolCalls[index].resultText = "RECORDED " + record.toolCalls[index].resultText }
            records.append(record)
        }
        let book = ReplayBook(records: records)
        #expect(book.count == 1)  // the write is never replayed

        var settings = CompareSettings()
        settings.replay = book
        let replayer = try CompareRunner(settings: settings)
        for job in replayer.plan(scenarios: scenarios, models: [.scripted(.perfect)], toolsets: ["full"]) {
            let record = try await replayer.run(job)
            let call = try #require(record.toolCalls.first)
            if job.scenario.id == "last-5-invoices" {
                #expect(call.resultText.hasPrefix("RECORDED Showing 1–5 of 120 invoices"))
            } else {
                #expect(!call.resultText.hasPrefix("RECORDED") && record.ledgerAfter["contacts"]!.rows == record.ledgerBefore["contacts"]!.rows + 1)
            }
            #expect(Scorer.score(record, scenario: job.scenario).passed)
        }
        // Another model's different call is not in the book: it reads the ledger.
        #expect(book.result(scenario: "last-5-invoices", toolset: "full", tool: "list_invoices", arguments: ["limit": 6]) == nil)
        #expect(book.result(scenario: "last-5-invoices", toolset: "full", tool: "list_invoices", arguments: ["limit": 5]) != nil)
    }
}
