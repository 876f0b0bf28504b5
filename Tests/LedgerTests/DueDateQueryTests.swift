import Testing

@testable import Ledger

/// "What falls due when": the store's due-date filters against the same question answered over every document.
@Suite("Due-date filters")
struct DueDateQueryTests {
    /// 2026-12-03: the demo ledger has open supplier bills then (at 2026-11-25 every voucher is paid).
    let anchor = LedgerDate(iso: "2026-12-03")!

    @Test("invoices: unpaid ones due in the range unless statuses are given")
    func invoices() throws {
        let (store, _) = try demoStore(anchor: anchor)
        var everything = InvoiceQuery(asOf: anchor)
        everything.limit = 1000
        let all = try store.listInvoices(everything).items
        for (from, to) in [("2026-11-30", "2026-12-06"), ("2026-12-01", "2026-12-31"), ("2026-01-01", "2026-12-31")] {
            var query = InvoiceQuery(asOf: anchor)
            (query.dueFrom, query.dueTo, query.limit) = (LedgerDate(iso: from), LedgerDate(iso: to), 1000)
            let unpaid = all.filter { [.open, .partially_paid].contains($0.status) && $0.dueDate.iso >= from && $0.dueDate.iso <= to }
            #expect(Set(try store.listInvoices(query).items.map(\.number)) == Set(unpaid.map(\.number)), "\(from)…\(to)")
            query.statuses = [.paid]
            let paid = all.filter { $0.status == .paid && $0.dueDate.iso >= from && $0.dueDate.iso <= to }
            #expect(Set(try store.listInvoices(query).items.map(\.number)) == Set(paid.map(\.number)), "\(from)…\(to)")
        }
        var open = InvoiceQuery(asOf: anchor)
        (open.dueFrom, open.limit) = (LedgerDate(iso: "2026-01-01"), 1000)
        #expect(!(try store.listInvoices(open).items.isEmpty))
    }

    @Test("vouchers: unpaid ones due in the range, soonest first by due_date; those without a due date never match")
    func vouchers() throws {
        let (store, _) = try demoStore(anchor: anchor)
        var everything = VoucherQuery()
        everything.limit = 1000
        let all = try store.listVouchers(everything).items
        let unpaid = all.filter { [.open, .partially_paid].contains($0.status) && $0.dueDate != nil }
        #expect(!unpaid.isEmpty, "the demo ledger at \(anchor.iso) has open bills")
        var query = VoucherQuery()
        (query.dueFrom, query.dueTo, query.sort, query.order) = (anchor, anchor.adding(days: 30), .due_date, .asc)
        let expected = unpaid.filter { $0.dueDate! >= anchor && $0.dueDate! <= anchor.adding(days: 30) }
            .sorted { ($0.dueDate!, $0.number) < ($1.dueDate!, $1.number) }
        #expect(try store.listVouchers(query).items.map(\.number) == expected.map(\.number))
        // Sorted by due date without a range, the vouchers without one come last either way.
        var sorted = VoucherQuery()
        (sorted.sort, sorted.limit) = (.due_date, 1000)
        for order in [SortOrder.asc, .desc] {
            sorted.order = order
            let dueDates = try store.listVouchers(sorted).items.map(\.dueDate)
            let firstMissing = dueDates.firstIndex(of: nil) ?? dueDates.endIndex
            #expect(dueDates[firstMissing...].allSatisfy { $0 == nil }, "\(order)")
        }
    }
}
