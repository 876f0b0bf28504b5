import AccountingServer
import Config
import Foundation
import MCP
import Synchronization

/// One configured MCP server: its name, where it is, and where that was said.
public struct ServerDefinition: Sendable, Equatable {
    public var name: String
    public var settings: ServerSettings
    /// The file it came from (config.toml or a Claude Desktop JSON), for messages.
    public var origin: String

    public init(name: String, settings: ServerSettings, origin: String) {
        self.name = name
        self.settings = settings
        self.origin = origin
    }

    /// "built-in demo ledger", "stdio: python3 server.py" or "http: https://…", for status lines.
    public var kind: String {
        if let url = settings.url { return "http \(url)" }
        if let command = settings.command { return "stdio " + ([command] + settings.args).joined(separator: " ") }
        return "built-in demo ledger"
    }
}

/// A configuration of servers that cannot be used as written.
public struct ServerConfigError: Error, CustomStringConvertible, LocalizedError {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Reads the servers a configuration names: `[servers.NAME]`, then `mcp_config` and `--mcp-config` files in
/// Claude Desktop's format. With none at all, the built-in demo ledger is the one server.
public enum ServerCatalog {
    public static func definitions(config: LedgerchatConfig, extraMCPConfig: String? = nil) throws -> [ServerDefinition] {
        let origin = config.sourcePath ?? "config.toml"
        var definitions = config.servers.keys.sorted().map { ServerDefinition(name: $0, settings: config.servers[$0]!, origin: origin) }
        for path in [config.mcpConfigPath, extraMCPConfig].compactMap({ $0 }) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ServerConfigError("\(path): file not found. Check the path given to --mcp-config or mcp_config.")
            }
            for (name, settings) in try claudeDesktopServers(data, file: path).sorted(by: { $0.key < $1.key }) {
                if let existing = definitions.first(where: { $0.name == name }) {
                    throw ServerConfigError(
                        "\(path): server \"\(name)\" is also defined in \(existing.origin); rename one of them.")
                }
                definitions.append(ServerDefinition(name: name, settings: settings, origin: path))
            }
        }
        if definitions.isEmpty {
            definitions = [ServerDefinition(name: "demo", settings: ServerSettings(builtin: "demo"), origin: "default")]
        }
        return definitions
    }

    /// `{"mcpServers": {"NAME": {"command", "args", "env", "cwd"} | {"url", "headers"}}}` as Claude Desktop (and
    /// Cursor, Claude Code, VS Code) write it. Keys ledgerchat does not use (e.g. "type") are accepted.
    public static func claudeDesktopServers(_ data: Data, file: String) throws -> [String: ServerSettings] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ServerConfigError("\(file): not a JSON object. Expected {\"mcpServers\": {\"NAME\": {\"command\": …}}}.")
        }
        guard let servers = root["mcpServers"] as? [String: Any] else {
            throw ServerConfigError("\(file): no \"mcpServers\" object. Expected {\"mcpServers\": {\"NAME\": {\"command\": …}}}.")
        }
        var result: [String: ServerSettings] = [:]
        for (name, value) in servers {
            guard let entry = value as? [String: Any] else {
                throw ServerConfigError("\(file): mcpServers.\(name): expected an object with command or url.")
            }
            func strings(_ key: String) throws -> [String] {
                guard let raw = entry[key] else { return [] }
                guard let list = raw as? [String] else { throw ServerConfigError("\(file): mcpServers.\(name).\(key): expected a list of strings.") }
                return list
            }
            func table(_ key: String) throws -> [String: String] {
                guard let raw = entry[key] else { return [:] }
                guard let object = raw as? [String: Any] else {
                    throw ServerConfigError("\(file): mcpServers.\(name).\(key): expected an object of strings.")
                }
                return object.mapValues { "\($0)" }
            }
            var settings: ServerSettings
            if let command = entry["command"] as? String {
                settings = ServerSettings(command: command)
                settings.args = try strings("args")
                settings.env = try table("env")
                settings.cwd = entry["cwd"] as? String
            } else if let url = (entry["url"] ?? entry["serverUrl"]) as? String {
                settings = ServerSettings(url: url)
                settings.headers = try table("headers")
            } else {
                throw ServerConfigError("\(file): mcpServers.\(name): needs \"command\" (stdio) or \"url\" (Streamable HTTP).")
            }
            if let disabled = entry["disabled"] as? Bool { settings.enabled = !disabled }
            result[name] = settings
        }
        return result
    }
}

/// The servers in use: each enabled definition made into a `ToolServer`, with its tool filters applied.
public final class ServerRegistry: Sendable {
    /// Enabled servers, in configuration order.
    public let servers: [ConfiguredServer]
    /// Servers switched off with `enabled = false`.
    public let disabled: [ServerDefinition]

    /// - Parameters:
    ///   - openBuiltin: makes the accounting service for a `builtin = "demo"` server (opening its ledger).
    ///   - stderrLog: where stdio servers' stderr lines are appended.
    public init(
        definitions: [ServerDefinition], stderrLog: ServerLogFile? = nil,
        openBuiltin: (ServerSettings) throws -> AccountingService
    ) throws {
        var servers: [ConfiguredServer] = []
        var disabled: [ServerDefinition] = []
        for definition in definitions {
            guard definition.settings.enabled else {
                disabled.append(definition)
                continue
            }
            let settings = definition.settings
            let name = definition.name
            let timeout = Duration.seconds(settings.timeout ?? 60)
            let server: any ToolServer
            if settings.builtin != nil {
                server = BuiltinServer(name: name, service: try openBuiltin(settings))
            } else if let command = settings.command {
                server = MCPConnection(name: name, timeout: timeout) { ended in
                    StdioProcessTransport(
                        name: name, command: command, arguments: settings.args, environment: settings.env, workingDirectory: settings.cwd,
                        stderrSink: { line in stderrLog?.append(server: name, line: line) }, onExit: ended)
                }
            } else if let url = settings.url {
                server = MCPConnection(name: name, timeout: timeout) { _ in
                    StreamableHTTPTransport(name: name, url: url, headers: settings.headers, bearerTokenCommand: settings.bearerTokenCommand)
                }
            } else {
                throw ServerConfigError("\(definition.origin): servers.\(name) needs one of url, command or builtin.")
            }
            servers.append(ConfiguredServer(definition: definition, base: server))
        }
        self.servers = servers
        self.disabled = disabled
    }

    /// The server called `name`, if enabled.
    public func server(named name: String) -> ConfiguredServer? { servers.first { $0.name == name } }

    /// Connects every server at once (each failure is kept in its status, not thrown).
    public func connectAll() async {
        await withTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { _ = try? await server.tools() } }
        }
    }

    /// Stops every server process and ends every session.
    public func shutdown() async {
        await withTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { await server.disconnect() } }
        }
    }
}

/// A server with the configuration's `allow_tools` and `deny_tools` applied.
public struct ConfiguredServer: ToolServer {
    public let definition: ServerDefinition
    public let base: any ToolServer

    public var name: String { definition.name }

    public func tools() async throws -> [Tool] {
        try await base.tools().filter(isAllowed)
    }

    public func call(_ name: String, arguments: [String: Value]) async throws -> CallTool.Result {
        guard isAllowed(name) else {
            return CallTool.Result(
                content: [.text(text: "The tool \(name) of server \(self.name) is not allowed by the configuration (allow_tools / deny_tools).", annotations: nil, _meta: nil)],
                isError: true)
        }
        return try await base.call(name, arguments: arguments)
    }

    public func disconnect() async { await base.disconnect() }
    public func currentStatus() async -> ServerStatus { await base.currentStatus() }

    private func isAllowed(_ tool: Tool) -> Bool { isAllowed(tool.name) }

    private func isAllowed(_ name: String) -> Bool {
        if definition.settings.denyTools.contains(name) { return false }
        if let allow = definition.settings.allowTools { return allow.contains(name) }
        return true
    }
}

/// An append-only log file for what MCP server processes print on stderr, one line per entry with the server's name.
public final class ServerLogFile: Sendable {
    public let path: String
    private let handle: Mutex<FileHandle?>

    public init(path: String) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        self.handle = Mutex(handle)
    }

    /// `$XDG_STATE_HOME/ledgerchat/servers.log` (`~/.local/state/…` when unset).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        StateDirectory.file("servers.log", environment: environment)
    }

    public func append(server: String, line: String) {
        let data = Data("\(Date().ISO8601Format()) [\(server)] \(line)\n".utf8)
        handle.withLock { handle in try? handle?.write(contentsOf: data) }
    }
}
