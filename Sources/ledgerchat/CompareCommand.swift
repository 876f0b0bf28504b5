import Agent
import ArgumentParser
import Compare
import Foundation
import LLM
import Config
import Ledger
import TUI

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Run the scenario files against models and toolsets, score every run, show them side by side.",
        discussion: """
            Every run starts from a fresh copy of the demo ledger (seed 42, anchor and 'today' 2026-11-25); tools that \
            change data are approved on that copy only. Each run is recorded as JSON in the run folder (--out), so \
            --rescore can score it again without calling a model, and --replay can give other models the same tool \
            results. Models: names from [models.*] in the config, local (the offline model), scripted (makes the \
            expected calls and gives the reference answer), and scripted:FLAW with FLAW one of wrong-tool, \
            wrong-args, extra-write, hallucinated-tool, timeout.
            Exit status: 0 the comparison ran (whatever the scores), 1 it could not run, 2 usage error.
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Models to compare, comma-separated (default: the default model).", valueName: "names"))
    var models: String?

    @Option(name: .long, help: ArgumentHelp("Toolsets to compare, comma-separated: poc, full.", valueName: "names"))
    var toolsets = "poc,full"

    @Option(name: .long, help: ArgumentHelp("The scenario folder (default: prompts/scenarios).", valueName: "dir"))
    var scenarios: String?

    @Option(name: .long, help: ArgumentHelp("Only these scenario ids, comma-separated.", valueName: "ids"))
    var only: String?

    @Option(name: .long, help: ArgumentHelp("Only scenarios with this tag (repeatable).", valueName: "tag"))
    var tag: [String] = []

    @Option(name: .customLong("repeat"), help: ArgumentHelp("Runs per scenario and model (default: each scenario's own, usually 1).", valueName: "k"))
    var repeatCount: Int?

    @Option(name: .long, help: ArgumentHelp("Seconds one run may take before it fails with timeout.", valueName: "seconds"))
    var timeout: Double = 180

    @Option(name: .long, help: ArgumentHelp("Where to record the runs (default: ~/.local/state/ledgerchat/compare/DATE-TIME).", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Print the report as JSON on stdout (scores of every run and the totals).")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Also write the report as a Markdown table to this file.", valueName: "file"))
    var markdown: String?

    @Option(name: .long, help: ArgumentHelp("Score the runs recorded in this folder again; no model is called.", valueName: "dir"))
    var rescore: String?

    @Option(name: .long, help: ArgumentHelp("Give the tool results recorded in this folder instead of reading the ledger.", valueName: "dir"))
    var replay: String?

    func validate() throws {
        if timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds.") }
        if let repeatCount, !(1...100).contains(repeatCount) { throw ValidationError("--repeat must be from 1 to 100.") }
        if rescore != nil && (replay != nil || models != nil) { throw ValidationError("--rescore scores recorded runs; it takes no --models or --replay.") }
        if let models, models.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--models names no model; e.g. --models local,scripted")
        }
        if toolsetList.isEmpty { throw ValidationError("--toolsets names no toolset; use poc, full or both (poc,full).") }
        for toolset in toolsetList where !Scenario.knownToolsets.contains(toolset) {
            throw ValidationError("Unknown toolset '\(toolset)'; use poc, full or both (poc,full).")
        }
    }

    var toolsetList: [String] { toolsets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func run() async throws {
        do { try await compare() } catch let error as ScenarioError {
            printError("Error: \(error)")
            throw ExitCode(1)
        } catch let error as CLIError {
            printError("Error: \(error)")
            throw ExitCode(1)
        }
    }

    func compare() async throws {
        if let rescore {
            // The scenarios the runs were made with are kept beside them; --scenarios picks others on purpose.
            let recorded = (rescore as NSString).appendingPathComponent("scenarios")
            let folder = try scenarios ?? (FileManager.default.fileExists(atPath: recorded) ? recorded : Self.defaultScenarioFolder())
            let report = try Rescoring.score(try RunRecord.loadAll(from: rescore), scenarios: try Scenario.loadAll(from: folder))
            try show(report)
            return
        }

        SignalCleanup.install()
        let config = try common.loadConfig()
        let folder = try scenarios ?? Self.defaultScenarioFolder()
        let selected = try select(try Scenario.loadAll(from: folder))
        if models == nil && config.defaultModel == nil && config.models.count > 1 {
            throw CLIError("Several models are configured; name the ones to compare with --models (\(config.models.keys.sorted().joined(separator: ",")),local,scripted).")
        }
        let names: [String?] = models.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? [nil]
        let chosen = try names.map {
            try Self.model(named: $0, config: config)
        }
        var settings = CompareSettings()
        settings.timeLimit = .milliseconds(Int(timeout * 1000))
        settings.repeatOverride = repeatCount
        settings.maxRounds = config.agent.maxRounds ?? 8
        settings.resultBudgetTokens = config.agent.resultBudgetTokens ?? 1500
        if let replay {
            let book = ReplayBook(records: try RunRecord.loadAll(from: replay))
            printError("Replaying \(book.count) recorded tool results from \(replay).")
            settings.replay = book
        }

        let directory = out ?? Self.defaultRunFolder()
        try FileManager.default.createDirectory(atPath: directory + "/scenarios", withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".toml") {
            let target = directory + "/scenarios/" + file
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: folder + "/" + file, toPath: target)
        }

        let runner = try CompareRunner(settings: settings)
        let jobs = runner.plan(scenarios: selected, models: chosen, toolsets: toolsetList)
        if jobs.isEmpty { throw CLIError("No runs to make: no selected scenario applies to the toolsets \(toolsetList.joined(separator: ", ")).") }
        printError("\(jobs.count) runs: \(selected.count) scenarios × \(chosen.count) models × \(toolsetList.count) toolsets, recorded in \(directory)")
        var scores: [RunScore] = []
        var failuresInARow: [String: Int] = [:]
        for (index, job) in jobs.enumerated() {
            let record = try await runner.run(job)
            let path = (directory as NSString).appendingPathComponent(record.relativePath)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try record.encoded().write(to: URL(fileURLWithPath: path))
            let score = Scorer.score(record, scenario: job.scenario)
            scores.append(score)
            let verdict = score.passed ? "✓" : "✗ \(score.failure?.rawValue ?? "")"
            printError(
                "[\(index + 1)/\(jobs.count)] \(job.model.name) · \(job.toolset) · \(job.scenario.id): \(verdict) "
                    + String(format: "(%.1f s)", Double(record.latencyMs) / 1000))
            // A model that cannot be reached would fail every remaining run the same way, slowly: stop and say why.
            if case .error(let message) = record.outcome {
                failuresInARow[job.model.name, default: 0] += 1
                if failuresInARow[job.model.name] == 2 {
                    throw CLIError(
                        "The model \(job.model.name) failed twice in a row: \(message)\nFix that, or leave it out of --models. "
                            + "The runs so far are in \(directory).")
                }
            } else {
                failuresInARow[job.model.name] = 0
            }
        }
        let report = CompareReport(scores: scores, scenarioOrder: selected.map(\.id))
        try report.json().write(to: URL(fileURLWithPath: directory + "/report.json"))
        try Data(report.markdown().utf8).write(to: URL(fileURLWithPath: directory + "/report.md"))
        try show(report)
        printError("Runs recorded in \(directory). Score them again with: ledgerchat compare --rescore \(directory)")
    }

    /// The report on stdout (matrix or JSON), and as Markdown when asked.
    func show(_ report: CompareReport) throws {
        if json {
            print(String(decoding: try report.json(), as: UTF8.self))
        } else {
            print(report.text(ascii: Glyphs.forLocale() == .ascii))
        }
        if let markdown {
            do { try Data(report.markdown().utf8).write(to: URL(fileURLWithPath: markdown)) } catch {
                throw CLIError("Cannot write \(markdown): \(error.localizedDescription). Choose another file with --markdown.")
            }
        }
    }

    func select(_ all: [Scenario]) throws -> [Scenario] {
        var selected = all
        if let only {
            let ids = Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            let unknown = ids.subtracting(all.map(\.id))
            if !unknown.isEmpty {
                throw CLIError("No scenario with id \(unknown.sorted().joined(separator: ", ")); the ids are: \(all.map(\.id).joined(separator: ", ")).")
            }
            selected = selected.filter { ids.contains($0.id) }
        }
        if !tag.isEmpty { selected = selected.filter { !Set($0.tags).isDisjoint(with: tag) } }
        if selected.isEmpty { throw CLIError("No scenario has the tag \(tag.joined(separator: " or ")).") }
        return selected
    }

    static func model(named name: String?, config: LedgerchatConfig) throws -> CompareModel {
        if let name, let behaviour = ScriptedBehaviour(modelName: name.lowercased()) { return .scripted(behaviour) }
        if let name, name.lowercased().hasPrefix("scripted") {
            let flaws = ScriptedBehaviour.allCases.filter { $0 != .perfect }.map(\.rawValue).joined(separator: ", ")
            throw CLIError("Unknown scripted model '\(name)'; use scripted or scripted:FLAW with FLAW one of \(flaws).")
        }
        let profile = try ModelResolver.profile(named: name, config: config)
        // One provider for every run: the local model is started once and stays up.
        let provider = profile.makeProvider(progress: { printError($0) })
        return CompareModel(name: profile.name, smallModelResilience: profile.smallModelResilience, cost: { profile.cost(of: $0) }) { _, _ in
            provider
        }
    }

    static func defaultScenarioFolder() throws -> String {
        for directory in SystemPrompt.promptsDirectories() {
            let folder = (directory as NSString).appendingPathComponent("scenarios")
            if FileManager.default.fileExists(atPath: folder) { return folder }
        }
        throw CLIError("prompts/scenarios was not found. Run ledgerchat from its checkout, or pass --scenarios DIR.")
    }

    static func defaultRunFolder() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return StateDirectory.file("compare/\(formatter.string(from: Date()))")
    }
}
