import Foundation
import TOMLKit

/// A configuration problem, always naming the file, the key and what was expected.
public struct ConfigError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public var file: String
    public var key: String?
    public var message: String

    public var description: String {
        if let key { return "\(file): \(key): \(message)" }
        return "\(file): \(message)"
    }

    public var errorDescription: String? { description }
}

/// The shape of a value in the configuration file.
public indirect enum ConfigType: Sendable {
    case string
    case integer(ClosedRange<Int>?)
    /// A TOML float or integer, e.g. a temperature or a price.
    case number(ClosedRange<Double>?)
    /// An inline table of strings, e.g. extra HTTP headers.
    case stringTable
    case boolean
    case stringList
    /// A string from a closed list.
    case choice([String])
    /// A table with these known keys.
    case table([String: ConfigType])
    /// A table of named tables of the same shape, e.g. `[servers.NAME]`.
    case namedTables(ConfigType)

    var expected: String {
        switch self {
        case .string: return "a string"
        case .integer(let range?): return "an integer from \(range.lowerBound) to \(range.upperBound)"
        case .integer(nil): return "an integer"
        case .number(let range?): return "a number from \(range.lowerBound) to \(range.upperBound)"
        case .number(nil): return "a number"
        case .stringTable: return "a table of strings, e.g. { Name = \"value\" }"
        case .boolean: return "true or false"
        case .stringList: return "a list of strings"
        case .choice(let values): return "one of \(values.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .table, .namedTables: return "a table"
        }
    }
}

/// A validated configuration value: only the shapes `ConfigType` allows.
public indirect enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case stringTable([String: String])
    case boolean(Bool)
    case stringList([String])
    case table([String: ConfigValue])
}

/// ledgerchat's settings, from `config.toml` over built-in defaults.
public struct LedgerchatConfig: Sendable, Equatable {
    /// The file the settings came from; nil when none existed and defaults apply.
    public var sourcePath: String?

    /// `[ledger]`: which ledger commands open by default.
    public var ledgerPath: String?
    public var demoSeed: UInt64?
    public var demoAnchorDate: String?

    /// `[serve]`: defaults for `ledgerchat serve`.
    public var serve = ServeSettings()

    /// `default_model`: the `[models.NAME]` used when no `--model` is given.
    public var defaultModel: String?
    /// `[models.NAME]`, by name.
    public var models: [String: ModelSettings] = [:]
    /// `[agent]`.
    public var agent = AgentConfig()
    /// `[servers.NAME]`, by name. Empty means the built-in demo ledger alone.
    public var servers: [String: ServerSettings] = [:]
    /// `mcp_config`: a Claude Desktop style `{"mcpServers": {...}}` file whose servers are added.
    public var mcpConfigPath: String?

    /// Environment variables that `${NAME}` referred to but were not set, by key.
    public var unsetVariables: [String: [String]] = [:]

    public init() {}
}

/// One `[models.NAME]` section: an LLM endpoint.
public struct ModelSettings: Sendable, Equatable {
    public var provider: String
    public var baseURL: String?
    public var model: String
    public var apiKey: String?
    public var temperature: Double?
    public var maxTokens: Int?
    public var contextWindow: Int?
    public var inputPricePerMillion: Double?
    public var outputPricePerMillion: Double?
    public var headers: [String: String] = [:]
    /// Seconds without a byte before a streaming answer counts as stalled.
    public var timeout: Int?
    /// Repair tool calls written as text, clean arguments, correct schema violations once (default: on for local).
    public var smallModelResilience: Bool?
    /// llama-server with two slots: answers in slot 1 without the tool list (default: on for local).
    public var answerSlot: Bool?
}

/// `[agent]`: how questions are answered.
public struct AgentConfig: Sendable, Equatable {
    public var maxRounds: Int?
    public var resultBudgetTokens: Int?
    public var traceDirectory: String?

    public init() {}
}

/// One `[servers.NAME]` section: an MCP server whose tools the assistant may use. Exactly one of `url`,
/// `command` or `builtin` says where it is.
public struct ServerSettings: Sendable, Equatable {
    /// A Streamable HTTP endpoint, e.g. `https://mcp.example.com/mcp`.
    public var url: String?
    /// A program speaking MCP over stdin/stdout, started by ledgerchat.
    public var command: String?
    public var args: [String] = []
    public var env: [String: String] = [:]
    public var cwd: String?
    /// `"demo"`: the accounting server inside ledgerchat.
    public var builtin: String?
    /// For `builtin`: the ledger file, the toolset, and whether write tools are hidden.
    public var ledger: String?
    public var toolset: String?
    public var readOnly: Bool?
    public var enabled: Bool = true
    /// Only these tools (when set), never these.
    public var allowTools: [String]?
    public var denyTools: [String] = []
    /// Seconds a request may take before it fails.
    public var timeout: Int?
    /// Extra HTTP headers, e.g. `Authorization = "Bearer ${TOKEN}"`.
    public var headers: [String: String] = [:]
    /// A shell command printing a bearer token; run at connect and once more after a 401.
    public var bearerTokenCommand: String?

    public init(url: String? = nil, command: String? = nil, builtin: String? = nil) {
        self.url = url
        self.command = command
        self.builtin = builtin
    }
}

/// Defaults for `ledgerchat serve`, each overridden by its command-line option.
public struct ServeSettings: Sendable, Equatable {
    public var toolset: String?
    public var readOnly: Bool?
    public var host: String?
    public var port: Int?
    public var stateful: Bool?
    public var authTokenEnv: String?
    public var allowedHosts: [String] = []
    public var allowedOrigins: [String] = []
    public var logFile: String?

    public init() {}
}

extension LedgerchatConfig {
    /// Every key the file may hold. `config.example.toml` documents each of them; a test keeps the two in step.
    public static let schema: [String: ConfigType] = [
        "default_model": .string,
        "models": .namedTables(
            .table([
                "provider": .choice(["openai", "anthropic", "local"]),
                "base_url": .string,
                "model": .string,
                "api_key": .string,
                "temperature": .number(0...2),
                "max_tokens": .integer(1...1_000_000),
                "context_window": .integer(1...10_000_000),
                "input_price_per_million": .number(0...10_000),
                "output_price_per_million": .number(0...10_000),
                "headers": .stringTable,
                "timeout": .integer(1...3600),
                "small_model_resilience": .boolean,
                "answer_slot": .boolean,
            ])),
        "agent": .table([
            "max_rounds": .integer(1...50),
            "result_budget_tokens": .integer(100...100_000),
            "trace_dir": .string,
        ]),
        "ledger": .table([
            "path": .string,
            "seed": .integer(0...Int.max),
            "anchor_date": .string,
        ]),
        "mcp_config": .string,
        "servers": .namedTables(
            .table([
                "url": .string,
                "command": .string,
                "args": .stringList,
                "env": .stringTable,
                "cwd": .string,
                "builtin": .choice(["demo"]),
                "ledger": .string,
                "toolset": .choice(["full", "poc"]),
                "read_only": .boolean,
                "enabled": .boolean,
                "allow_tools": .stringList,
                "deny_tools": .stringList,
                "timeout": .integer(1...3600),
                "headers": .stringTable,
                "bearer_token_command": .string,
            ])),
        "serve": .table([
            "toolset": .choice(["full", "poc"]),
            "read_only": .boolean,
            "host": .string,
            "port": .integer(0...65535),
            "stateful": .boolean,
            "auth_token_env": .string,
            "allowed_hosts": .stringList,
            "allowed_origins": .stringList,
            "log_file": .string,
        ]),
    ]

    /// Which file to read: `--config`, then `$LEDGERCHAT_CONFIG`, then `$XDG_CONFIG_HOME/ledgerchat/config.toml`
    /// (`~/.config/…` when unset). `explicit` tells whether the user named it, so a missing file is an error.
    public static func locate(option: String?, environment: [String: String]) -> (path: String, explicit: Bool) {
        if let option, !option.isEmpty { return (expandTilde(option), true) }
        if let path = environment["LEDGERCHAT_CONFIG"], !path.isEmpty { return (expandTilde(path), true) }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".config")
        return ((base as NSString).appendingPathComponent("ledgerchat/config.toml"), false)
    }

    /// Loads the configuration. A missing default file means defaults; a missing file the user named is an error.
    public static func load(option: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> LedgerchatConfig
    {
        let (path, explicit) = locate(option: option, environment: environment)
        guard FileManager.default.fileExists(atPath: path) else {
            if explicit {
                throw ConfigError(
                    file: path, key: nil,
                    message: "file not found. Check the path, or copy config.example.toml there to start from the documented defaults.")
            }
            return LedgerchatConfig()
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: nil, message: "cannot be read as UTF-8 text")
        }
        var config = try parse(text, file: path, environment: environment)
        config.sourcePath = path
        return config
    }

    /// Parses and validates TOML text against `schema`, expanding `${VAR}` in strings.
    public static func parse(_ text: String, file: String, environment: [String: String]) throws -> LedgerchatConfig {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigError(
                file: file, key: nil,
                message: "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        var unset: [String: [String]] = [:]
        let root = try validate(table, against: schema, path: "", file: file, environment: environment, unset: &unset)
        var config = LedgerchatConfig()
        config.unsetVariables = unset
        if case .table(let ledger)? = root["ledger"] {
            config.ledgerPath = ledger["path"]?.stringValue.map(expandTilde)
            config.demoSeed = ledger["seed"]?.integerValue.map(UInt64.init)
            if let anchor = ledger["anchor_date"]?.stringValue {
                guard isISODate(anchor) else {
                    throw ConfigError(file: file, key: "ledger.anchor_date", message: "expected a date written YYYY-MM-DD, got \"\(anchor)\"")
                }
                config.demoAnchorDate = anchor
            }
        }
        config.defaultModel = root["default_model"]?.stringValue
        if case .table(let models)? = root["models"] {
            for (name, value) in models {
                guard case .table(let fields) = value else { continue }
                let provider = fields["provider"]?.stringValue
                guard let provider, let model = fields["model"]?.stringValue ?? (provider == "local" ? "local" : nil) else {
                    throw ConfigError(
                        file: file, key: "models.\(name)",
                        message: "needs at least provider (\"openai\", \"anthropic\" or \"local\") and model. See config.example.toml.")
                }
                var settings = ModelSettings(provider: provider, model: model)
                settings.baseURL = fields["base_url"]?.stringValue
                settings.apiKey = fields["api_key"]?.stringValue
                settings.temperature = fields["temperature"]?.numberValue
                settings.maxTokens = fields["max_tokens"]?.integerValue
                settings.contextWindow = fields["context_window"]?.integerValue
                settings.inputPricePerMillion = fields["input_price_per_million"]?.numberValue
                settings.outputPricePerMillion = fields["output_price_per_million"]?.numberValue
                settings.headers = fields["headers"]?.stringTableValue ?? [:]
                settings.timeout = fields["timeout"]?.integerValue
                settings.smallModelResilience = fields["small_model_resilience"]?.booleanValue
                settings.answerSlot = fields["answer_slot"]?.booleanValue
                config.models[name] = settings
            }
        }
        if let name = config.defaultModel, config.models[name] == nil {
            throw ConfigError(
                file: file, key: "default_model",
                message: "names \"\(name)\", but there is no [models.\(name)]; known models: \(config.models.keys.sorted().joined(separator: ", "))")
        }
        if case .table(let agent)? = root["agent"] {
            config.agent.maxRounds = agent["max_rounds"]?.integerValue
            config.agent.resultBudgetTokens = agent["result_budget_tokens"]?.integerValue
            config.agent.traceDirectory = agent["trace_dir"]?.stringValue.map(expandTilde)
        }
        config.mcpConfigPath = root["mcp_config"]?.stringValue.map(expandTilde)
        if case .table(let servers)? = root["servers"] {
            for (name, value) in servers {
                guard case .table(let fields) = value else { continue }
                var server = ServerSettings(
                    url: fields["url"]?.stringValue, command: fields["command"]?.stringValue, builtin: fields["builtin"]?.stringValue)
                let kinds = [server.url, server.command, server.builtin].compactMap { $0 }.count
                guard kinds == 1 else {
                    throw ConfigError(
                        file: file, key: "servers.\(name)",
                        message: kinds == 0
                            ? "needs one of url (Streamable HTTP), command (stdio) or builtin = \"demo\". See config.example.toml."
                            : "has more than one of url, command and builtin; keep exactly one.")
                }
                server.args = fields["args"]?.stringListValue ?? []
                server.env = fields["env"]?.stringTableValue ?? [:]
                server.cwd = fields["cwd"]?.stringValue.map(expandTilde)
                server.ledger = fields["ledger"]?.stringValue.map(expandTilde)
                server.toolset = fields["toolset"]?.stringValue
                server.readOnly = fields["read_only"]?.booleanValue
                server.enabled = fields["enabled"]?.booleanValue ?? true
                server.allowTools = fields["allow_tools"]?.stringListValue
                server.denyTools = fields["deny_tools"]?.stringListValue ?? []
                server.timeout = fields["timeout"]?.integerValue
                server.headers = fields["headers"]?.stringTableValue ?? [:]
                server.bearerTokenCommand = fields["bearer_token_command"]?.stringValue
                config.servers[name] = server
            }
        }
        if case .table(let serve)? = root["serve"] {
            config.serve.toolset = serve["toolset"]?.stringValue
            config.serve.readOnly = serve["read_only"]?.booleanValue
            config.serve.host = serve["host"]?.stringValue
            config.serve.port = serve["port"]?.integerValue
            config.serve.stateful = serve["stateful"]?.booleanValue
            config.serve.authTokenEnv = serve["auth_token_env"]?.stringValue
            config.serve.allowedHosts = serve["allowed_hosts"]?.stringListValue ?? []
            config.serve.allowedOrigins = serve["allowed_origins"]?.stringListValue ?? []
            config.serve.logFile = serve["log_file"]?.stringValue.map(expandTilde)
        }
        return config
    }

    static func validate(
        _ table: TOMLTable, against shape: [String: ConfigType], path: String, file: String, environment: [String: String],
        unset: inout [String: [String]]
    ) throws -> [String: ConfigValue] {
        var result: [String: ConfigValue] = [:]
        for key in table.keys.sorted() {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard let type = shape[key] else {
                let known = shape.keys.sorted().joined(separator: ", ")
                throw ConfigError(
                    file: file, key: keyPath,
                    message: "unknown key. Known keys\(path.isEmpty ? "" : " in [\(path)]"): \(known). See config.example.toml.")
            }
            result[key] = try value(table[key]!, as: type, keyPath: keyPath, file: file, environment: environment, unset: &unset)
        }
        return result
    }

    static func value(
        _ raw: TOMLValueConvertible, as type: ConfigType, keyPath: String, file: String, environment: [String: String],
        unset: inout [String: [String]]
    ) throws -> ConfigValue {
        func mismatch() -> ConfigError {
            ConfigError(file: file, key: keyPath, message: "expected \(type.expected), got \(describe(raw))")
        }
        switch type {
        case .string:
            guard let text = raw.string else { throw mismatch() }
            return .string(expand(text, keyPath: keyPath, environment: environment, unset: &unset))
        case .choice(let allowed):
            guard let text = raw.string else { throw mismatch() }
            let expanded = expand(text, keyPath: keyPath, environment: environment, unset: &unset)
            guard allowed.contains(expanded) else {
                throw ConfigError(file: file, key: keyPath, message: "expected \(type.expected), got \"\(expanded)\"")
            }
            return .string(expanded)
        case .integer(let range):
            guard raw.type == .int, let number = raw.int else { throw mismatch() }
            if let range, !range.contains(number) { throw mismatch() }
            return .integer(number)
        case .number(let range):
            let number: Double
            if raw.type == .double, let double = raw.double { number = double } else if raw.type == .int, let int = raw.int { number = Double(int) } else {
                throw mismatch()
            }
            if let range, !range.contains(number) { throw mismatch() }
            return .number(number)
        case .stringTable:
            guard let table = raw.table else { throw mismatch() }
            var strings: [String: String] = [:]
            for key in table.keys {
                guard let text = table[key]?.string else {
                    throw ConfigError(file: file, key: "\(keyPath).\(key)", message: "expected a string, got \(describe(table[key]!))")
                }
                strings[key] = expand(text, keyPath: "\(keyPath).\(key)", environment: environment, unset: &unset)
            }
            return .stringTable(strings)
        case .boolean:
            guard raw.type == .bool, let flag = raw.bool else { throw mismatch() }
            return .boolean(flag)
        case .stringList:
            guard let array = raw.array else { throw mismatch() }
            var items: [String] = []
            for element in array {
                guard let text = element.string else { throw mismatch() }
                items.append(expand(text, keyPath: keyPath, environment: environment, unset: &unset))
            }
            return .stringList(items)
        case .table(let shape):
            guard let table = raw.table else { throw mismatch() }
            return .table(try validate(table, against: shape, path: keyPath, file: file, environment: environment, unset: &unset))
        case .namedTables(let inner):
            guard let table = raw.table else { throw mismatch() }
            var named: [String: ConfigValue] = [:]
            for name in table.keys.sorted() {
                named[name] = try value(
                    table[name]!, as: inner, keyPath: "\(keyPath).\(name)", file: file, environment: environment, unset: &unset)
            }
            return .table(named)
        }
    }

    static func describe(_ raw: TOMLValueConvertible) -> String {
        switch raw.type {
        case .string: return "a string (\"\(raw.string ?? "")\")"
        case .int: return "an integer (\(raw.int ?? 0))"
        case .double: return "a floating-point number"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        default: return "a date or time"
        }
    }

    /// Replaces `${NAME}` with the environment variable's value. An unset variable becomes empty and is
    /// recorded, so the feature that needs it can say which variable to set.
    static func expand(_ text: String, keyPath: String, environment: [String: String], unset: inout [String: [String]]) -> String {
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                output += rest[start.lowerBound...]
                return output
            }
            let name = String(rest[start.upperBound..<end])
            if let value = environment[name] {
                output += value
            } else {
                unset[keyPath, default: []].append(name)
            }
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }

    static func expandTilde(_ path: String) -> String {
        path == "~" || path.hasPrefix("~/") ? NSHomeDirectory() + path.dropFirst() : path
    }

    static func isISODate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count == 3 && parts.map(\.count) == [4, 2, 2] && parts.allSatisfy { $0.allSatisfy(\.isNumber) }
    }
}

extension ConfigValue {
    var stringValue: String? { if case .string(let value) = self { return value } else { return nil } }
    var integerValue: Int? { if case .integer(let value) = self { return value } else { return nil } }
    var booleanValue: Bool? { if case .boolean(let value) = self { return value } else { return nil } }
    var numberValue: Double? { if case .number(let value) = self { return value } else { return nil } }
    var stringTableValue: [String: String]? { if case .stringTable(let value) = self { return value } else { return nil } }
    var stringListValue: [String]? { if case .stringList(let value) = self { return value } else { return nil } }
}
