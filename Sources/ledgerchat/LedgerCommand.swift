import AccountingServer
import ArgumentParser
import Foundation
import Ledger

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "Create and check ledgers.",
        subcommands: [LedgerInitCommand.self, LedgerCheckCommand.self])
}

struct LedgerInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a fresh demo ledger for Muster Digital GmbH.",
        discussion: "The same seed and anchor date always give the same ledger, so demos and tests can pin it.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Where to write the ledger (default: ~/.local/share/ledgerchat/demo.sqlite).", valueName: "file"))
    var path: String?

    @Option(name: .customLong("anchor-date"), help: ArgumentHelp("The story's 'today', YYYY-MM-DD (default: today).", valueName: "date"))
    var anchorDate: String?

    @Option(name: .long, help: "Random seed for the generator.")
    var seed: UInt64?

    @Flag(name: .long, help: "Replace the file if it exists.")
    var force = false

    func run() async throws {
        let config = try common.loadConfig()
        let path = self.path ?? config.ledgerPath ?? LedgerLocation.defaultPath
        let anchor = try (anchorDate ?? config.demoAnchorDate).map { try parseDate($0, option: "--anchor-date") } ?? .today()
        let seed = self.seed ?? config.demoSeed ?? DemoLedger.defaultSeed
        do {
            let counts = try LedgerLocation.initialize(at: path, seed: seed, anchor: anchor, force: force)
            print("Created \(path): \(DemoLedger.companyName), \(counts), anchor date \(anchor.iso), seed \(seed).")
        } catch let error as LedgerError {
            throw CLIError(error.description)
        }
    }
}

struct LedgerCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check that a ledger's books agree with themselves (totals, payments, statuses, balances).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    func run() async throws {
        let store = try ledgerOptions.open(config: try common.loadConfig())
        let problems = try store.invariantViolations()
        if problems.isEmpty {
            print("The ledger is consistent: every total, payment, status and balance agrees.")
        } else {
            for problem in problems { print("✗ \(problem)") }
            throw ExitCode(1)
        }
    }
}
