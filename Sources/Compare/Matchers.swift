import Agent
import Foundation
import MCP

/// How one argument of an expected tool call is judged. In a scenario file a bare value means `eq`; a table names
/// the matcher: `{ eq = 5 }`, `{ any_of = ["unpaid", "overdue"] }`, `{ text = "Müller GmbH" }` (case, accents and
/// spacing ignored), `{ regex = "^2026-" }`, `{ range = [1, 10] }`, `{ absent = true }` (must not be given),
/// `{ ignore = true }`; `optional = true` next to any of them lets the argument be left out. `example = …` beside a
/// matcher is the value the scripted reference model passes (read by the scenario loader, not here).
public indirect enum ArgumentMatcher: Sendable, Equatable {
    case equals(Value)
    case anyOf([Value])
    case text(String)
    case regex(String)
    case range(Double, Double)
    case absent
    case ignore
    case optional(ArgumentMatcher)

    /// Whether the argument may be left out.
    public var allowsAbsence: Bool {
        switch self {
        case .absent, .ignore, .optional: return true
        default: return false
        }
    }

    /// Whether a present value matches; `nil` means the argument was not given.
    public func matches(_ value: Value?) -> Bool {
        switch self {
        case .ignore: return true
        case .absent: return value == nil || value == .null
        case .optional(let inner): return value == nil || value == .null || inner.matches(value)
        default: break
        }
        guard let value, value != .null else { return false }
        switch self {
        case .equals(let expected): return Self.sameValue(value, expected)
        case .anyOf(let choices): return choices.contains { Self.sameValue(value, $0) }
        case .text(let expected): return value.stringValue.map { Self.normalize($0) == Self.normalize(expected) } ?? false
        case .regex(let pattern):
            guard let text = Self.scalarText(value), let expression = try? NSRegularExpression(pattern: pattern) else { return false }
            return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        case .range(let low, let high):
            guard let number = Self.number(value) else { return false }
            return number >= low && number <= high
        case .absent, .ignore, .optional: return true
        }
    }

    /// A value this matcher accepts, for the scripted reference model; nil when the argument is best left out.
    public var example: Value? {
        switch self {
        case .equals(let value): return value
        case .anyOf(let choices): return choices.first
        case .text(let text): return .string(text)
        case .range(let low, _): return low == low.rounded() ? .int(Int(low)) : .double(low)
        case .optional(let inner): return inner.example
        case .regex, .absent, .ignore: return nil
        }
    }

    /// The matcher in words, for reasons: `= 5`, `one of 'open', 'paid'`, `like "Müller GmbH"`.
    public var summary: String {
        switch self {
        case .equals(let value): return "= \(ArgumentRepair.show(value))"
        case .anyOf(let choices): return "one of " + choices.map(ArgumentRepair.show).joined(separator: ", ")
        case .text(let text): return "like \"\(text)\""
        case .regex(let pattern): return "matching /\(pattern)/"
        case .range(let low, let high): return "from \(ArgumentRepair.show(.double(low))) to \(ArgumentRepair.show(.double(high)))"
        case .absent: return "left out"
        case .ignore: return "anything"
        case .optional(let inner): return "\(inner.summary) or left out"
        }
    }

    // MARK: Reading scenario files

    /// A matcher from its TOML form (already turned into JSON values).
    init(toml value: Value) throws {
        guard case .object(let table) = value else {
            self = .equals(value)
            return
        }
        var optional = false
        if let flag = table["optional"] {
            guard case .bool(let isOptional) = flag else { throw ScenarioError("optional must be true or false") }
            optional = isOptional
        }
        let kinds = table.keys.filter { $0 != "optional" }
        guard kinds.count <= 1 else {
            throw ScenarioError("give one matcher (eq, any_of, text, regex, range, absent, ignore); got \(kinds.sorted().joined(separator: ", "))")
        }
        guard let kind = kinds.first else {
            guard optional else { throw ScenarioError("an empty table matches nothing; write { ignore = true } to accept anything") }
            self = .ignore
            return
        }
        let argument = table[kind]!
        let matcher: ArgumentMatcher
        switch kind {
        case "eq": matcher = .equals(argument)
        case "any_of":
            guard case .array(let choices) = argument, !choices.isEmpty else { throw ScenarioError("any_of needs a non-empty list") }
            matcher = .anyOf(choices)
        case "text":
            guard case .string(let text) = argument else { throw ScenarioError("text needs a string") }
            matcher = .text(text)
        case "regex":
            guard case .string(let pattern) = argument, (try? NSRegularExpression(pattern: pattern)) != nil else {
                throw ScenarioError("regex needs a valid regular expression")
            }
            matcher = .regex(pattern)
        case "range":
            guard case .array(let bounds) = argument, bounds.count == 2, let low = Self.number(bounds[0]), let high = Self.number(bounds[1]), low <= high
            else { throw ScenarioError("range needs [low, high] with low ≤ high") }
            matcher = .range(low, high)
        case "absent":
            guard argument == .bool(true) else { throw ScenarioError("write absent = true") }
            matcher = .absent
        case "ignore":
            guard argument == .bool(true) else { throw ScenarioError("write ignore = true") }
            matcher = .ignore
        default:
            throw ScenarioError("unknown matcher \"\(kind)\" (known: eq, any_of, text, regex, range, absent, ignore, optional)")
        }
        self = optional && !matcher.allowsAbsence ? .optional(matcher) : matcher
    }

    // MARK: Comparing values

    /// JSON equality where 5, 5.0 and "5" are the same number, and strings compare after trimming, ignoring case.
    static func sameValue(_ actual: Value, _ expected: Value) -> Bool {
        if let left = number(actual), let right = number(expected) { return left == right }
        if case .string(let left) = actual, case .string(let right) = expected {
            return left.trimmingCharacters(in: .whitespaces).lowercased() == right.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if case .array(let left) = actual, case .array(let right) = expected {
            return left.count == right.count && zip(left, right).allSatisfy { sameValue($0, $1) }
        }
        if case .object(let left) = actual, case .object(let right) = expected {
            return Set(left.keys) == Set(right.keys) && left.keys.allSatisfy { sameValue(left[$0]!, right[$0]!) }
        }
        return actual == expected
    }

    /// A number, whether written as a number or as a string holding one.
    static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string(let text): return Double(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    static func scalarText(_ value: Value) -> String? {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        default: return nil
        }
    }

    /// Lower case, accents folded (ü → u, ß → ss), punctuation dropped, spacing collapsed.
    public static func normalize(_ text: String) -> String {
        let folded = text.replacingOccurrences(of: "ß", with: "ss")
            .folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        let kept = folded.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : " " }
        return String(kept).split(separator: " ").joined(separator: " ")
    }
}
