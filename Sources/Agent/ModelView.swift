/// What the model sees of a tool result: the text, cut to a budget with an explicit note, never silently.
///
/// The user sees everything (structured content becomes a table); the model's context is small, so long results are
/// cut at a line boundary and the cut is announced in words the model can act on.
public enum ModelView {
    /// Roughly four characters make a token for the languages we serve.
    static let charactersPerToken = 4

    public static func bound(_ text: String, budgetTokens: Int) -> String {
        let budget = max(200, budgetTokens * charactersPerToken)
        guard text.count > budget else { return text }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let rowCount = lines.filter(isRow).count
        var kept: [Substring] = []
        var used = 0
        var keptRows = 0
        for line in lines {
            if used + line.count + 1 > budget { break }
            kept.append(line)
            used += line.count + 1
            if isRow(line) { keptRows += 1 }
        }
        let note: String
        if rowCount > 0 {
            note = "[showing \(keptRows) of \(rowCount) rows; call again with a filter or offset for more]"
        } else {
            note = "[showing the first \(used) of \(text.count) characters; call again with a filter or offset for more]"
        }
        return kept.joined(separator: "\n") + "\n" + note
    }

    private static func isRow(_ line: Substring) -> Bool { line.hasPrefix("• ") || line.hasPrefix("- ") || line.hasPrefix("  ") }
}
