import MCP

/// Small builders for the JSON Schemas of tool inputs and outputs, so each tool reads as a list of fields.
enum JSONSchema {
    /// - Parameter columns: for records shown as table rows, the fields worth a column, in order. Written as the
    ///   `x-columns` annotation, which validators ignore and table renderers use.
    static func object(
        _ properties: [String: Value], required: [String] = [], description: String? = nil, additionalProperties: Bool = false,
        columns: [String] = []
    ) -> Value {
        var schema: [String: Value] = [
            "type": "object",
            "properties": .object(properties),
            "additionalProperties": .bool(additionalProperties),
        ]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        if !columns.isEmpty { schema["x-columns"] = .array(columns.map { .string($0) }) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    static func string(_ description: String, maxLength: Int? = nil, format: String? = nil) -> Value {
        var schema: [String: Value] = ["type": "string", "description": .string(description)]
        if let maxLength { schema["maxLength"] = .int(maxLength) }
        if let format { schema["format"] = .string(format) }
        return .object(schema)
    }

    static func nullableString(_ description: String, format: String? = nil) -> Value {
        var schema: [String: Value] = ["type": ["string", "null"], "description": .string(description)]
        if let format { schema["format"] = .string(format) }
        return .object(schema)
    }

    static func date(_ description: String) -> Value { string(description + " (YYYY-MM-DD)", format: "date") }

    static func nullableDate(_ description: String) -> Value { nullableString(description + " (YYYY-MM-DD)", format: "date") }

    static func enumeration(_ values: [String], _ description: String, default defaultValue: String? = nil) -> Value {
        var schema: [String: Value] = [
            "type": "string", "enum": .array(values.map { .string($0) }), "description": .string(description),
        ]
        if let defaultValue { schema["default"] = .string(defaultValue) }
        return .object(schema)
    }

    static func integer(_ description: String, minimum: Int? = nil, maximum: Int? = nil, default defaultValue: Int? = nil) -> Value {
        var schema: [String: Value] = ["type": "integer", "description": .string(description)]
        if let minimum { schema["minimum"] = .int(minimum) }
        if let maximum { schema["maximum"] = .int(maximum) }
        if let defaultValue { schema["default"] = .int(defaultValue) }
        return .object(schema)
    }

    static func nullableInteger(_ description: String) -> Value {
        .object(["type": ["integer", "null"], "description": .string(description)])
    }

    /// Money in structured output: integer euro cents, marked so renderers can show "1.234,56 €".
    static func cents(_ description: String) -> Value {
        .object(["type": "integer", "format": "money-cents", "description": .string(description + " in euro cents")])
    }

    static func nullableCents(_ description: String) -> Value {
        .object(["type": ["integer", "null"], "format": "money-cents", "description": .string(description + " in euro cents")])
    }

    static func euros(_ description: String) -> Value {
        .object(["type": "number", "minimum": 0, "description": .string(description + " in euros, e.g. 1500 or 99.90")])
    }

    static func boolean(_ description: String, default defaultValue: Bool? = nil) -> Value {
        var schema: [String: Value] = ["type": "boolean", "description": .string(description)]
        if let defaultValue { schema["default"] = .bool(defaultValue) }
        return .object(schema)
    }

    /// `schema` (one type, such as an object) that may also be null, with its own description.
    static func nullable(_ schema: Value, _ description: String) -> Value {
        guard case .object(var fields) = schema, case .string(let type)? = fields["type"] else { return schema }
        fields["type"] = [.string(type), "null"]
        fields["description"] = .string(description)
        return .object(fields)
    }

    static func array(_ items: Value, _ description: String) -> Value {
        .object(["type": "array", "items": items, "description": .string(description)])
    }

    static let offset = integer("Number of items to skip, for paging", minimum: 0, default: 0)
    static func limit(default defaultValue: Int = Paging.defaultLimit) -> Value {
        integer("Maximum number of items to return", minimum: 1, maximum: Paging.maxLimit, default: defaultValue)
    }
    static func order(default defaultValue: String) -> Value {
        enumeration(["asc", "desc"], "Sort direction", default: defaultValue)
    }

    /// The envelope every list tool returns around its items.
    static func page(of item: Value, noun: String) -> Value {
        object(
            [
                "items": array(item, "The \(noun) on this page"),
                "total": integer("How many \(noun) match the filters in all", minimum: 0),
                "offset": integer("Items skipped before this page", minimum: 0),
                "limit": integer("Page size asked for", minimum: 1),
                "has_more": boolean("True when more \(noun) follow; call again with offset = offset + limit"),
                "summary": string("One line saying which items are shown, e.g. 'Showing 1–5 of 118 \(noun)'"),
            ], required: ["items", "total", "offset", "limit", "has_more", "summary"])
    }
}
