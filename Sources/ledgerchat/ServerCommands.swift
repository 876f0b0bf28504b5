import AccountingServer
import Agent
import ArgumentParser
import Config
import Foundation
import Ledger
import MCP
import MCPClient
import Render

/// Which MCP servers a command uses: `[servers.*]` and `mcp_config` from the config, plus `--mcp-config`.
struct ServerOptions: ParsableArguments {
    @Option(
        name: .customLong("mcp-config"),
        help: ArgumentHelp("A Claude Desktop style JSON file ({\"mcpServers\": {…}}) whose servers are used too.", valueName: "file"))
    var mcpConfig: String?

    /// Every configured server, ready to connect on first use. The built-in ledger opens `ledgerOptions`' file
    /// unless its section names another.
    /// `toolset` overrides the built-in ledger's tool set (the chat's /toolset).
    func registry(config: LedgerchatConfig, ledgerOptions: LedgerOptions, today: LedgerDate?, toolset override: Toolset? = nil) throws -> ServerRegistry {
        let definitions: [ServerDefinition]
        do { definitions = try ServerCatalog.definitions(config: config, extraMCPConfig: mcpConfig) } catch let error as ServerConfigError {
            throw CLIError(error.message)
        }
        return try ServerRegistry(definitions: definitions, stderrLog: ServerLogFile(path: ServerLogFile.defaultPath())) { settings in
            var options = ledgerOptions
            if let ledger = settings.ledger { options.ledger = ledger }
            let store = try options.open(config: config)
            let toolset = override ?? settings.toolset.flatMap(Toolset.init(rawValue:)) ?? .full
            return AccountingService(
                store: store, options: AccountingServerOptions(toolset: toolset, readOnly: settings.readOnly ?? false, today: { today ?? .today() }))
        }
    }
}

/// `ledgerchat servers`: the status of each configured MCP server.
struct ServersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servers",
        abstract: "Connect to every configured MCP server and show whether it is up, and how many tools it offers.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var serverOptions: ServerOptions

    @Flag(name: .long, help: "Print a JSON array instead of a table.")
    var json = false

    func run() async throws {
        SignalCleanup.install()
        let config = try common.loadConfig()
        let registry = try serverOptions.registry(config: config, ledgerOptions: ledgerOptions, today: nil)
        await registry.connectAll()
        var rows: [[String]] = []
        var objects: [Value] = []
        var anyDown = false
        for server in registry.servers {
            let status = await server.currentStatus()
            let count = status.isUp ? (try? await server.tools().count) : nil
            anyDown = anyDown || !status.isUp
            rows.append([server.name, server.definition.kind, status.isUp ? "up" : "down", count.map(String.init) ?? "–", status.description])
            objects.append([
                "name": .string(server.name), "kind": .string(server.definition.kind), "up": .bool(status.isUp),
                "status": .string(status.description), "tools": count.map { .int($0) } ?? .null,
                "origin": .string(server.definition.origin),
            ])
        }
        for definition in registry.disabled {
            rows.append([definition.name, definition.kind, "off", "–", "enabled = false"])
            objects.append(["name": .string(definition.name), "kind": .string(definition.kind), "up": false, "status": "disabled", "tools": .null])
        }
        await registry.shutdown()
        if json {
            print(JSONOutput.encode(.array(objects)))
        } else {
            let table = Table(
                columns: [.init("Server"), .init("Kind", shrinkable: true), .init("State"), .init("Tools", alignment: .right), .init("Status", shrinkable: true)],
                rows: rows)
            print(TableLayout.lines(table, width: TerminalSize.columns() ?? 120).joined(separator: "\n"))
        }
        if anyDown { throw ExitCode(1) }
    }
}

/// `ledgerchat tools list|call`: the MCP tools themselves, with no LLM — an Inspector-style check.
struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "List the MCP tools of the configured servers, or call one directly (no LLM involved).",
        subcommands: [ToolsListCommand.self, ToolsCallCommand.self])
}

struct ToolsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every tool: name, server, read-only or write, description and parameters.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var serverOptions: ServerOptions

    @Option(name: .long, help: ArgumentHelp("Only this server's tools.", valueName: "name"))
    var server: String?

    @Flag(name: .long, help: "Print a JSON array of the tools as the servers describe them (with \"server\" added).")
    var json = false

    func run() async throws {
        SignalCleanup.install()
        let config = try common.loadConfig()
        let registry = try serverOptions.registry(config: config, ledgerOptions: ledgerOptions, today: nil)
        let servers: [ConfiguredServer]
        do { servers = try selectServers(registry, named: server) } catch {
            await registry.shutdown()
            throw error
        }
        var objects: [Value] = []
        var text: [String] = []
        var failed = false
        for server in servers {
            let tools: [Tool]
            do { tools = try await server.tools() } catch {
                failed = true
                printError("Error: \(server.name): \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
                continue
            }
            for tool in tools {
                let encoded = (try? JSONEncoder().encode(tool)).flatMap { try? JSONDecoder().decode(Value.self, from: $0) }
                if case .object(var object)? = encoded {
                    object["server"] = .string(server.name)
                    objects.append(.object(object))
                }
                text.append(Self.describe(tool, server: server.name))
            }
        }
        await registry.shutdown()
        if json {
            print(JSONOutput.encode(.array(objects)))
        } else {
            print(text.joined(separator: "\n\n"))
        }
        if failed { throw ExitCode(1) }
    }

    static func describe(_ tool: Tool, server: String) -> String {
        let access = tool.annotations.readOnlyHint == true ? "read-only" : (tool.annotations.destructiveHint == true ? "write, destructive" : "write")
        var lines = ["\(tool.name)  [\(server), \(access)]"]
        if let description = tool.description, !description.isEmpty {
            lines.append("  " + description.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n  "))
        }
        if case .object(let schema) = tool.inputSchema, case .object(let properties)? = schema["properties"], !properties.isEmpty {
            var required: Set<String> = []
            if case .array(let names)? = schema["required"] { required = Set(names.compactMap(\.stringValue)) }
            lines.append("  parameters:")
            for (name, property) in properties.sorted(by: { $0.key < $1.key }) {
                let types = ArgumentRepair.typeNames(property).filter { $0 != "null" }
                var detail = types.isEmpty ? "any" : types.joined(separator: " or ")
                if case .object(let object) = property, case .array(let choices)? = object["enum"] {
                    detail += " (" + choices.map { $0.stringValue ?? "\($0)" }.joined(separator: "|") + ")"
                }
                lines.append("    \(name): \(detail)\(required.contains(name) ? ", required" : "")")
            }
        }
        return lines.joined(separator: "\n")
    }
}

struct ToolsCallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call one tool and print its result: the text, then a table for structured content.",
        discussion: """
            Arguments come as --arg key=value (repeatable; numbers and true/false are converted as the tool's schema \
            says) or as one JSON object with --json-args. Write tools run without asking: this is a direct call.
            Exit status: 0 done, 1 the tool reported an error or the server failed, 2 usage error.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var ledgerOptions: LedgerOptions
    @OptionGroup var serverOptions: ServerOptions

    @Argument(help: "The tool's name, e.g. list_invoices.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("The server whose tool to call (needed when several offer the name).", valueName: "name"))
    var server: String?

    @Option(name: .customLong("arg"), help: ArgumentHelp("An argument as key=value (repeatable).", valueName: "key=value"))
    var arguments: [String] = []

    @Option(name: .customLong("json-args"), help: ArgumentHelp("All arguments as one JSON object.", valueName: "json"))
    var jsonArguments: String?

    @Flag(name: .long, help: "Print the raw MCP result as JSON.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Measure 'today' and 'overdue' from this date (YYYY-MM-DD), for the built-in ledger.", valueName: "date"))
    var today: String?

    func validate() throws {
        if !arguments.isEmpty && jsonArguments != nil { throw ValidationError("Use either --arg or --json-args, not both.") }
        for argument in arguments where !argument.contains("=") {
            throw ValidationError("--arg takes key=value, e.g. --arg limit=5; got '\(argument)'")
        }
        if let today, LedgerDate(iso: today) == nil { throw ValidationError("--today must be a date written YYYY-MM-DD; got '\(today)'") }
    }

    func run() async throws {
        SignalCleanup.install()
        let config = try common.loadConfig()
        let registry = try serverOptions.registry(config: config, ledgerOptions: ledgerOptions, today: today.flatMap(LedgerDate.init(iso:)))
        let servers: [ConfiguredServer]
        do { servers = try selectServers(registry, named: server) } catch {
            await registry.shutdown()
            throw error
        }
        var found: [(ConfiguredServer, Tool)] = []
        var failures: [String] = []
        for server in servers {
            do {
                if let tool = try await server.tools().first(where: { $0.name == name }) { found.append((server, tool)) }
            } catch {
                failures.append("\(server.name): \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
            }
        }
        guard let (target, tool) = found.first else {
            await registry.shutdown()
            let known = failures.isEmpty ? "" : " (unreachable: \(failures.joined(separator: "; ")))"
            throw CLIError("No server offers a tool called \(name)\(known). See `ledgerchat tools list`.")
        }
        if found.count > 1 {
            await registry.shutdown()
            throw CLIError("\(name) is offered by \(found.map(\.0.name).joined(separator: ", ")); choose one with --server.")
        }
        let callArguments: [String: Value]
        do { callArguments = try parsedArguments(schema: tool.inputSchema) } catch let error as CLIError {
            await registry.shutdown()
            printError("Error: \(error)")
            throw ExitCode(2)
        }
        let result: CallTool.Result
        do { result = try await target.call(name, arguments: callArguments) } catch {
            await registry.shutdown()
            throw CLIError((error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
        await registry.shutdown()
        if json {
            let encoded = (try? JSONEncoder().encode(result)).flatMap { try? JSONDecoder().decode(Value.self, from: $0) } ?? .null
            print(JSONOutput.encode(encoded))
        } else {
            let text = result.content.compactMap { content -> String? in
                if case .text(let text, _, _) = content { return text }
                return nil
            }.joined(separator: "\n")
            if !text.isEmpty { print(text) }
            if result.isError != true, let structured = result.structuredContent {
                let width = TerminalSize.columns() ?? 120
                for table in TableRenderer.tables(from: structured, schema: tool.outputSchema) where !table.rows.isEmpty {
                    print("\n" + TableLayout.lines(table, width: width).joined(separator: "\n"))
                }
            }
        }
        if result.isError == true { throw ExitCode(1) }
    }

    /// `--json-args`, or `--arg` pairs converted by the tool's input schema.
    func parsedArguments(schema: Value) throws -> [String: Value] {
        if let jsonArguments {
            guard let value = try? JSONDecoder().decode(Value.self, from: Data(jsonArguments.utf8)), case .object(let object) = value else {
                throw CLIError("--json-args must be a JSON object, e.g. '{\"limit\": 5}'")
            }
            return object
        }
        var properties: [String: Value] = [:]
        if case .object(let object) = schema, case .object(let declared)? = object["properties"] { properties = declared }
        var result: [String: Value] = [:]
        for pair in arguments {
            let key = String(pair[..<pair.firstIndex(of: "=")!])
            let raw = String(pair[pair.index(after: pair.firstIndex(of: "=")!)...])
            guard let value = ArgumentRepair.typed(raw, schema: properties[key]) else {
                let expected = ArgumentRepair.typeNames(properties[key]).sorted().joined(separator: " or ")
                throw CLIError("--arg \(key): expected \(expected), got '\(raw)'")
            }
            result[key] = value
        }
        return result
    }
}

/// The servers a command works on: all, or the one `--server` names.
func selectServers(_ registry: ServerRegistry, named name: String?) throws -> [ConfiguredServer] {
    guard let name else { return registry.servers }
    guard let server = registry.server(named: name) else {
        throw CLIError("No enabled server called \(name). Configured: \(registry.servers.map(\.name).joined(separator: ", ")). See `ledgerchat servers`.")
    }
    return [server]
}
