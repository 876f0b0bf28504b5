import Ledger
import MCP

/// A tool call that cannot be answered as made: the message says what was wrong and what to do instead.
/// It becomes an `isError: true` result, never a protocol error or a crash.
public struct ToolCallError: Error, Equatable, CustomStringConvertible {
    /// Why the call failed, which decides how the result introduces the message and what the server log records.
    public enum Kind: String, Sendable {
        /// The arguments break the schema or a rule; the caller should call again with others.
        case invalidArguments = "invalid_arguments"
        /// Well-formed arguments that name nothing in the ledger (an invoice number that does not exist). Not an
        /// argument mistake: told "invalid arguments", small models went looking for another invoice to show.
        case notFound = "not_found"
        /// The ledger cannot answer at all yet (it is empty).
        case unavailable
    }

    public var message: String
    public var kind: Kind
    public init(_ message: String, kind: Kind = .invalidArguments) {
        self.message = message
        self.kind = kind
    }
    public var description: String { message }

    public static func notFound(_ message: String) -> ToolCallError { ToolCallError(message, kind: .notFound) }
}

/// Typed, validating access to a tool call's arguments.
///
/// Every getter names the argument and the accepted values in its error, because the reader of the
/// error is often a small language model that must repair its own call.
struct ToolArguments {
    let values: [String: Value]

    init(_ values: [String: Value]?, allowed: Set<String>) throws {
        let values = (values ?? [:]).filter { !$0.value.isNull }
        let unknown = values.keys.filter { !allowed.contains($0) }.sorted()
        if !unknown.isEmpty {
            let list = allowed.isEmpty ? "this tool takes no arguments" : "allowed: \(allowed.sorted().joined(separator: ", "))"
            throw ToolCallError("unknown argument\(unknown.count > 1 ? "s" : "") \(unknown.map { "'\($0)'" }.joined(separator: ", ")); \(list)")
        }
        self.values = values
    }

    func string(_ key: String, maxLength: Int = 500) throws -> String? {
        guard let value = values[key] else { return nil }
        let text: String
        switch value {
        case .string(let string): text = string
        case .int(let number): text = String(number)
        case .double(let number): text = String(number)
        default: throw ToolCallError("\(key) must be a string; got \(describe(value))")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count > maxLength { throw ToolCallError("\(key) must be at most \(maxLength) characters long") }
        return trimmed.isEmpty ? nil : trimmed
    }

    func requiredString(_ key: String, maxLength: Int = 500) throws -> String {
        guard let text = try string(key, maxLength: maxLength) else {
            throw ToolCallError("\(key) is required and must not be empty")
        }
        return text
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = values[key] else { return nil }
        let number: Int?
        switch value {
        case .int(let int): number = int
        case .double(let double) where double.rounded() == double && abs(double) < 1e15: number = Int(double)
        case .string(let text): number = Int(text.trimmingCharacters(in: .whitespaces))
        default: number = nil
        }
        guard let number else { throw ToolCallError("\(key) must be a whole number; got \(describe(value))") }
        guard range.contains(number) else {
            throw ToolCallError("\(key) must be between \(range.lowerBound) and \(range.upperBound); got \(number)")
        }
        return number
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = values[key] else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default: throw ToolCallError("\(key) must be true or false; got \(describe(value))")
        }
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _ type: Choice.Type = Choice.self) throws -> Choice?
    where Choice.RawValue == String {
        guard let text = try string(key) else { return nil }
        if let choice = Choice(rawValue: text) ?? Choice(rawValue: text.lowercased()) { return choice }
        let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        throw ToolCallError("\(key) must be one of \(allowed); got '\(text)'")
    }

    func choice(_ key: String, among allowed: [String]) throws -> String? {
        guard let text = try string(key) else { return nil }
        guard allowed.contains(text) else {
            throw ToolCallError("\(key) must be one of \(allowed.joined(separator: ", ")); got '\(text)'")
        }
        return text
    }

    func date(_ key: String) throws -> LedgerDate? {
        guard let text = try string(key) else { return nil }
        guard let date = LedgerDate(iso: text) else {
            throw ToolCallError("\(key) must be a date written YYYY-MM-DD, e.g. 2026-03-31; got '\(text)'")
        }
        return date
    }

    /// An amount in euros (a number, up to two decimals), returned as cents.
    func euros(_ key: String) throws -> Int? {
        guard let value = values[key] else { return nil }
        let amount: Double?
        switch value {
        case .int(let int): amount = Double(int)
        case .double(let double): amount = double
        case .string(let text): amount = Double(text.replacingOccurrences(of: ",", with: "."))
        default: amount = nil
        }
        guard let amount, amount.isFinite, amount >= 0 else {
            throw ToolCallError("\(key) must be an amount in euros of 0 or more, e.g. 1500 or 99.90; got \(describe(value))")
        }
        // The schema sets no maximum, and "at most 9999999999999999 €" is a bound like any other (small models write
        // it to mean "no upper limit"); amounts past a quadrillion euros all bound alike, and stay clear of overflow.
        return Int((min(amount, 1e15) * 100).rounded())
    }

    /// `date_from` and `date_to` (or another pair, e.g. `due_date_from`/`due_date_to`), refusing a range that ends
    /// before it starts.
    func dateRange(from fromKey: String = "date_from", to toKey: String = "date_to") throws -> (from: LedgerDate?, to: LedgerDate?) {
        let from = try date(fromKey)
        let to = try date(toKey)
        if let from, let to, from > to {
            throw ToolCallError("\(fromKey) (\(from.iso)) is after \(toKey) (\(to.iso)); swap them")
        }
        return (from, to)
    }

    /// `min_amount` and `max_amount` in euros, as cents.
    func amountRange() throws -> (min: Int?, max: Int?) {
        (try euros("min_amount"), try euros("max_amount"))
    }

    /// A string choice mapped to a value, e.g. the public sort names onto the store's sort fields.
    func choice<Choice>(_ key: String, mapping: KeyValuePairs<String, Choice>) throws -> Choice? {
        guard let text = try string(key) else { return nil }
        guard let match = mapping.first(where: { $0.key == text }) else {
            throw ToolCallError("\(key) must be one of \(mapping.map(\.key).joined(separator: ", ")); got '\(text)'")
        }
        return match.value
    }

    /// A document named by `id` or by `number`; the id wins when both are given.
    func idOrNumber(example: String) throws -> (id: Int64?, number: String?) {
        let id = try self.id("id")
        let number = try string("number", maxLength: 40)
        guard id != nil || number != nil else { throw ToolCallError("give either number (e.g. \(example)) or id") }
        return (id, number)
    }

    func id(_ key: String) throws -> Int64? {
        try int(key, in: 1...Int(Int32.max)).map(Int64.init)
    }

    private func describe(_ value: Value) -> String {
        switch value {
        case .string(let text): return "'\(text)'"
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        case .null: return "null"
        case .array: return "a list"
        case .object: return "an object"
        case .data: return "binary data"
        }
    }
}

/// Paging arguments every list tool shares.
struct Paging {
    static let defaultLimit = 25
    static let maxLimit = 200

    var offset: Int
    var limit: Int

    init(_ arguments: ToolArguments, defaultLimit: Int = Paging.defaultLimit) throws {
        offset = try arguments.int("offset", in: 0...1_000_000) ?? 0
        limit = try arguments.int("limit", in: 1...Paging.maxLimit) ?? defaultLimit
    }
}
