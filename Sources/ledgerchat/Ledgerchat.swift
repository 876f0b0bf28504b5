import AccountingServer
import ArgumentParser
import Config
import Foundation
import Processes
import Ledger

@main
struct Ledgerchat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgerchat",
        abstract: "Ask your accounting data questions from the terminal, over MCP.",
        discussion: """
            Works offline on a built-in demo ledger ("Muster Digital GmbH") and a local model. `ledgerchat` opens the \
            chat; `ledgerchat ask "…"` answers once for scripts; `ledgerchat overview` shows the ledger at a glance; \
            serve the accounting MCP server with `ledgerchat serve --stdio` or `ledgerchat serve --http`, \
            make a fresh demo ledger with `ledgerchat ledger init`, and compare models on the scenario suite with \
            `ledgerchat compare`.
            """,
        version: ProductInfo.version,
        subcommands: [ChatCommand.self, OverviewCommand.self, AskCommand.self, ToolsCommand.self, ServersCommand.self, ServeCommand.self, LedgerCommand.self, CompareCommand.self, BenchRenderCommand.self],
        defaultSubcommand: ChatCommand.self)

    /// As argument-parser's, except that a usage error exits with 2, as every command's help promises (scripts tell
    /// "you called it wrong" from "it failed" by that), instead of 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                writeStandardError(fullMessage(for: error) + "\n")
                Foundation.exit(2)
            }
            fflush(nil)  // what stdout holds first, then the error (see writeStandardError)
            exit(withError: error)
        }
    }
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (default: $LEDGERCHAT_CONFIG, then ~/.config/ledgerchat/config.toml).", valueName: "file"))
    var config: String?

    func loadConfig() throws -> LedgerchatConfig {
        do { return try LedgerchatConfig.load(option: config) } catch let error as ConfigError {
            throw CLIError(error.description)
        }
    }
}

/// Which ledger a command opens.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Ledger file to open; created with demo data if missing (default: ~/.local/share/ledgerchat/demo.sqlite).", valueName: "file"))
    var ledger: String?

    /// Opens the chosen ledger, creating the demo ledger on first use and saying so on stderr.
    func open(config: LedgerchatConfig) throws -> LedgerStore {
        let path = ledger ?? config.ledgerPath ?? LedgerLocation.defaultPath
        let anchor = try config.demoAnchorDate.map { try parseDate($0, option: "ledger.anchor_date") } ?? .today()
        do {
            let (store, created) = try LedgerLocation.openOrCreateDemo(
                at: path, seed: config.demoSeed ?? DemoLedger.defaultSeed, anchor: anchor)
            if let created { printError("Created the demo ledger at \(path) (\(created)).") }
            return store
        } catch let error as LedgerError {
            throw CLIError(error.description)
        }
    }
}

func parseDate(_ text: String, option: String) throws -> LedgerDate {
    guard let date = LedgerDate(iso: text) else {
        throw CLIError("\(option) must be a date written YYYY-MM-DD, e.g. 2026-11-25; got '\(text)'")
    }
    return date
}

/// Ctrl-C or a kill also stops the servers ledgerchat started (stdio MCP servers, the local model), which `atexit`
/// alone would miss.
enum SignalCleanup {
    static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { received in
                ChildProcesses.shared.terminateAll()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}

func printError(_ text: String) {
    writeStandardError(text + "\n")
}

/// Writes to stderr after what stdout holds so far: with both going to one file (`> report.txt 2>&1`), a buffered
/// stdout otherwise came out after, or in the middle of a line of, what was written to stderr later.
func writeStandardError(_ text: String) {
    fflush(nil)
    FileHandle.standardError.write(Data(text.utf8))
}

/// A failure the user can act on: printed as "Error: <message>" without the usage text, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
