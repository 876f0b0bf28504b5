import Foundation
import Testing

@testable import Ledger

/// The fixed point the golden figures are pinned to.
let goldenAnchor = LedgerDate(iso: "2026-11-25")!

func demoStore(seed: UInt64 = DemoLedger.defaultSeed, anchor: LedgerDate = goldenAnchor) throws -> (LedgerStore, DemoLedger.Counts) {
    let store = try LedgerStore()
    let counts = try DemoLedger.generate(into: store, seed: seed, anchor: anchor)
    return (store, counts)
}

@Suite("Demo ledger")
struct DemoLedgerTests {
    @Test("every invariant holds", arguments: [1, 7, 42, 1234, 99_999] as [UInt64])
    func invariantsHold(seed: UInt64) throws {
        for anchor in ["2026-11-25", "2025-03-01", "2024-02-29"] {
            let (store, _) = try demoStore(seed: seed, anchor: LedgerDate(iso: anchor)!)
            let problems = try store.invariantViolations()
            #expect(problems.isEmpty, "seed \(seed), anchor \(anchor): \(problems.prefix(5))")
        }
    }

    @Test("the story has the promised shape", arguments: [1, 42, 2024] as [UInt64])
    func shape(seed: UInt64) throws {
        let (store, counts) = try demoStore(seed: seed)
        #expect(counts.contacts == 36)
        #expect(counts.invoices == 120)
        #expect((230...290).contains(counts.vouchers), "\(counts)")
        #expect((400...560).contains(counts.transactions), "\(counts)")
        #expect(counts.bankAccounts == 3)

        let contacts = try store.listContacts(with { $0.limit = 100 }).items
        let customers = contacts.filter { $0.category == .customer }
        #expect(customers.count == 22)
        #expect(customers.contains { $0.kind == .person })
        #expect(customers.filter { $0.country != "DE" && $0.vatId != nil }.count == 2)
        #expect(contacts.filter { $0.category == .supplier }.count == 9)
        #expect(contacts.filter { $0.category == .partner }.count == 2)
        #expect(contacts.filter { $0.category == .prospect }.count == 3)

        var all = InvoiceQuery(asOf: goldenAnchor)
        all.limit = 500
        let invoices = try store.listInvoices(all).items
        func share(_ status: InvoiceStatus) -> Double {
            Double(invoices.filter { $0.status == status }.count) / Double(invoices.count)
        }
        #expect((0.72...0.82).contains(share(.paid)), "paid \(share(.paid))")
        #expect((0.09...0.16).contains(share(.open)), "open \(share(.open))")
        #expect((0.02...0.05).contains(share(.partially_paid)))
        #expect(share(.draft) == 0.05)
        #expect(invoices.filter { $0.status == .cancelled }.count == 1)
        let overdueOpen = invoices.filter { $0.status == .open && $0.isOverdue(on: goldenAnchor) }
        #expect((3...5).contains(overdueOpen.count))
        #expect(invoices.allSatisfy { $0.invoiceDate <= goldenAnchor && $0.invoiceDate >= goldenAnchor.adding(months: -13).firstOfMonth })

        // EU business customers are invoiced without VAT; someone paid with 2 % Skonto.
        #expect(invoices.filter { $0.discountCents > 0 }.allSatisfy { $0.discountCents == Money.percentage(2, of: $0.grossCents) })
        #expect(invoices.contains { $0.discountCents > 0 })
        let eu = Set(customers.filter { $0.country != "DE" }.map(\.id))
        #expect(invoices.filter { eu.contains($0.contactId) }.allSatisfy { $0.taxCents == 0 })

        var unmatched = TransactionQuery()
        unmatched.statuses = [.unmatched]
        #expect(try store.listTransactions(unmatched).total == 10)
        var privateOnes = TransactionQuery()
        privateOnes.statuses = [.private]
        #expect(try store.listTransactions(privateOnes).total >= 8)
        var reverseCharge = VoucherQuery()
        reverseCharge.search = "CloudSuite"
        let saas = try store.listVouchers(reverseCharge).items
        #expect(!saas.isEmpty && saas.allSatisfy { $0.reverseCharge && $0.taxCents == 0 })
        let rates = Set(try store.summarize(.vouchers, by: .tax_rate, from: nil, to: nil).groups.map(\.key))
        #expect(rates == ["19 %", "7 %", "0 %"])
    }

    @Test("the same seed and anchor give the same ledger")
    func deterministic() throws {
        let (first, _) = try demoStore(seed: 5)
        let (second, _) = try demoStore(seed: 5)
        var query = InvoiceQuery(asOf: goldenAnchor)
        query.limit = 500
        #expect(try first.listInvoices(query).items == second.listInvoices(query).items)
        let (other, _) = try demoStore(seed: 6)
        #expect(try first.listInvoices(query).items != other.listInvoices(query).items)
    }
}

/// Builds a value by mutating a default one, for terse query set-up in tests.
func with<T>(_ body: (inout T) -> Void) -> T where T: DefaultInitializable {
    var value = T()
    body(&value)
    return value
}

protocol DefaultInitializable { init() }
extension ContactQuery: DefaultInitializable {}
extension VoucherQuery: DefaultInitializable {}
extension TransactionQuery: DefaultInitializable {}
