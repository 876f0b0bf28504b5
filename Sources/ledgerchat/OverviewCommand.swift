import AccountingServer
import ArgumentParser
import Foundation
import Ledger

/// What `ledgerchat` shows when run without a command: the ledger at a glance and what to do next.
struct OverviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview", abstract: "Show the ledger at a glance and how to reach it over MCP.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var ledgerOptions: LedgerOptions

    func run() async throws {
        try Self.show(common: common, ledgerOptions: ledgerOptions)
    }

    static func show(common: CommonOptions, ledgerOptions: LedgerOptions) throws {
        let store = try ledgerOptions.open(config: try common.loadConfig())
        let service = AccountingService(store: store)
        guard let (company, counts) = try store.companyInfo() else {
            throw CLIError("The ledger is empty. Create one with `ledgerchat ledger init`.")
        }
        let today = LedgerDate.today()
        let aging = try store.receivablesAging(asOf: today)
        let accounts = try store.listBankAccounts()
        print("""
            \(company.name) — \(store.path ?? "in memory")
              \(counts["contact"] ?? 0) contacts · \(counts["invoice"] ?? 0) invoices · \(counts["voucher"] ?? 0) vouchers · \
            \(counts["bank_transaction"] ?? 0) bank transactions
              Receivables: \(Money.format(cents: aging.totalOutstandingCents)), overdue \(Money.format(cents: aging.overdueOutstandingCents))
              Bank balance: \(Money.format(cents: accounts.reduce(0) { $0 + $1.balanceCents }))

            The accounting MCP server offers \(service.tools.count) tools: \(service.tools.map(\.name).joined(separator: ", ")).
              ledgerchat serve --stdio          for Claude Desktop and other stdio clients
              ledgerchat serve --http           Streamable HTTP on http://127.0.0.1:8000/mcp
              ledgerchat ledger init --force    a fresh demo ledger
            """)
    }
}
