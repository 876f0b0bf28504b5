/// The commands typed after "/", with their help and completion.
public enum SlashCommand: Sendable, Equatable {
    case help, tools, servers, clear, copy, trace, quit
    case model(String?)
    case toolset(String?)
    case save(String), load(String)
    case export(format: ExportFormat, path: String)
    case call(tool: String, arguments: [String])

    public enum ExportFormat: String, Sendable, Equatable, CaseIterable { case md, json, csv }

    /// Name, arguments and what it does: the /help text and the completion list.
    public static let catalog: [(name: String, arguments: String, summary: String)] = [
        ("help", "", "this list"),
        ("tools", "", "the tools the servers offer"),
        ("servers", "", "each MCP server and whether it is up"),
        ("model", "NAME", "switch the model mid-chat (no name: list them)"),
        ("toolset", "poc|full", "switch the demo ledger's tool set"),
        ("clear", "", "start a new conversation"),
        ("save", "FILE", "save the conversation"),
        ("load", "FILE", "load a saved conversation"),
        ("export", "md|json|csv FILE", "write the transcript (md, json) or the last table (csv)"),
        ("copy", "", "copy the last answer to the clipboard (OSC 52)"),
        ("trace", "", "show or hide the pane of tool and model events"),
        ("call", "TOOL key=value …", "call a tool directly, without the model"),
        ("quit", "", "leave ledgerchat"),
    ]

    /// Parses "/name args…"; an error message saying what to type instead when it is not a command.
    public static func parse(_ input: String) -> Result<SlashCommand, SlashCommandError> {
        let words = input.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard let name = words.first?.lowercased() else { return .failure(.init("Type a command after /, e.g. /help.")) }
        let rest = Array(words.dropFirst())
        switch name {
        case "help", "?": return .success(.help)
        case "tools": return .success(.tools)
        case "servers": return .success(.servers)
        case "clear": return .success(.clear)
        case "copy": return .success(.copy)
        case "trace": return .success(.trace)
        case "quit", "exit", "q": return .success(.quit)
        case "model": return .success(.model(rest.first))
        case "toolset": return .success(.toolset(rest.first))
        case "save", "load":
            guard rest.count == 1 else { return .failure(.init("Usage: /\(name) FILE, e.g. /\(name) chat.json")) }
            return .success(name == "save" ? .save(rest[0]) : .load(rest[0]))
        case "export":
            guard rest.count == 2, let format = ExportFormat(rawValue: rest[0].lowercased()) else {
                return .failure(.init("Usage: /export md|json|csv FILE, e.g. /export csv invoices.csv"))
            }
            return .success(.export(format: format, path: rest[1]))
        case "call":
            guard let tool = rest.first else { return .failure(.init("Usage: /call TOOL key=value …, e.g. /call list_contacts limit=3")) }
            if let bad = rest.dropFirst().first(where: { !$0.contains("=") }) {
                return .failure(.init("/call takes key=value arguments, e.g. limit=3; got '\(bad)'"))
            }
            return .success(.call(tool: tool, arguments: Array(rest.dropFirst())))
        default:
            let suggestions = completions(for: "/" + name)
            let hint = suggestions.isEmpty ? "Type /help for the list." : "Did you mean \(suggestions.map { "/" + $0 }.joined(separator: ", "))?"
            return .failure(.init("Unknown command /\(name). \(hint)"))
        }
    }

    /// Command names starting with what was typed ("/ex" → ["export"]); empty once arguments follow.
    public static func completions(for input: String) -> [String] {
        guard input.hasPrefix("/"), !input.contains(" ") else { return [] }
        let typed = input.dropFirst().lowercased()
        return catalog.map(\.name).filter { $0.hasPrefix(typed) }
    }

    /// Tab on "/ex": the input completed as far as it is unambiguous, with a space after a whole name.
    public static func complete(_ input: String) -> String? {
        let matches = completions(for: input)
        guard let first = matches.first else { return nil }
        if matches.count == 1 { return "/" + first + " " }
        var prefix = first
        for match in matches.dropFirst() { while !match.hasPrefix(prefix) { prefix.removeLast() } }
        return prefix.count + 1 > input.count ? "/" + prefix : nil
    }

    public static var helpText: String {
        let lines = catalog.map { entry in
            "- `/\(entry.name)\(entry.arguments.isEmpty ? "" : " " + entry.arguments)` — \(entry.summary)"
        }
        return "**Commands**\n" + lines.joined(separator: "\n") + """

            
            **Keys**
            - Enter sends, Alt-Enter adds a line, ↑/↓ go through earlier questions
            - Esc or Ctrl-C cancels a running answer; Ctrl-D or /quit leaves
            - PgUp/PgDn or the mouse wheel scroll; Ctrl-L redraws
            - Tab selects a tool call: Enter opens or closes it, v shows raw JSON, ←/→ scroll a wide table, [ and ] page a long one, Esc goes back to typing
            """
    }
}

/// Why a slash command could not be parsed, in words for the user.
public struct SlashCommandError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
