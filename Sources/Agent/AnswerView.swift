import Foundation
import LLM
import MCP

/// The conversation as a small model sees it when it must answer from tool results in a cache slot of its own
/// (`CacheSlot.answers`): no tool list, each question followed by what its calls returned (the call as a one-line
/// `name key=value` heading, the result without the list bullets and paging hints meant for tool rounds), then the
/// request to answer.
///
/// Why: on two cores every prompt token costs ~12 ms to read. Shown as the tool rounds show it (the call as the model
/// wrote it, the result in a tool block), "show me the last 5 invoices" made the answer round read 346 new tokens;
/// shown like this, 291. Measured on the compare suite's recorded tool results, the answers were as good or better
/// (15 of 16 answer checks passed against 14 of 16). Two things did not work: the request to answer folded into the
/// question (a short one, or the whole of it), and results with their "• " bullets: in both cases the model copied
/// the list instead of answering. A system prompt of its own, shorter, had the same effect.
///
/// The view is a pure function of the conversation, and every question keeps its request to answer, so the answer
/// slot's prompt for the next question begins exactly as this one's and is not read again.
public enum AnswerView {
    /// The messages for an answer round. `writes` tells which tool names change data (after those the model is asked
    /// what happened rather than for the numbers).
    public static func messages(_ conversation: [ChatMessage], writes: (String) -> Bool) -> [ChatMessage] {
        var view: [ChatMessage] = []
        var turn: Turn?
        func close() {
            if let open = turn { view += open.messages(writes: writes) }
            turn = nil
        }
        for message in conversation {
            switch message.role {
            case .system:
                close()
                view.append(message)
            case .user:
                close()
                turn = Turn(question: message.content)
            case .assistant where !message.toolCalls.isEmpty:
                turn?.calls += message.toolCalls
            case .tool:
                guard let id = message.toolCallID else { continue }
                turn?.results[id] = (message.content, message.isError)
            case .assistant:
                close()
                view.append(.assistant(message.content))
            }
        }
        close()
        return view
    }

    /// One question with the calls made for it and their results.
    struct Turn {
        var question: String
        var calls: [ToolCall] = []
        var results: [String: (text: String, isError: Bool)] = [:]

        func messages(writes: (String) -> Bool) -> [ChatMessage] {
            guard !calls.isEmpty else { return [.user(question)] }
            var text = question
            // A call refused for guessed identifiers tells nothing to answer from once another call succeeded, and its
            // guesses get copied: asked for Hotel Rheinblick's customer number, the offline model guessed
            // `customer_number: "RE-1001"`, then found "Hotel Rheinblick (#1012, …)" and answered "RE-1012".
            let answered = calls.contains { results[$0.id]?.isError == false }
            let calls = calls.filter { call in
                !(answered && results[call.id].map { $0.isError && MadeUpValues.isGuessRefusal($0.text) } == true)
            }
            for call in calls {
                let result = results[call.id]
                text += "\n\n" + AnswerView.heading(call) + (result?.isError == true ? " failed:\n" : " returned:\n")
                text += result.map { AnswerView.compact($0.text) } ?? "(no result)"
            }
            // In the calls' order, not the dictionary's: the view must come out the same every time it is built.
            let nudge = Agent.answerNudge(
                german: Agent.looksGerman(question), afterWrite: calls.contains { writes($0.name) },
                after: calls.compactMap { results[$0.id] }, question: question, toolsListed: false)
            return [.user(text), nudge]
        }
    }

    /// `list_invoices limit=5 status='open'`: the call in a few tokens, arguments in a stable order.
    static func heading(_ call: ToolCall) -> String {
        guard let arguments = call.decodedArguments else {
            let raw = call.arguments.trimmingCharacters(in: .whitespacesAndNewlines)
            return raw.isEmpty ? call.name : "\(call.name) \(raw)"
        }
        return ([call.name] + arguments.keys.sorted().map { "\($0)=\(ArgumentRepair.show(arguments[$0]!))" }).joined(separator: " ")
    }

    /// A result without what is there for reading lists in tool rounds: the "• " bullets (which small models copy,
    /// list and all, into their answers), " · " separators (", " reads the same in fewer tokens) and the closing
    /// "More: call again with offset …" hint (no tool can be called in an answer round). A whole list's summary line,
    /// "All 20 open invoices", reads "There are 20 open invoices": asked "Which invoices have not been paid yet?", the
    /// offline model answered "There are 15 invoices" after "All 20 …" in every replayed wording of the request, and
    /// after "There are 20 …" said 20 (the overdue list and a customer's invoices answered the same either way).
    /// These are the built-in server's conventions; other servers' text passes through unchanged unless it happens
    /// to use them.
    static func compact(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("More: ") }
            .map { line in
                if line.hasPrefix("• ") { return String(line.dropFirst(2)) }
                if line.hasPrefix("All "), line.dropFirst(4).first?.isNumber == true { return "There are " + line.dropFirst(4) }
                return String(line)
            }
            .joined(separator: "\n")
            .replacingOccurrences(of: " · ", with: ", ")
    }
}
