import Foundation
import TestSupport
import Testing

/// This suite's own scripted LLM server, standing in for a model behind an OpenAI-compatible API.
let compareLLM = try! ScriptedLLM()

/// `ledgerchat compare` as a user runs it: the real binary, a model over HTTP next to scripted ones, then --rescore.
@Suite("ledgerchat compare")
struct CompareCommandTests {
    @Test("runs scenarios × models, prints JSON and Markdown, records runs; --rescore gives the same scores offline")
    func compareAndRescore() async throws {
        let directory = try scratchDirectory("compare")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/config.toml"
        try """
            [models.remote]
            provider = "openai"
            base_url = "\(compareLLM.url("/v1"))"
            model = "m"
            input_price_per_million = 1
            output_price_per_million = 2
            """.write(toFile: config, atomically: true, encoding: .utf8)
        // Runs go model by model, toolset by toolset, scenario by scenario (file order): last-5-invoices, small-talk.
        try await compareLLM.script([
            .openAIToolCalls([("call_1", "list_invoices", #"{"limit": 5}"#)], usage: (900, 20)),
            .openAIText("The newest are RE-1119, RE-1118, RE-1117, RE-1116 and RE-1115.", usage: (1300, 40)),
            .openAIText("Hello! How can I help you with the books?", usage: (800, 12)),
        ])
        let runs = directory + "/runs"
        let markdown = directory + "/report.md"
        let binary = try ledgerchatBinary()
        let compared = try await run(
            binary,
            [
                "compare", "--config", config, "--models", "remote,SCRIPTED:wrong-tool", "--toolsets", "full", "--only",
                "last-5-invoices,small-talk", "--out", runs, "--json", "--markdown", markdown,
            ], timeout: 120)
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(compared.stderr.contains("[4/4] scripted:wrong-tool · full · small-talk: ✓"), "\(compared.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(compared.stdout.utf8)) as? [String: Any] ?? [:]
        let scores = report["scores"] as? [[String: Any]] ?? []
        func score(_ model: String, _ scenario: String) -> [String: Any]? {
            scores.first { $0["model"] as? String == model && $0["scenario"] as? String == scenario }
        }
        #expect(scores.count == 4)
        #expect(score("remote", "last-5-invoices")?["passed"] as? Bool == true)
        #expect(score("remote", "small-talk")?["passed"] as? Bool == true)
        #expect(score("remote", "last-5-invoices")?["inputTokens"] as? Int == 2200)
        #expect(abs((score("remote", "last-5-invoices")?["cost"] as? Double ?? 0) - 0.00232) < 1e-9)
        #expect(score("scripted:wrong-tool", "last-5-invoices")?["failure"] as? String == "wrong_tool")
        #expect(score("scripted:wrong-tool", "small-talk")?["passed"] as? Bool == true)
        let markdownText = (try? String(contentsOfFile: markdown, encoding: .utf8)) ?? ""
        #expect(markdownText.contains("| scenario | remote · full | scripted:wrong-tool · full |"))
        #expect(markdownText.contains("| last-5-invoices | ✓ | ✗ wrong_tool |"))
        #expect(FileManager.default.fileExists(atPath: runs + "/runs/remote/full/last-5-invoices-1.json"))
        #expect(FileManager.default.fileExists(atPath: runs + "/scenarios/small-talk.toml"))
        let requestsAfterRun = try await compareLLM.requests().count
        #expect(requestsAfterRun == 3)

        // Rescoring in a network namespace of its own, where no model could be reached: the same scores.
        let rescored = try await run("/usr/bin/unshare", ["-rn", binary, "compare", "--rescore", runs, "--json"], timeout: 60)
        #expect(rescored.status == 0, "\(rescored.stderr)")
        let again = try JSONSerialization.jsonObject(with: Data(rescored.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(NSDictionary(dictionary: again).isEqual(to: report), "rescored:\n\(rescored.stdout)\nfirst:\n\(compared.stdout)")
        #expect(try await compareLLM.requests().count == requestsAfterRun)

        // The matrix for people.
        let matrix = try await run(binary, ["compare", "--rescore", runs], timeout: 60)
        let lines = matrix.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("scenario") == true && lines.first?.contains("remote · full") == true)
        #expect(lines.contains { $0.hasPrefix("last-5-invoices") && $0.contains("✓") && $0.contains("✗ wrong_tool") })
        #expect(lines.contains { $0.hasPrefix("pass@1") && $0.contains("100%") && $0.contains("50%") })
        #expect(matrix.stdout.contains("last-5-invoices · scripted:wrong-tool · full — wrong_tool: the answer lacks \"RE-1119\""))
    }

    @Test("stdout and stderr into one file (> report.txt 2>&1): progress, then the report, then where the runs are")
    func outputOrderInOneFile() async throws {
        let out = scratchPath("one-file-runs")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let binary = try ledgerchatBinary()
        let both = try await run(
            "/bin/sh", ["-c", #"exec "$0" "$@" 2>&1"#, binary, "compare", "--models", "scripted", "--toolsets", "poc", "--only", "small-talk", "--out", out],
            timeout: 60)
        #expect(both.status == 0, "\(both.stdout)")
        let text = both.stdout
        let progress = try #require(text.range(of: "[1/1] scripted · poc · small-talk: ✓"), "\(text)")
        let header = try #require(text.range(of: "scenario "), "\(text)")
        let lastRow = try #require(text.range(of: "median latency"), "\(text)")
        let recorded = try #require(text.range(of: "Runs recorded in \(out)."), "\(text)")
        #expect(progress.lowerBound < header.lowerBound && lastRow.lowerBound < recorded.lowerBound, "\(text)")
    }

    @Test("mistakes say what to do: an unknown scenario id, an unknown scripted flaw, a folder without runs")
    func mistakes() async throws {
        let binary = try ledgerchatBinary()
        let unknownID = try await run(binary, ["compare", "--models", "scripted", "--only", "no-such-scenario"], timeout: 60)
        #expect(unknownID.status == 1 && unknownID.stderr.contains("No scenario with id no-such-scenario; the ids are:"))
        let flaw = try await run(binary, ["compare", "--models", "scripted:lazy"], timeout: 60)
        #expect(flaw.status == 1 && flaw.stderr.contains("Unknown scripted model 'scripted:lazy'; use scripted or scripted:FLAW"))
        let empty = try await run(binary, ["compare", "--rescore", scratchPath("no-runs")], timeout: 60)
        #expect(empty.status == 1 && empty.stderr.contains("holds no recorded runs"), "\(empty.stderr)")
        let noModel = try await run(binary, ["compare", "--models", ","], timeout: 60)
        #expect(noModel.status == 2 && noModel.stderr.contains("--models names no model"))
        let toolset = try await run(binary, ["compare", "--toolsets", "mini"], timeout: 60)
        #expect(toolset.status == 2 && toolset.stderr.contains("Unknown toolset 'mini'"))

        // A model nobody answers for: two failed runs, then a stop that says so, instead of a failure for every other scenario.
        let config = scratchPath("dead") + ".toml"
        try "[models.dead]\nprovider = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"m\"\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        let out = scratchPath("dead-runs")
        let dead = try await run(binary, ["compare", "--config", config, "--models", "dead", "--toolsets", "full", "--out", out], timeout: 120)
        #expect(dead.status == 1 && dead.stderr.contains("The model dead failed twice in a row:"), "\(dead.stderr)")
        #expect(dead.stderr.range(of: #"\[2/\d+\] dead · full"#, options: .regularExpression) != nil, "\(dead.stderr)")
        #expect(dead.stderr.range(of: #"\[3/\d+\]"#, options: .regularExpression) == nil, "\(dead.stderr)")
    }
}
