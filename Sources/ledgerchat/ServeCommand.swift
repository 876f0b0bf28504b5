import AccountingServer
import ArgumentParser
import Config
import Foundation
import Ledger

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the accounting MCP server over stdio or Streamable HTTP.",
        discussion: """
            Over HTTP the endpoint is /mcp and GET /health reports status. It binds 127.0.0.1 by default; any \
            other address needs --auth-token-env VAR (a static bearer token read from that environment variable) \
            or an explicit --insecure-no-auth. Requests whose Host or Origin is not allowed get 403. \
            Logs are JSON lines on stderr (never stdout) and in --log-file.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    @Flag(name: .long, help: "Speak MCP over stdin/stdout.")
    var stdio = false

    @Flag(name: .long, help: "Speak MCP Streamable HTTP.")
    var http = false

    @Option(name: .long, help: "Address to bind (default 127.0.0.1).")
    var host: String?

    @Option(name: .long, help: "Port to listen on; 0 picks a free one (default 8000).")
    var port: Int?

    @Flag(name: .long, help: "Sessions with Mcp-Session-Id, SSE responses, a GET stream, resumption and DELETE (default: stateless JSON).")
    var stateful = false

    @Option(name: .long, help: "Toolset to offer: full (default) or poc (the original six tools).")
    var toolset: String?

    @Flag(name: .customLong("read-only"), help: "Hide every tool that writes.")
    var readOnly = false

    @Option(name: .customLong("auth-token-env"), help: ArgumentHelp("Require 'Authorization: Bearer <token>', the token read from this environment variable.", valueName: "VAR"))
    var authTokenEnv: String?

    @Flag(name: .customLong("insecure-no-auth"), help: "Allow a non-loopback bind address without a token.")
    var insecureNoAuth = false

    @Option(name: .customLong("allowed-host"), help: ArgumentHelp("Also accept this Host header (repeatable).", valueName: "name"))
    var allowedHosts: [String] = []

    @Option(name: .customLong("allowed-origin"), help: ArgumentHelp("Also accept this Origin, e.g. https://app.example.com (repeatable).", valueName: "origin"))
    var allowedOrigins: [String] = []

    @Option(name: .customLong("log-file"), help: ArgumentHelp("Also append the JSON log lines to this file.", valueName: "file"))
    var logFile: String?

    @Option(name: .long, help: ArgumentHelp("Measure 'today' and 'overdue' from this date instead of the clock (YYYY-MM-DD).", valueName: "date"))
    var today: String?

    @Flag(name: .customLong("no-result-cache"), help: "Run every read again instead of answering a repeated one from memory while the ledger is unchanged.")
    var noResultCache = false

    func validate() throws {
        if stdio == http {
            throw ValidationError("Choose one transport: `ledgerchat serve --stdio` or `ledgerchat serve --http`.")
        }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535; got \(port)") }
    }

    func run() async throws {
        let config = try common.loadConfig()
        let toolsetName = toolset ?? config.serve.toolset ?? Toolset.full.rawValue
        guard let toolset = Toolset(rawValue: toolsetName) else {
            throw CLIError("--toolset must be one of \(Toolset.allCases.map(\.rawValue).joined(separator: ", ")); got '\(toolsetName)'")
        }
        let fixedToday = try today.map { try parseDate($0, option: "--today") }
        let options = AccountingServerOptions(
            toolset: toolset, readOnly: readOnly || (config.serve.readOnly ?? false), cacheResults: !noResultCache,
            today: { fixedToday ?? .today() })

        var httpOptions = HTTPServeOptions()
        if http {
            // Check the safety rules before touching the ledger, so a refused start changes nothing.
            httpOptions.host = host ?? config.serve.host ?? "127.0.0.1"
            httpOptions.port = port ?? config.serve.port ?? 8000
            httpOptions.stateful = stateful || (config.serve.stateful ?? false)
            httpOptions.allowedHosts = config.serve.allowedHosts + allowedHosts
            httpOptions.allowedOrigins = config.serve.allowedOrigins + allowedOrigins
            if let variable = authTokenEnv ?? config.serve.authTokenEnv {
                guard let token = ProcessInfo.processInfo.environment[variable], !token.isEmpty else {
                    throw CLIError("--auth-token-env \(variable): the environment variable \(variable) is not set or empty; export the token in it first.")
                }
                httpOptions.authToken = token
            }
            do {
                try HTTPSecurityPolicy.checkBind(host: httpOptions.host, hasToken: httpOptions.authToken != nil, insecureNoAuth: insecureNoAuth)
            } catch let error as ToolCallError {
                throw CLIError(error.message)
            }
        }

        let log: ServerLog
        do { log = try ServerLog(toStandardError: true, filePath: logFile ?? config.serve.logFile) } catch let error as ToolCallError {
            throw CLIError(error.message)
        }
        let store = try ledgerOptions.open(config: config)
        let service = AccountingService(store: store, options: options, log: log)

        if stdio {
            log.write("server_start", ["transport": "stdio", "toolset": .string(toolset.rawValue), "ledger": .string(store.path ?? "")])
            try await AccountingStdioServer.run(service: service)
            return
        }
        let mode = httpOptions.stateful ? "stateful" : "stateless"
        let shownHost = httpOptions.host.contains(":") ? "[\(httpOptions.host)]" : httpOptions.host
        let ledgerPath = store.path ?? ""
        let toolCount = service.tools.count
        let authenticated = httpOptions.authToken != nil
        do {
            try await AccountingHTTPServer.run(service: service, options: httpOptions) { port in
                printError(
                    "ledgerchat serve: listening on http://\(shownHost):\(port)/mcp (\(mode), toolset \(toolset.rawValue), "
                        + "\(toolCount) tools, \(authenticated ? "bearer token required" : "no authentication"), ledger \(ledgerPath))")
            }
        } catch {
            throw CLIError(
                "Could not serve on \(httpOptions.host):\(httpOptions.port): \(error). Is the port in use? Try another with --port, or --port 0 for a free one.")
        }
    }
}
