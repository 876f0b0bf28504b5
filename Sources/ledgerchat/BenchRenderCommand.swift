import Agent
import ArgumentParser
import Foundation
import MCP
import Render
import TUI

/// `ledgerchat bench-render` (hidden, used by `make bench`): times full-screen frames of the chat for a huge table
/// and a long transcript, with the same state and renderer the TUI uses, and prints one JSON object.
struct BenchRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-render", abstract: "Time chat frames for a large table and a long transcript (for make bench).",
        shouldDisplay: false)

    @Option var rows = 10_000
    @Option var messages = 1_000
    @Option var width = 100
    @Option var height = 30
    @Option var repeats = 50

    func run() throws {
        let renderer = ScreenRenderer()
        // A tool result with `rows` invoices.
        var tableState = ChatState()
        tableState.append(.user("show me all invoices"))
        tableState.startTool(id: "c1", name: "list_invoices", arguments: #"{"limit":\#(rows)}"#)
        let items: [Value] = (0..<rows).map { index in
            [
                "number": .string(String(format: "RE-2026-%05d", rows - index)), "contact_name": .string(["Autohaus Becker KG", "Café Zimt & Zucker", "東京デザイン株式会社"][index % 3]),
                "invoice_date": "2026-11-25", "status": "open", "gross_cents": .int(100_000 + index * 7),
            ]
        }
        let call = ExecutedToolCall(
            id: "c1", name: "list_invoices", rawArguments: "{}", arguments: [:],
            outcome: ToolOutcome(text: "", structured: ["items": .array(items)]), modelText: "", duration: .milliseconds(1), round: 1,
            approval: .notNeeded)
        let tableStarted = ContinuousClock.now
        tableState.finishTool(call, outputSchema: nil)
        let tableBuild = ContinuousClock.now - tableStarted
        let table = measure(&tableState, renderer: renderer) { state, index in state.editor.insert(index % 2 == 0 ? "a" : "b") }

        // A transcript of `messages` questions and Markdown answers.
        var transcript = ChatState()
        for index in 0..<messages / 2 {
            transcript.append(.user("Question \(index): which invoices of Autohaus Becker KG are overdue?"))
            transcript.append(.assistant(
                "## Overdue\n**\(index % 7) invoices** are overdue, the oldest `RE-2026-\(index)`:\n- first item with some words to wrap around the line\n- second item\n\nTotal: 1.234,56 €",
                streaming: false))
        }
        let long = measure(&transcript, renderer: renderer) { state, index in state.appendAnswerText(" word\(index)") }
        let rss = residentKilobytes()
        let result: [String: Any] = [
            "table_rows": rows, "table_build_ms": ms(tableBuild), "table_cold_ms": table.cold, "table_warm_ms": table.warm,
            "table_typing_ms": table.changed, "transcript_messages": messages, "transcript_cold_ms": long.cold,
            "transcript_warm_ms": long.warm, "transcript_streaming_ms": long.changed, "rss_kb": rss,
            "screen": "\(width)x\(height)",
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// The first frame (nothing laid out yet), the median repeated frame, and the median frame after `change`.
    func measure(_ state: inout ChatState, renderer: ScreenRenderer, change: (inout ChatState, Int) -> Void) -> (cold: Double, warm: Double, changed: Double) {
        let coldStart = ContinuousClock.now
        _ = renderer.render(&state, rows: height, columns: width)
        let cold = ms(ContinuousClock.now - coldStart)
        var warm: [Double] = []
        var changed: [Double] = []
        for index in 0..<repeats {
            var started = ContinuousClock.now
            _ = renderer.render(&state, rows: height, columns: width)
            warm.append(ms(ContinuousClock.now - started))
            change(&state, index)
            started = ContinuousClock.now
            _ = renderer.render(&state, rows: height, columns: width)
            changed.append(ms(ContinuousClock.now - started))
        }
        return (cold, median(warm), median(changed))
    }

    func ms(_ duration: Duration) -> Double {
        (Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15 * 1).rounded(toPlaces: 3)
    }

    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    func residentKilobytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
