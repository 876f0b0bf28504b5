import Agent
import Foundation
import LLM
import MCP
import Render

/// A conversation written by /save and read by /load.
struct SavedConversation: Codable {
    var format = "ledgerchat-conversation"
    var version = 1
    var model: String?
    var messages: [ChatMessage]

    init(model: String?, messages: [ChatMessage]) {
        self.model = model
        self.messages = messages
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    static func decode(_ data: Data) throws -> SavedConversation {
        let saved = try JSONDecoder().decode(SavedConversation.self, from: data)
        guard saved.format == "ledgerchat-conversation" else { throw TerminalError("not a ledgerchat conversation") }
        return saved
    }
}

/// The transcript as Markdown or JSON, and back from saved messages.
enum TranscriptExport {
    static func markdown(_ entries: [Entry]) -> String {
        var parts: [String] = []
        for entry in entries {
            switch entry.kind {
            case .welcome: continue
            case .user(let text): parts.append("**You:** " + text)
            case .assistant(let text, _): parts.append(text)
            case .notice(let text, _): parts.append("> " + text.replacingOccurrences(of: "\n", with: "\n> "))
            case .table(let table): parts.append(markdownTable(table))
            case .tool(let block):
                var text = "`\(block.name)` \(TranscriptLayout.argumentSummary(block))"
                switch block.status {
                case .succeeded: text += " ✓"
                case .failed: text += " ✗ " + (block.resultText.split(separator: "\n").first.map(String.init) ?? "")
                case .refused: text += " (refused)"
                case .running: text += " (running)"
                }
                parts.append(([text] + block.tables.map(markdownTable)).joined(separator: "\n\n"))
            }
        }
        return parts.joined(separator: "\n\n") + "\n"
    }

    static func markdownTable(_ table: Table) -> String {
        func row(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
        var lines = table.title.map { ["**\($0)**", ""] } ?? []
        lines.append(row(table.columns.map(\.title)))
        lines.append("|" + table.columns.map { $0.alignment == .right ? " ---: |" : " --- |" }.joined())
        lines += table.rows.map(row)
        if let footer = table.footer { lines += ["", footer] }
        return lines.joined(separator: "\n")
    }

    static func json(_ entries: [Entry], messages: [ChatMessage], model: String?) -> Data {
        var items: [Value] = []
        for entry in entries {
            switch entry.kind {
            case .welcome: continue
            case .user(let text): items.append(["type": "user", "text": .string(text)])
            case .assistant(let text, _): items.append(["type": "assistant", "text": .string(text)])
            case .notice(let text, _): items.append(["type": "notice", "text": .string(text)])
            case .table(let table): items.append(["type": "table", "columns": .array(table.columns.map { .string($0.title) }), "rows": .array(table.rows.map { .array($0.map(Value.string)) })])
            case .tool(let block):
                items.append([
                    "type": "tool_call", "name": .string(block.name), "arguments": block.arguments.map(Value.object) ?? .string(block.rawArguments),
                    "status": .string("\(block.status)"), "duration_ms": block.duration.map { .int($0.wholeMilliseconds) } ?? .null,
                    "text": .string(block.resultText), "structured": block.structured ?? .null, "direct": .bool(block.direct),
                ])
            }
        }
        let object: Value = ["model": model.map(Value.string) ?? .null, "transcript": .array(items)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = (try? encoder.encode(object)) ?? Data("{}".utf8)
        data.append(contentsOf: "\n".utf8)
        return data
    }

    /// Transcript entries for loaded messages: questions, answers and the tool calls (results as text; the tables
    /// need the structured content, which a saved conversation does not keep).
    static func entries(from messages: [ChatMessage]) -> [Entry.Kind] {
        var kinds: [Entry.Kind] = []
        var results: [String: ChatMessage] = [:]
        for message in messages where message.role == .tool { if let id = message.toolCallID { results[id] = message } }
        for message in messages {
            switch message.role {
            case .user: kinds.append(.user(message.content))
            case .assistant:
                if !message.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    kinds.append(.assistant(message.content, streaming: false))
                }
                for call in message.toolCalls {
                    var block = ToolBlock(
                        callID: call.id, name: call.name, rawArguments: call.arguments,
                        arguments: call.decodedArguments)
                    let result = results[call.id]
                    block.status = result?.isError == true ? .failed : .succeeded
                    block.resultText = Sanitizer.clean(result?.content ?? "")
                    kinds.append(.tool(block))
                }
            case .system, .tool: continue
            }
        }
        return kinds
    }
}
