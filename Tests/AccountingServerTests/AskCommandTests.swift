import Foundation
import LLM
import Ledger
import TestSupport
import Testing

/// This target's own scripted LLM server.
let askLLM = try! ScriptedLLM()

/// `ledgerchat ask` as a script would run it: the real binary, a scripted model over HTTP, the demo ledger in-process.
@Suite("ledgerchat ask", .serialized)
struct AskCommandTests {
    static let plantedKey = "sk-PLANTED-SECRET-4242"

    /// The scripted model's config; `modelLines` go into its `[models.scripted]` section.
    func configFile(modelLines: String = "") throws -> String {
        let directory = try scratchDirectory("ask")
        let path = directory + "/config.toml"
        try """
            default_model = "scripted"
            [models.scripted]
            provider = "openai"
            base_url = "\(askLLM.url("/v1"))"
            model = "m"
            api_key = "${TEST_LLM_KEY}"
            input_price_per_million = 1
            output_price_per_million = 2
            \(modelLines)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// This process's environment with the key the config file names.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["TEST_LLM_KEY"] = Self.plantedKey
        return environment.merging(extra) { $1 }
    }

    func ask(
        _ arguments: [String], config: String? = nil, extraEnvironment: [String: String] = [:], timeout: Double = 60
    ) async throws -> (CommandResult, trace: String) {
        let trace = scratchPath("trace") + ".jsonl"
        let configArguments = try config.map { ["--config", $0] } ?? ["--config", try configFile()]
        let result = try await run(
            try ledgerchatBinary(), ["ask"] + arguments + configArguments + ["--today", "2026-11-25", "--trace", trace], timeout: timeout,
            environment: environment(extraEnvironment))
        return (result, (try? String(contentsOfFile: trace, encoding: .utf8)) ?? "")
    }

    @Test("the answer streams to stdout, then a 5-row invoice table; the footer goes to stderr; the trace has no secret")
    func answerAndTable() async throws {
        try await askLLM.script([
            .openAIToolCalls([("call_1", "list_invoices", #"{"limit": 5}"#)], usage: (700, 20)),
            .openAIText("Here are the 5 newest invoices.", usage: (1100, 12)),
        ])
        let (result, trace) = try await ask(["show me the last 5 invoices", "--ledger", try demoLedgerFile()])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Here are the 5 newest invoices.\n"))
        let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("RE-") }
        #expect(rows.count == 5)
        #expect(rows.first?.hasPrefix("RE-1119") == true && rows.last?.hasPrefix("RE-1115") == true)
        #expect(result.stdout.contains("Showing 1–5 of 120 invoices"))
        #expect(result.stdout.contains(" €"))
        #expect(result.stderr.contains("scripted · 2 rounds · 1800 tokens in, 32 out · $0.0019"))
        #expect(trace.contains(#""name":"list_invoices""#))
        #expect(!trace.isEmpty && !trace.contains(Self.plantedKey))
        // The system prompt reached the model with the company and the date filled in.
        let system = ((try await askLLM.requests().first?["body"] as? [String: Any])?["messages"] as? [[String: Any]])?.first?["content"] as? String
        #expect(system?.contains("Muster Digital GmbH") == true && system?.contains("2026-11-25") == true)
    }

    @Test("--json prints exactly one JSON object with the tool call and its structured result")
    func jsonOutput() async throws {
        try await askLLM.script([.openAIToolCalls([("c", "list_invoices", #"{"limit": 5}"#)]), .openAIText("Fünf Rechnungen.")])
        let (result, _) = try await ask(["Zeig mir die letzten 5 Rechnungen", "--json", "--ledger", try demoLedgerFile()])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["answer"] as? String == "Fünf Rechnungen.")
        let call = try #require((object["tool_calls"] as? [[String: Any]])?.first)
        #expect(call["name"] as? String == "list_invoices")
        #expect((call["arguments"] as? [String: Int])?["limit"] == 5)
        #expect(((call["structured"] as? [String: Any])?["items"] as? [Any])?.count == 5)
        #expect(result.stdout.split(separator: "\n").count == 1)
        // And jq, as a script would use it, reads it too.
        let file = scratchPath("answer") + ".json"
        try result.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let jq = try await run("/usr/bin/env", ["jq", "-r", ".tool_calls[0].structured.items | length", file])
        #expect(jq.status == 0 && jq.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "5")
    }

    @Test("an invoice number no tool returned is pointed out: a warning on stderr, unverified_references in JSON, the trace")
    func inventedNumbers() async throws {
        let ledger = try demoLedgerFile()
        let answer = "The last 2 invoices are RE-1119 and RE-12633."
        try await askLLM.script([.openAIToolCalls([("c", "list_invoices", #"{"limit": 2}"#)]), .openAIText(answer)])
        let (text, trace) = try await ask(["show me the last 2 invoices", "--ledger", ledger])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix(answer))
        #expect(text.stderr.contains("Warning: no tool returned RE-12633: the model probably made it up."), "\(text.stderr)")
        #expect(!text.stderr.contains("RE-1119"))
        #expect(trace.contains(#""unverified_references":["RE-12633"]"#))

        try await askLLM.script([.openAIToolCalls([("c", "list_invoices", #"{"limit": 2}"#)]), .openAIText(answer)])
        let (json, _) = try await ask(["show me the last 2 invoices", "--json", "--ledger", ledger])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["unverified_references"] as? [String] == ["RE-12633"])

        try await askLLM.script([.openAIToolCalls([("c", "list_invoices", #"{"limit": 2}"#)]), .openAIText("RE-1119 and RE-1118.")])
        let (honest, _) = try await ask(["show me the last 2 invoices", "--ledger", ledger])
        #expect(honest.status == 0 && !honest.stderr.contains("Warning"), "\(honest.stderr)")

        // An amount with no result to come from: no tool was called.
        try await askLLM.script([.openAIText("Our bank balance is 1.234,56 €.")])
        let (amount, amountTrace) = try await ask(["what is our bank balance?", "--ledger", ledger])
        #expect(amount.status == 0 && amount.stderr.contains("Warning: no tool returned 1.234,56 €: the model probably made it up."), "\(amount.stderr)")
        #expect(amountTrace.contains(#""unverified_references":["1.234,56 €"]"#), "\(amountTrace)")
    }

    @Test("a change the answer reports but no tool made is pointed out: a warning on stderr, unmade_change in JSON, the trace")
    func claimedChange() async throws {
        let ledger = try demoLedgerFile()
        let claim = "I have added Papier Paradies KG as a supplier."
        try await askLLM.script([.openAIText(claim)])
        let (text, trace) = try await ask(["add the supplier Papier Paradies KG", "--ledger", ledger])
        #expect(text.status == 0 && text.stdout.hasPrefix(claim), "\(text.stderr)")
        #expect(text.stderr.contains("Warning: the answer says \"\(claim)\", but no tool that changes data succeeded: nothing was changed."), "\(text.stderr)")
        #expect(trace.contains(#""unmade_change":"I have added Papier Paradies KG as a supplier.""#), "\(trace)")

        try await askLLM.script([.openAIText(claim)])
        let (json, _) = try await ask(["add the supplier Papier Paradies KG", "--json", "--ledger", ledger])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["unmade_change"] as? String == claim)

        // Made: no warning, and the JSON says null.
        try await askLLM.script([
            .openAIToolCalls([("c", "create_contact", #"{"name": "Papier Paradies KG", "category": "supplier"}"#)]), .openAIText(claim),
        ])
        let (made, _) = try await ask(["add the supplier Papier Paradies KG", "--yes", "--json", "--ledger", ledger])
        let madeObject = try #require(try JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as? [String: Any])
        #expect(madeObject["unmade_change"] is NSNull, "\(made.stdout)")
        #expect(!made.stderr.contains("Warning"), "\(made.stderr)")
    }

    @Test("an answer cut off at max_tokens is said: a warning naming the limit and the key on stderr, cut_off in JSON, the trace")
    func cutOffAnswer() async throws {
        let ledger = try demoLedgerFile()
        let config = try configFile(modelLines: "max_tokens = 40")
        let cut = "Revenue per month: January 7.186,41 €, February 24.702,67 €, March"
        try await askLLM.script([.openAIText(cut, usage: (300, 40), finishReason: "length")])
        let (text, trace) = try await ask(["What was our revenue per month this year?", "--ledger", ledger], config: config)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix(cut))
        #expect(
            text.stderr.contains(
                "Warning: The answer stops at the model's limit of 40 tokens, so it is incomplete. Ask for less at once, or raise max_tokens in [models.scripted]"),
            "\(text.stderr)")
        #expect(trace.contains(#""cut_off":true"#))
        let request = try #require(try await askLLM.requests().first?["body"] as? [String: Any])
        #expect(request["max_tokens"] as? Int == 40)

        try await askLLM.script([.openAIText(cut, usage: (300, 40), finishReason: "length")])
        let (json, _) = try await ask(["What was our revenue per month this year?", "--json", "--ledger", ledger], config: config)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["cut_off"] as? Bool == true && object["ok"] as? Bool == true)

        try await askLLM.script([
            .openAIToolCalls([("c", "summarize", #"{"entity": "invoices", "group_by": "month", "date_from": "2026-11-01"}"#)]),
            .openAIText("Revenue in November: 56.611,35 €."),
        ])
        let (whole, wholeTrace) = try await ask(["How much did we invoice in November?", "--ledger", ledger], config: config)
        #expect(whole.status == 0 && !whole.stderr.contains("Warning"), "\(whole.stderr)")
        #expect(!wholeTrace.contains("cut_off"))
    }

    @Test("--trace with a bare file name writes it in the current folder; a trace that cannot be written is said, the answer still comes")
    func tracePaths() async throws {
        let folder = try scratchDirectory("cwd")
        let arguments = ["ask", "hello", "--config", try configFile(), "--ledger", try demoLedgerFile(), "--today", "2026-11-25"]
        try await askLLM.script([.openAIText("Hello!")])
        let bare = try await run(try ledgerchatBinary(), arguments + ["--trace", "today.jsonl"], timeout: 60, environment: environment(), workingDirectory: folder)
        #expect(bare.status == 0 && !bare.stderr.contains("Warning"), "\(bare.stderr)")
        let written = try String(contentsOfFile: folder + "/today.jsonl", encoding: .utf8)
        #expect(written.contains(#""question":"hello""#) && written.contains(#""answer":"Hello!""#))

        // A folder cannot be made inside a regular file.
        let blocked = folder + "/today.jsonl/sub/trace.jsonl"
        try await askLLM.script([.openAIText("Hello!")])
        let refused = try await run(try ledgerchatBinary(), arguments + ["--trace", blocked], timeout: 60, environment: environment(), workingDirectory: folder)
        #expect(refused.status == 0 && refused.stdout.hasPrefix("Hello!"), "\(refused.stderr)")
        #expect(refused.stderr.contains("Warning: this question is not traced:") && refused.stderr.contains("choose another file with --trace"))
    }

    @Test("without a terminal a write is refused and said so; with --yes it happens once")
    func approval() async throws {
        let ledger = try demoLedgerFile()
        try await askLLM.script([.openAIToolCalls([("w", "create_contact", #"{"name": "Müller GmbH & Co. KG"}"#)]), .openAIText("Nicht angelegt.")])
        let (refused, _) = try await ask(["create a contact named Müller GmbH & Co. KG", "--ledger", ledger])
        #expect(refused.status == 0)
        #expect(refused.stderr.contains("Refused create_contact") && refused.stderr.contains("--yes"))
        #expect(try LedgerStore(path: ledger).contacts(named: "Müller GmbH & Co. KG").isEmpty)

        try await askLLM.script([.openAIToolCalls([("w", "create_contact", #"{"name": "Müller GmbH & Co. KG"}"#)]), .openAIText("Angelegt.")])
        let (approved, _) = try await ask(["create a contact named Müller GmbH & Co. KG", "--yes", "--ledger", ledger])
        #expect(approved.status == 0)
        #expect(try LedgerStore(path: ledger).contacts(named: "Müller GmbH & Co. KG").count == 1)
    }

    @Test("a model that keeps failing: exit 1 with the API's message")
    func failure() async throws {
        let failure = Step.json(#"{"error":{"message":"model 'm' not found"}}"#, status: 404)
        try await askLLM.script([failure])
        let (result, trace) = try await ask(["hallo", "--ledger", try demoLedgerFile()])
        #expect(result.status == 1)
        #expect(result.stderr.contains("model 'm' not found"))
        #expect(trace.contains(#""error":"#))
    }

    @Test("the proxy from the environment is used, and NO_PROXY bypasses it")
    func proxy() async throws {
        let config = scratchPath("proxy") + ".toml"
        try """
            [models.remote]
            provider = "openai"
            base_url = "http://llm.invalid/v1"
            model = "m"
            """.write(toFile: config, atomically: true, encoding: .utf8)
        try await askLLM.script([.openAIText("Über den Proxy.")])
        let proxy = askLLM.url("")
        let (through, _) = try await ask(["hallo", "--ledger", try demoLedgerFile()], config: config, extraEnvironment: ["http_proxy": proxy])
        #expect(through.status == 0 && through.stdout.hasPrefix("Über den Proxy."), "\(through.stderr)")
        #expect(try await askLLM.requests().first?["path"] as? String == "http://llm.invalid/v1/chat/completions")
        let (bypassed, _) = try await ask(
            ["hallo", "--ledger", try demoLedgerFile()], config: config, extraEnvironment: ["http_proxy": proxy, "NO_PROXY": "llm.invalid"])
        #expect(bypassed.status == 1 && bypassed.stderr.contains("Could not reach remote"))
    }

    @Test("no model configured means the offline model; without its files, exit 1 naming make local-model")
    func noModel() async throws {
        let empty = scratchPath("empty") + ".toml"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let emptyCache = scratchPath("no-cache")
        let (result, _) = try await ask(["hallo", "--ledger", try demoLedgerFile()], config: empty, extraEnvironment: ["LEDGERCHAT_CACHE": emptyCache])
        #expect(result.status == 1)
        #expect(result.stderr.contains("make local-model") && result.stderr.contains("llama-server"), "\(result.stderr)")
    }

    @Test("a new llama-server restores the prompt the last one saved and reads only the question (the offline model, real)", .localModelTurn)
    func savedPromptIsRestored() async throws {
        let empty = scratchPath("empty") + ".toml"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        // The real binary and model through a cache folder of this test's own, so that the saved prompts and the
        // running server are this test's too.
        let real = LocalModelFiles.cacheDirectory()
        _ = try LocalModelFiles.locate()  // a missing model fails here, naming `make local-model`
        let cache = try scratchDirectory("prompt-cache-cache")
        for folder in [LocalModelFiles.serverDirectory, LocalModelFiles.modelDirectory] {
            try FileManager.default.createSymbolicLink(atPath: cache + "/" + folder, withDestinationPath: real + "/" + folder)
        }
        let environment = ["LEDGERCHAT_CACHE": cache, "XDG_STATE_HOME": scratchPath("prompt-cache-state")]
        func usage(_ question: String) async throws -> [String: Int] {
            let (result, _) = try await ask([question, "--json", "--ledger", try demoLedgerFile()], config: empty, extraEnvironment: environment, timeout: 600)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return try #require(object?["usage"] as? [String: Int], "\(result.stdout)")
        }
        // The first server reads the system prompt and the tool list (~3,200 tokens) and saves them on the way out…
        let first = try await usage("hallo")
        let saved = try FileManager.default.contentsOfDirectory(atPath: cache + "/prompt-cache").filter { $0.hasPrefix("slot0-") }
        #expect(saved.count == 1, "one saved prompt for the tool-round slot: \(saved)")
        #expect((first["input_tokens"] ?? 0) > 2500 && first["cached_input_tokens"] == 0, "\(first)")
        // That server is gone with its ledgerchat: the next one is new and has nothing computed.
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cache + "/local-model-server.json"))) as? [String: Any]
        let pid = state?["pid"] as? Int
        let firstServer = Int32(try #require(pid))
        for _ in 0..<50 where kill(firstServer, 0) == 0 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(kill(firstServer, 0) != 0, "the first llama-server still runs")
        // …and the next ledgerchat's new server starts from it: of the same prompt, only the question is read.
        let second = try await usage("hello")
        let input = second["input_tokens"] ?? 0, cached = second["cached_input_tokens"] ?? 0
        #expect(input > 2500 && input - cached < 50, "only the question read: \(second)")
    }

    @Test("a llama-server that crashes while loading the model: exit 1, saying it crashed and to rebuild it or configure another model")
    func crashingLocalModel() async throws {
        let empty = scratchPath("empty") + ".toml"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        // A cache laid out as make local-model leaves it, with a binary that dies of SIGSEGV as the AMX build did.
        let cache = scratchPath("crashing-cache")
        let processor: String = try #require(LocalModelFiles.processorFlags())
        try layLocalModelCache(
            at: cache, serverDirectory: LocalModelFiles.serverDirectory, modelDirectory: LocalModelFiles.modelDirectory,
            server: "#!/bin/sh\necho 'init: llama threadpool init, n_threads = 2' >&2\nkill -SEGV $$\n",
            cpuFlags: processor)
        let (result, _) = try await ask(
            ["hallo", "--ledger", try demoLedgerFile()], config: empty,
            extraEnvironment: ["LEDGERCHAT_CACHE": cache, "XDG_STATE_HOME": scratchPath("crashing-state")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("llama-server crashed (signal 11) while loading the model"), "\(result.stderr)")
        #expect(result.stderr.contains("threadpool init"), "the log's last lines: \(result.stderr)")
        #expect(result.stderr.contains("make local-model") && result.stderr.contains("configure another model"), "\(result.stderr)")
    }
}
