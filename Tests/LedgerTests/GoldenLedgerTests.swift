import Foundation
import GRDB
import TestSupport
import Testing

@testable import Ledger

/// Pins the demo ledger for seed 42 and anchor 2026-11-25. A change here means every demo, scenario and
/// screenshot built on the demo data changes too: update these figures only on purpose.
@Suite("Golden demo ledger (seed 42, anchor 2026-11-25)")
struct GoldenLedgerTests {
    @Test func summary() throws {
        let (store, counts) = try demoStore()
        #expect(counts == DemoLedger.Counts(contacts: 36, invoices: 120, vouchers: 246, bankAccounts: 3, transactions: 433, payments: 411))

        var query = InvoiceQuery(asOf: goldenAnchor)
        query.limit = 500
        let invoices = try store.listInvoices(query).items
        let byStatus = Dictionary(grouping: invoices, by: \.status).mapValues(\.count)
        #expect(byStatus == [.draft: 6, .open: 16, .partially_paid: 4, .paid: 93, .cancelled: 1])
        #expect(invoices.filter { $0.isOverdue(on: goldenAnchor) }.count == 7)
        #expect(invoices.filter { $0.status != .draft && $0.status != .cancelled }.reduce(0) { $0 + $1.grossCents } == 46_646_383)
        #expect(invoices.prefix(5).map(\.number) == ["RE-1119", "RE-1118", "RE-1117", "RE-1116", "RE-1115"])

        let balances = try store.listBankAccounts().map(\.balanceCents)
        #expect(balances == [6_429_950, 467_067, 2_278])

        let aging = try store.receivablesAging(asOf: goldenAnchor)
        #expect(aging.totalOutstandingCents == 7_370_101)
        #expect(aging.overdueOutstandingCents == 2_802_183)
        #expect(aging.buckets.map(\.count) == [13, 3, 1, 1, 2])
        // Per customer, most owed first: Müller GmbH's three unpaid invoices (one of them overdue) add up to most.
        #expect(aging.customers.count == 13)
        #expect(aging.customers.prefix(3).map(\.name) == ["Müller GmbH", "Fitnessstudio Kraftwerk", "Praxis Dr. Wagner"])
        #expect(aging.customers.first == OwedByCustomer(
            contactId: aging.customers[0].contactId, name: "Müller GmbH", invoices: 3, outstandingCents: 2_098_469, overdueCents: 418_249))
        #expect(aging.customers.reduce(0) { $0 + $1.outstandingCents } == aging.totalOutstandingCents)
        #expect(aging.customers.reduce(0) { $0 + $1.overdueCents } == aging.overdueOutstandingCents)
        #expect(aging.customers.reduce(0) { $0 + $1.invoices } == aging.items.count)

        let voucherTax = try store.summarize(.vouchers, by: .tax_rate, from: nil, to: nil).groups
        #expect(voucherTax.map(\.key) == ["19 %", "7 %", "0 %"])
        #expect(voucherTax.map(\.grossCents) == [8_059_371, 371_303, 28_373_795])
        // A voucher with lines at two rates is in both groups, and counted once in the total.
        let byRate = try store.summarize(.vouchers, by: .tax_rate, from: nil, to: nil)
        #expect(voucherTax.reduce(0) { $0 + $1.count } == 255 && byRate.totals.count == 243)
        #expect(try store.summarize(.invoices, by: .tax_rate, from: nil, to: nil).totals.count == 113)

        // Vouchers add up to costs: the three other-income vouchers (hardware sold, an insurance refund) are counted
        // apart, and with them the costs make up every voucher that is not a draft.
        let costs = try store.summarize(.vouchers, by: .month, from: nil, to: nil)
        #expect(costs.otherIncome == SummaryGroup(
            key: "other_income", count: 3, netCents: 112_760, taxCents: 21_425, grossCents: 134_185))
        let allVouchers = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT SUM(gross_cents) FROM voucher WHERE status <> 'draft'")
        }
        #expect(costs.totals.grossCents == 36_804_469 && costs.totals.grossCents + 134_185 == allVouchers)
        let october = try store.summarize(.vouchers, by: .contact, from: LedgerDate(iso: "2026-10-01"), to: LedgerDate(iso: "2026-10-31"))
        #expect(october.totals.grossCents == 2_656_598 && october.otherIncome?.grossCents == 70_935)
        #expect(try store.summarize(.invoices, by: .month, from: nil, to: nil).otherIncome == nil)
    }

    /// Nine days on, December's hosting bill is open and November's payroll partly paid: a summary of vouchers says
    /// what we still owe ("Do we have any debts?" was answered with the gross of every voucher).
    @Test func vouchersStillOwed() throws {
        let (store, _) = try demoStore(anchor: LedgerDate(iso: "2026-12-04")!)
        let byStatus = try store.summarize(.vouchers, by: .status, from: nil, to: nil)
        let owed = Dictionary(uniqueKeysWithValues: byStatus.groups.map { ($0.key, $0.outstandingCents) })
        let payroll = try store.read { db in
            try Int.fetchOne(db, sql: "SELECT gross_cents - paid_cents FROM voucher WHERE status = 'partially_paid'")
        }
        #expect(owed == ["open": 19_213, "partially_paid": payroll, "paid": 0])
        #expect(payroll.map { $0 > 0 && $0 < 1_726_170 } == true, "part of the 17.261,70 € payroll")
        #expect(byStatus.totals.outstandingCents == 19_213 + (payroll ?? 0))
        let december = try store.summarize(.vouchers, by: .month, from: LedgerDate(iso: "2026-12-01"), to: nil)
        #expect(december.totals.outstandingCents == 19_213)
    }
}

@Suite("Dates and money")
struct DateAndMoneyTests {
    @Test func parsing() {
        #expect(LedgerDate(iso: "2024-02-29")?.iso == "2024-02-29")
        #expect(LedgerDate(iso: "2025-02-29") == nil)
        #expect(LedgerDate(iso: "2025-13-01") == nil)
        #expect(LedgerDate(iso: "25-01-01") == nil)
        #expect(LedgerDate(iso: "2025-1-01") == nil)
        #expect(LedgerDate(iso: "1970-01-01")?.dayNumber == 0)
    }

    @Test func arithmetic() throws {
        let date = try #require(LedgerDate(iso: "2026-01-31"))
        #expect(date.adding(months: 1).iso == "2026-02-28")
        #expect(date.adding(months: -13).iso == "2024-12-31")
        #expect(date.adding(days: 1).iso == "2026-02-01")
        #expect(date.weekday == 6)  // a Saturday
        #expect(LedgerDate(iso: "2024-02-10")!.lastOfMonth.iso == "2024-02-29")
        #expect(date.days(until: LedgerDate(iso: "2026-03-02")!) == 30)
    }

    @Test func formatting() {
        #expect(Money.format(cents: 0) == "0,00 €")
        #expect(Money.format(cents: 5) == "0,05 €")
        #expect(Money.format(cents: 123_456_789) == "1.234.567,89 €")
        #expect(Money.format(cents: -100_000) == "-1.000,00 €")
    }

    @Test func tax() {
        #expect(Money.tax(onNet: 10_000, ratePercent: 19) == 1_900)
        #expect(Money.tax(onNet: 3_490, ratePercent: 7) == 244)  // 244.3 rounds down
        #expect(Money.tax(onNet: 50, ratePercent: 19) == 10)  // 9.5 rounds half up
        #expect(Money.percentage(2, of: 119_000) == 2_380)
    }
}

@Suite("Storage")
struct StorageTests {
    @Test("a ledger file runs in WAL mode and survives reopening")
    func walFile() throws {
        let path = scratchPath("golden") + ".sqlite"
        do {
            let store = try LedgerStore(path: path)
            try DemoLedger.generate(into: store, seed: 3, anchor: goldenAnchor)
            #expect(try store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        }
        let reopened = try LedgerStore(path: path)
        #expect(try reopened.isInitialized())
        #expect(try reopened.invariantViolations().isEmpty)
        #expect(throws: LedgerError.self) { try DemoLedger.generate(into: reopened, seed: 3, anchor: goldenAnchor) }
    }
}
