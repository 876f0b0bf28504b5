import Agent
import Foundation
import MCP
import Render

/// A tool call as the transcript shows it: a one-line header (collapsed by default), the arguments and result when
/// expanded, raw JSON in the developer view, and the result's tables underneath.
public struct ToolBlock: Sendable, Equatable {
    public enum Status: Sendable, Equatable { case running, succeeded, failed, refused }

    public var callID: String
    public var name: String
    public var rawArguments: String
    public var arguments: [String: Value]?
    public var status: Status = .running
    public var duration: Duration?
    public var resultText = ""
    public var structured: Value?
    public var tables: [Table] = []
    public var expanded = false
    /// Cells scrolled to the right, for tables wider than the screen.
    public var horizontalOffset = 0
    /// Page of long tables (`TranscriptLayout.pageSize` rows per page).
    public var page = 0
    /// Called with `/call`, not by the model.
    public var direct = false

    public init(callID: String, name: String, rawArguments: String, arguments: [String: Value]? = nil, direct: Bool = false) {
        self.callID = callID
        self.name = name
        self.rawArguments = rawArguments
        self.arguments = arguments
        self.direct = direct
    }

    /// Fills in the result; tables come from the structured content and the tool's output schema.
    public mutating func finish(outcome: ToolOutcome, duration: Duration, refused: Bool = false, outputSchema: Value?) {
        status = refused ? .refused : outcome.isError ? .failed : .succeeded
        self.duration = duration
        resultText = Sanitizer.clean(outcome.text)
        structured = outcome.structured
        if !outcome.isError, let structured = outcome.structured {
            tables = TableRenderer.tables(from: structured, schema: outputSchema).filter { !$0.rows.isEmpty }.map(Self.sanitised)
        }
    }

    /// Every cell of a table from a server, cleaned of control sequences.
    static func sanitised(_ table: Table) -> Table {
        var copy = table
        copy.title = table.title.map { Sanitizer.clean($0, keepNewlines: false) }
        copy.footer = table.footer.map { Sanitizer.clean($0, keepNewlines: false) }
        copy.columns = table.columns.map { var column = $0; column.title = Sanitizer.clean(column.title, keepNewlines: false); return column }
        copy.rows = table.rows.map { $0.map { Sanitizer.clean($0, keepNewlines: false) } }
        return copy
    }

    /// The largest table's row count, for paging.
    var longestTable: Int { tables.map(\.rows.count).max() ?? 0 }
}

/// Shown on the first screen.
public struct Welcome: Sendable, Equatable {
    public var company: String
    public var ledgerDescription: String
    public var examples: [String]

    public init(company: String, ledgerDescription: String, examples: [String] = Welcome.defaultExamples) {
        self.company = company
        self.ledgerDescription = ledgerDescription
        self.examples = examples
    }

    public static let defaultExamples = [
        "show me the last 5 invoices",
        "which invoices are overdue?",
        "Wie viel Umsatz hatten wir im letzten Monat?",
    ]
}

/// One item of the transcript.
public struct Entry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case welcome(Welcome)
        case user(String)
        /// Markdown from the model; `streaming` while it arrives.
        case assistant(String, streaming: Bool)
        case tool(ToolBlock)
        /// A message from ledgerchat itself (command output, errors), in Markdown.
        case notice(String, Tone)
        /// A table from a command such as /tools.
        case table(Table)
    }

    /// Stable identity, for layout caching.
    public let id: Int
    /// Bumped on every change, so a cached layout is known to be stale.
    public var revision = 0
    public var kind: Kind {
        didSet { revision &+= 1 }
    }

    public init(id: Int, kind: Kind) {
        self.id = id
        self.kind = kind
    }

    public var toolBlock: ToolBlock? {
        if case .tool(let block) = kind { return block }
        return nil
    }

    var isTool: Bool { toolBlock != nil }
}
