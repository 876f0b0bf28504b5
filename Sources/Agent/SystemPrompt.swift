import Foundation

/// The system prompt from `prompts/system.md`, with `{{company}}` and `{{today}}` filled in.
public enum SystemPrompt {
    /// Where the prompts folder is looked for, in order: `$LEDGERCHAT_PROMPTS`, then upwards from the executable
    /// (a checkout's `.build/debug/ledgerchat` finds the checkout's `prompts/`), then the source tree this was
    /// built from.
    public static func promptsDirectories(executable: String = CommandLine.arguments.first ?? "") -> [String] {
        var candidates: [String] = []
        if let folder = ProcessInfo.processInfo.environment["LEDGERCHAT_PROMPTS"], !folder.isEmpty { candidates.append(folder) }
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(directory.appendingPathComponent("prompts").path)
            candidates.append(directory.appendingPathComponent("share/ledgerchat/prompts").path)
            directory.deleteLastPathComponent()
        }
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(sourceRoot.appendingPathComponent("prompts").path)
        return candidates
    }

    /// Loads `name` (e.g. `system.md`) from the first prompts folder that has it.
    public static func load(_ name: String = "system.md") throws -> String {
        if let path = path(of: name), let text = try? String(contentsOfFile: path, encoding: .utf8) { return text }
        throw SystemPromptError(
            description: "prompts/\(name) was not found. Run ledgerchat from its checkout, or set LEDGERCHAT_PROMPTS to the prompts folder.")
    }

    /// The path of `name` in the first prompts folder that has it, or nil.
    public static func path(of name: String) -> String? {
        for directory in promptsDirectories() {
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    /// The system prompt for a model: `system.md`, plus `local-model.md`'s extra hints for small models.
    public static func forModel(smallModel: Bool, company: String, today: String) throws -> String {
        var text = try load("system.md")
        if smallModel { text += "\n\n" + (try load("local-model.md")) }
        return fill(text, company: company, today: today)
    }

    public static func fill(_ template: String, company: String, today: String) -> String {
        template.replacingOccurrences(of: "{{company}}", with: company).replacingOccurrences(of: "{{today}}", with: today)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

public struct SystemPromptError: Error, CustomStringConvertible {
    public var description: String
}
