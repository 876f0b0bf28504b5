import Foundation
import Render

/// The totals of one model on one toolset.
public struct ColumnSummary: Codable, Sendable, Equatable {
    public var model: String
    public var toolset: String
    public var runs: Int
    public var passes: Int
    /// Mean over scenarios of the share of runs that passed: the chance that one run passes.
    public var passAt1: Double
    /// Share of scenarios whose every run passed.
    public var passHatK: Double
    /// Dollars per passing run; nil without prices (or without a pass).
    public var costPerPass: Double?
    public var totalCost: Double?
    public var inputTokens: Int
    public var outputTokens: Int
    public var medianLatencyMs: Int
    public var meanToolF1: Double
    public var meanArgumentAccuracy: Double?
    /// Runs whose final answer named a document number no tool returned.
    public var runsWithMadeUpNumbers: Int

    public var label: String { "\(model) · \(toolset)" }
}

/// Scores gathered into a matrix: scenarios as rows, model × toolset as columns.
public struct CompareReport: Codable, Sendable, Equatable {
    public var scenarios: [String]
    public var columns: [ColumnSummary]
    public var scores: [RunScore]

    public init(scores: [RunScore], scenarioOrder: [String]) {
        self.scores = scores
        let present = Set(scores.map(\.scenario))
        scenarios = scenarioOrder.filter(present.contains) + present.subtracting(scenarioOrder).sorted()
        var keys: [String] = []
        var grouped: [String: [RunScore]] = [:]
        for score in scores {
            let key = score.model + "\u{1F}" + score.toolset
            if grouped[key] == nil { keys.append(key) }
            grouped[key, default: []].append(score)
        }
        columns = keys.map { Self.summarise(grouped[$0]!) }
    }

    static func summarise(_ scores: [RunScore]) -> ColumnSummary {
        let byScenario = Dictionary(grouping: scores, by: \.scenario)
        let passes = scores.filter(\.passed).count
        let passAt1 = byScenario.values.map { Double($0.filter(\.passed).count) / Double($0.count) }.reduce(0, +) / Double(max(1, byScenario.count))
        let passHatK = Double(byScenario.values.filter { $0.allSatisfy(\.passed) }.count) / Double(max(1, byScenario.count))
        let costs = scores.compactMap(\.cost)
        let totalCost = costs.count == scores.count && !costs.isEmpty ? costs.reduce(0, +) : nil
        let latencies = scores.map(\.latencyMs).sorted()
        let accuracies = scores.compactMap(\.argumentAccuracy)
        return ColumnSummary(
            model: scores[0].model, toolset: scores[0].toolset, runs: scores.count, passes: passes, passAt1: passAt1, passHatK: passHatK,
            costPerPass: totalCost.flatMap { passes > 0 ? $0 / Double(passes) : nil }, totalCost: totalCost,
            inputTokens: scores.map(\.inputTokens).reduce(0, +), outputTokens: scores.map(\.outputTokens).reduce(0, +),
            medianLatencyMs: latencies.isEmpty ? 0 : latencies[latencies.count / 2],
            meanToolF1: scores.map(\.toolF1).reduce(0, +) / Double(max(1, scores.count)),
            meanArgumentAccuracy: accuracies.isEmpty ? nil : accuracies.reduce(0, +) / Double(accuracies.count),
            runsWithMadeUpNumbers: scores.filter { !$0.inventedReferences.isEmpty }.count)
    }

    /// The runs of one cell.
    public func cell(scenario: String, column: ColumnSummary) -> [RunScore] {
        scores.filter { $0.scenario == scenario && $0.model == column.model && $0.toolset == column.toolset }
    }

    /// ✓, ✗ with the failure code, `2/3` for repeated runs, `–` where the scenario does not apply.
    public func cellText(scenario: String, column: ColumnSummary, ascii: Bool = false) -> String {
        let runs = cell(scenario: scenario, column: column)
        guard !runs.isEmpty else { return "–" }
        let passed = runs.filter(\.passed).count
        let code = runs.first { !$0.passed }?.failure?.rawValue ?? ""
        let tick = ascii ? "ok" : "✓"
        let cross = ascii ? "x" : "✗"
        if runs.count == 1 { return passed == 1 ? tick : "\(cross) \(code)" }
        return passed == runs.count ? "\(tick) \(passed)/\(runs.count)" : "\(cross) \(passed)/\(runs.count) \(code)"
    }

    /// The rows under the matrix, each column's figure for one name; the text and Markdown reports both show them.
    static let totals: [(name: String, value: @Sendable (ColumnSummary) -> String)] = [
        ("passed", { "\($0.passes)/\($0.runs)" }),
        ("pass@1", { percent($0.passAt1) }),
        ("pass^k", { percent($0.passHatK) }),
        ("$ per pass", { $0.costPerPass.map { String(format: "$%.4f", $0) } ?? "–" }),
        ("tool F1", { String(format: "%.2f", $0.meanToolF1) }),
        ("arg accuracy", { $0.meanArgumentAccuracy.map { String(format: "%.2f", $0) } ?? "–" }),
        ("made-up numbers", { "\($0.runsWithMadeUpNumbers)/\($0.runs)" }),
        ("tokens in/out", { "\(compact($0.inputTokens))/\(compact($0.outputTokens))" }),
        ("median latency", { String(format: "%.1f s", Double($0.medianLatencyMs) / 1000) }),
    ]

    // MARK: Text

    /// The matrix for a terminal, then the totals, then one line per failed run saying why.
    public func text(ascii: Bool = false) -> String {
        let header = ["scenario"] + columns.map(\.label)
        var rows = scenarios.map { scenario in [scenario] + columns.map { cellText(scenario: scenario, column: $0, ascii: ascii) } }
        let separatorIndex = rows.count
        rows += Self.totals.map { name, value in [name] + columns.map(value) }
        let widths = header.indices.map { index in ([header] + rows).map { DisplayWidth.of($0[index]) }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in cell + String(repeating: " ", count: widths[index] - DisplayWidth.of(cell)) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        let rule = widths.map { String(repeating: ascii ? "-" : "─", count: $0) }.joined(separator: "  ")
        var lines = [line(header), rule]
        for (index, row) in rows.enumerated() {
            if index == separatorIndex { lines.append(rule) }
            lines.append(line(row))
        }
        let failures = scores.filter { !$0.passed }
        if !failures.isEmpty {
            lines.append("")
            lines.append("Why runs failed:")
            for score in failures {
                let repetition = (scores.filter { $0.scenario == score.scenario && $0.model == score.model && $0.toolset == score.toolset }.count > 1)
                    ? " #\(score.repetition)" : ""
                let code = score.failure.map { "\($0.rawValue): " } ?? ""
                lines.append("  \(score.scenario) · \(score.model) · \(score.toolset)\(repetition) — \(code)\(score.reason)")
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Markdown

    public func markdown() -> String {
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| scenario | " + columns.map { escape($0.label) }.joined(separator: " | ") + " |"]
        lines.append("|---|" + columns.map { _ in "---|" }.joined())
        for scenario in scenarios {
            lines.append("| \(escape(scenario)) | " + columns.map { escape(cellText(scenario: scenario, column: $0)) }.joined(separator: " | ") + " |")
        }
        for (name, value) in Self.totals {
            lines.append("| **\(name)** | " + columns.map { escape(value($0)) }.joined(separator: " | ") + " |")
        }
        let failures = scores.filter { !$0.passed }
        if !failures.isEmpty {
            lines.append("")
            lines.append("Failed runs:")
            lines.append("")
            for score in failures {
                lines.append("- `\(score.scenario)` · \(score.model) · \(score.toolset) — `\(score.failure?.rawValue ?? "")`: \(score.reason)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    static func percent(_ share: Double) -> String { String(format: "%.0f%%", share * 100) }

    static func compact(_ count: Int) -> String {
        count >= 10_000 ? String(format: "%.0fk", Double(count) / 1000) : count >= 1000 ? String(format: "%.1fk", Double(count) / 1000) : "\(count)"
    }
}

/// Scores a set of recorded runs against the scenarios they ran.
public enum Rescoring {
    /// Scores every record whose scenario is known; records of unknown scenarios are named in the error.
    public static func score(_ records: [RunRecord], scenarios: [Scenario]) throws -> CompareReport {
        let byID = Dictionary(scenarios.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let scores = try records.map { record -> RunScore in
            guard let scenario = byID[record.scenario] else {
                throw ScenarioError("The recorded run of \"\(record.scenario)\" has no scenario file; pass the folder with --scenarios.")
            }
            return Scorer.score(record, scenario: scenario)
        }
        return CompareReport(scores: scores, scenarioOrder: scenarios.map(\.id))
    }
}
