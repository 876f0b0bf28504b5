import Ledger
import MCP

/// A table ready to lay out: titled columns and already formatted cells.
public struct Table: Sendable, Equatable {
    public enum Alignment: Sendable, Equatable { case left, right }

    public struct Column: Sendable, Equatable {
        public var title: String
        public var alignment: Alignment
        /// Text columns give way first when the table is too wide; numbers and dates keep their width.
        public var shrinkable: Bool

        public init(_ title: String, alignment: Alignment = .left, shrinkable: Bool = false) {
            self.title = title
            self.alignment = alignment
            self.shrinkable = shrinkable
        }
    }

    /// What the table shows, e.g. "lines" of an invoice; nil for the main list.
    public var title: String?
    public var columns: [Column]
    public var rows: [[String]]
    /// A line under the table, e.g. "Showing 1–5 of 120 invoices".
    public var footer: String?

    public init(title: String? = nil, columns: [Column], rows: [[String]], footer: String? = nil) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.footer = footer
    }
}

/// Turns a tool's `structuredContent` into tables, using its `outputSchema` to know money from numbers and dates
/// from text. Pure: no terminal, so the same tables serve `ask`, the TUI and exports.
public enum TableRenderer {
    /// The tables in a result: one per list of records, or a field/value table for a single record.
    public static func tables(from structured: Value, schema: Value?) -> [Table] {
        guard case .object(let object) = structured else { return [] }
        let properties = schemaProperties(schema)
        let keys = orderedKeys(structured, schema: schema)
        // Single nested records first (an invoice's header), then the lists (its lines), the main "items" first.
        var tables: [Table] = keys.compactMap { key in
            guard case .object(let record)? = object[key], record.values.contains(where: isScalar) else { return nil }
            var table = fieldTable(record, schema: properties[key])
            table.title = humanize(key)
            return table
        }
        let listKeys = keys.filter { key in
            if case .array(let items)? = object[key] { return items.contains { if case .object = $0 { return true } else { return false } } }
            return false
        }
        for key in listKeys.filter({ $0 == "items" }) + listKeys.filter({ $0 != "items" }) {
            guard case .array(let items)? = object[key] else { continue }
            var table = recordTable(items, schema: properties[key].flatMap { field($0, "items") })
            table.title = key == "items" ? nil : humanize(key)
            if key == "items", case .string(let summary)? = object["summary"] { table.footer = summary }
            tables.append(table)
        }
        // A list that came back empty is still a list: its paging fields (total 0, offset 0, limit 25) are no table
        // of their own; the result's text says nothing matched.
        if tables.isEmpty, !holdsEmptyList(object, properties: properties), object.values.contains(where: isScalar) {
            tables.append(fieldTable(object, schema: schema))
        }
        return tables
    }

    /// Whether the result has an empty list of records: under "items", or where the schema says records go.
    static func holdsEmptyList(_ object: [String: Value], properties: [String: Value]) -> Bool {
        object.contains { key, value in
            guard case .array(let items) = value, items.isEmpty else { return false }
            return key == "items" || properties[key].flatMap({ field($0, "items") }).flatMap({ field($0, "type") }) == .string("object")
        }
    }

    /// A table of records with one column per field, ids and bookkeeping fields left out.
    static func recordTable(_ items: [Value], schema: Value?) -> Table {
        let records = items.compactMap { item -> [String: Value]? in if case .object(let object) = item { return object } else { return nil } }
        var keys: [String] = []
        if let schema, case .array(let preferred)? = field(schema, "x-columns") {
            // The server said which fields make the table.
            keys = preferred.compactMap(\.stringValue).filter { key in records.contains { $0[key] != nil } }
        }
        if keys.isEmpty {
            keys = orderedKeys(records.first.map(Value.object) ?? .object([:]), schema: schema).filter { !hiddenColumn($0) }
        }
        let properties = schemaProperties(schema)
        let kinds = keys.map { kind(of: $0, schema: properties[$0], sample: records.first?[$0]) }
        let columns = zip(keys, kinds).map { key, kind in
            Table.Column(humanize(key), alignment: kind.isNumeric ? .right : .left, shrinkable: kind == .text)
        }
        let rows = records.map { record in zip(keys, kinds).map { key, kind in format(record[key] ?? .null, as: kind) } }
        return Table(title: nil, columns: columns, rows: rows, footer: nil)
    }

    /// A two-column table: field, value.
    static func fieldTable(_ object: [String: Value], schema: Value?) -> Table {
        let properties = schemaProperties(schema)
        let rows = orderedKeys(.object(object), schema: schema).compactMap { key -> [String]? in
            guard let value = object[key], isScalar(value), !hiddenColumn(key) else { return nil }
            return [humanize(key), format(value, as: kind(of: key, schema: properties[key], sample: value))]
        }
        return Table(
            title: nil,
            columns: [Table.Column("Field", alignment: .left, shrinkable: false), Table.Column("Value", alignment: .left, shrinkable: true)],
            rows: rows, footer: nil)
    }

    // MARK: Kinds and formatting

    enum Kind: Equatable {
        case money, date, integer, number, boolean, text
        var isNumeric: Bool { self == .money || self == .integer || self == .number }
    }

    static func kind(of key: String, schema: Value?, sample: Value?) -> Kind {
        if let format = schema.flatMap({ field($0, "format") })?.stringValue {
            if format == "money-cents" { return .money }
            if format == "date" { return .date }
        }
        if key.hasSuffix("_cents") { return .money }
        let types: [String]
        switch schema.flatMap({ field($0, "type") }) {
        case .string(let type)?: types = [type]
        case .array(let list)?: types = list.compactMap(\.stringValue)
        default: types = []
        }
        if types.contains("integer") { return .integer }
        if types.contains("number") { return .number }
        if types.contains("boolean") { return .boolean }
        switch sample {
        case .int?: return .integer
        case .double?: return .number
        case .bool?: return .boolean
        default: return .text
        }
    }

    static func format(_ value: Value, as kind: Kind) -> String {
        switch (value, kind) {
        case (.null, _): return ""
        case (.int(let cents), .money): return Money.format(cents: cents)
        case (.double(let cents), .money): return Money.format(cents: Int(cents.rounded()))
        case (.bool(let flag), _): return flag ? "yes" : "no"
        case (.int(let number), _): return String(number)
        case (.double(let number), _): return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case (.string(let text), _):
            let flat = text.replacingOccurrences(of: "\n", with: " ")
            return kind == .text && isEnumLike(flat) ? flat.replacingOccurrences(of: "_", with: " ") : flat
        default: return ""
        }
    }

    /// `partially_paid` reads better as "partially paid"; names and text with spaces are left alone.
    static func isEnumLike(_ text: String) -> Bool {
        text.contains("_") && text.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber }
    }

    /// `gross_cents` → "Gross", `contact_name` → "Contact name".
    public static func humanize(_ key: String) -> String {
        var words = key.split(separator: "_").map(String.init)
        if words.last == "cents" { words.removeLast() }
        let text = words.joined(separator: " ")
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    static func hiddenColumn(_ key: String) -> Bool {
        key == "id" || key.hasSuffix("_id") || key == "currency" || key == "summary"
    }

    // MARK: Schema helpers

    static func field(_ value: Value, _ key: String) -> Value? {
        if case .object(let object) = value { return object[key] }
        return nil
    }

    static func schemaProperties(_ schema: Value?) -> [String: Value] {
        if let schema, case .object(let properties)? = field(schema, "properties") { return properties }
        return [:]
    }

    /// Field order: the schema's `required` list (which keeps the author's order), then the rest alphabetically.
    static func orderedKeys(_ value: Value, schema: Value?) -> [String] {
        guard case .object(let object) = value else { return [] }
        var keys: [String] = []
        if let schema, case .array(let required)? = field(schema, "required") {
            keys = required.compactMap(\.stringValue).filter { object[$0] != nil }
        }
        keys += object.keys.filter { !keys.contains($0) }.sorted()
        return keys
    }

    static func isScalar(_ value: Value) -> Bool {
        switch value {
        case .object, .array, .data: return false
        default: return true
        }
    }
}
