import GRDB

/// What a summary adds up.
public enum SummaryEntity: String, Sendable, CaseIterable {
    case invoices, vouchers, transactions
}

/// How a summary groups its rows.
public enum SummaryGrouping: String, Sendable, CaseIterable {
    case month, status, contact, tax_rate
}

/// One group of a summary. Transactions fill `incomingCents`/`outgoingCents`; documents fill net, tax and gross.
public struct SummaryGroup: Sendable, Equatable {
    public var key: String
    public var count: Int
    public var netCents: Int
    public var taxCents: Int
    public var grossCents: Int
    public var outstandingCents: Int?
    public var incomingCents: Int?
    public var outgoingCents: Int?
}

/// Totals grouped by month, status, contact or tax rate over a date range.
public struct Summary: Sendable {
    public var entity: SummaryEntity
    public var groupBy: SummaryGrouping
    public var dateFrom: LedgerDate?
    public var dateTo: LedgerDate?
    public var groups: [SummaryGroup]
    public var totals: SummaryGroup
    /// Vouchers only: the range's other-income vouchers (kind revenue: hardware sold, a refund), which the groups
    /// leave out because vouchers add up to costs; nil when there are none.
    public var otherIncome: SummaryGroup?
}

/// One age band of unpaid invoices.
public struct AgingBucket: Sendable, Equatable {
    /// `not_due`, `0-30`, `31-60`, `61-90` or `over_90`.
    public var key: String
    public var label: String
    public var count: Int
    public var outstandingCents: Int
}

/// An unpaid invoice with how late it is.
public struct AgingItem: Sendable {
    public var invoice: Invoice
    /// Days past the due date; negative while not yet due.
    public var daysOverdue: Int
    public var bucket: String
}

/// What one customer owes on a given day, over all its unpaid invoices.
public struct OwedByCustomer: Sendable, Equatable {
    public var contactId: Int64
    public var name: String
    public var invoices: Int
    public var outstandingCents: Int
    public var overdueCents: Int
}

/// Receivables by age on a given day.
public struct ReceivablesAging: Sendable {
    public var asOf: LedgerDate
    public var buckets: [AgingBucket]
    public var items: [AgingItem]
    /// Customers by what they owe, most first (then by name).
    public var customers: [OwedByCustomer]
    public var totalOutstandingCents: Int
    public var overdueOutstandingCents: Int
}

extension LedgerStore {
    /// Adds up invoices, vouchers or transactions by group. Drafts and cancelled invoices are left out
    /// unless grouping by status, because they are not revenue. Vouchers add up to costs: other-income vouchers are
    /// counted apart (`otherIncome`), not added to the costs.
    public func summarize(
        _ entity: SummaryEntity, by grouping: SummaryGrouping, from: LedgerDate?, to: LedgerDate?
    ) throws -> Summary {
        // What one read finds: the groups, other income apart (vouchers), and for tax rates the documents counted once
        // (`byTaxRate`).
        struct Tally {
            var groups: [SummaryGroup]
            var otherIncome: SummaryGroup?
            var documents: Int?
        }
        let tally: Tally = try read { db in
            var filter = SQLFilter()
            switch entity {
            case .invoices:
                if let from { filter.add("i.invoice_date >= ?", from.iso) }
                if let to { filter.add("i.invoice_date <= ?", to.iso) }
                if grouping != .status { filter.add("i.status NOT IN ('draft','cancelled')") }
                let key: String
                switch grouping {
                case .month: key = "substr(i.invoice_date, 1, 7)"
                case .status: key = "i.status"
                case .contact: key = "c.name"
                case .tax_rate:
                    let (groups, documents) = try Self.byTaxRate(db, "invoice", alias: "i", filter)
                    return Tally(groups: groups, documents: documents)
                }
                let groups = try Self.documentGroups(
                    db, "invoice i JOIN contact c ON c.id = i.contact_id", alias: "i", key: key,
                    unpaid: "i.gross_cents - i.paid_cents - i.discount_cents", largestFirst: grouping == .contact, filter)
                return Tally(groups: groups)
            case .vouchers:
                if let from { filter.add("v.voucher_date >= ?", from.iso) }
                if let to { filter.add("v.voucher_date <= ?", to.iso) }
                if grouping != .status { filter.add("v.status <> 'draft'") }
                var incomeFilter = filter
                incomeFilter.add("v.kind = 'revenue'")
                let income = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) AS count, COALESCE(SUM(v.net_cents), 0) AS net,
                               COALESCE(SUM(v.tax_cents), 0) AS tax, COALESCE(SUM(v.gross_cents), 0) AS gross
                        FROM voucher v \(incomeFilter.clause)
                        """, arguments: incomeFilter.arguments)
                let otherIncome = income.flatMap { row -> SummaryGroup? in
                    (row["count"] as Int) == 0 ? nil : SummaryGroup(
                        key: "other_income", count: row["count"], netCents: row["net"], taxCents: row["tax"],
                        grossCents: row["gross"])
                }
                filter.add("v.kind = 'expense'")
                let key: String
                switch grouping {
                case .month: key = "substr(v.voucher_date, 1, 7)"
                case .status: key = "v.status"
                case .contact: key = "v.supplier_name"
                case .tax_rate:
                    let (groups, documents) = try Self.byTaxRate(db, "voucher", alias: "v", filter)
                    return Tally(groups: groups, otherIncome: otherIncome, documents: documents)
                }
                let groups = try Self.documentGroups(
                    db, "voucher v", alias: "v", key: key, unpaid: "v.gross_cents - v.paid_cents", largestFirst: grouping == .contact,
                    filter)
                return Tally(groups: groups, otherIncome: otherIncome)
            case .transactions:
                if let from { filter.add("value_date >= ?", from.iso) }
                if let to { filter.add("value_date <= ?", to.iso) }
                let key: String
                switch grouping {
                case .month: key = "substr(value_date, 1, 7)"
                case .status: key = "status"
                case .contact: key = "counterparty"
                case .tax_rate:
                    throw LedgerError.invalid(
                        "Transactions carry no tax rate; group them by month, status or contact instead.")
                }
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(key) AS key, COUNT(*) AS count, SUM(amount_cents) AS net,
                               SUM(CASE WHEN amount_cents > 0 THEN amount_cents ELSE 0 END) AS incoming,
                               SUM(CASE WHEN amount_cents < 0 THEN -amount_cents ELSE 0 END) AS outgoing
                        FROM bank_transaction \(filter.clause)
                        GROUP BY key ORDER BY \(grouping == .contact ? "ABS(net) DESC" : "key")
                        """, arguments: filter.arguments)
                return Tally(
                    groups: rows.map { row in
                        SummaryGroup(
                            key: row["key"], count: row["count"], netCents: row["net"], taxCents: 0, grossCents: row["net"],
                            incomingCents: row["incoming"], outgoingCents: row["outgoing"])
                    })
            }
        }
        let groups = tally.groups
        func sum(_ path: KeyPath<SummaryGroup, Int?>) -> Int? {
            let values = groups.compactMap { $0[keyPath: path] }
            return values.isEmpty ? nil : values.reduce(0, +)
        }
        let totals = SummaryGroup(
            key: "total", count: tally.documents ?? groups.reduce(0) { $0 + $1.count }, netCents: groups.reduce(0) { $0 + $1.netCents },
            taxCents: groups.reduce(0) { $0 + $1.taxCents }, grossCents: groups.reduce(0) { $0 + $1.grossCents },
            outstandingCents: sum(\.outstandingCents), incomingCents: sum(\.incomingCents),
            outgoingCents: sum(\.outgoingCents))
        return Summary(
            entity: entity, groupBy: grouping, dateFrom: from, dateTo: to, groups: groups, totals: totals,
            otherIncome: tally.otherIncome)
    }

    /// Documents of `source` (a table aliased `alias`, with its joins) grouped by the SQL expression `key`, with what
    /// is still unpaid of the open and partially paid ones (`unpaid`: what one of them still owes), largest first or
    /// by key.
    private static func documentGroups(
        _ db: Database, _ source: String, alias: String, key: String, unpaid: String, largestFirst: Bool, _ filter: SQLFilter
    ) throws -> [SummaryGroup] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT \(key) AS key, COUNT(*) AS count, SUM(\(alias).net_cents) AS net, SUM(\(alias).tax_cents) AS tax,
                       SUM(\(alias).gross_cents) AS gross,
                       SUM(CASE WHEN \(alias).status IN ('open','partially_paid') THEN \(unpaid) ELSE 0 END) AS outstanding
                FROM \(source) \(filter.clause)
                GROUP BY key ORDER BY \(largestFirst ? "gross DESC" : "key")
                """, arguments: filter.arguments)
        return rows.map { row in
            SummaryGroup(
                key: row["key"], count: row["count"], netCents: row["net"], taxCents: row["tax"], grossCents: row["gross"],
                outstandingCents: row["outstanding"])
        }
    }

    /// Documents of `table` (`invoice` or `voucher`, aliased `alias` in `filter`) grouped by the tax rate of their
    /// lines, and how many documents that is: one with lines at 19 % and 7 % is in both groups and counted once.
    private static func byTaxRate(
        _ db: Database, _ table: String, alias: String, _ filter: SQLFilter
    ) throws -> (groups: [SummaryGroup], documents: Int?) {
        let lines = "FROM \(table)_line l JOIN \(table) \(alias) ON \(alias).id = l.\(table)_id \(filter.clause)"
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT l.tax_rate AS key, COUNT(DISTINCT \(alias).id) AS count, SUM(l.net_cents) AS net,
                       SUM(l.tax_cents) AS tax, SUM(l.gross_cents) AS gross
                \(lines) GROUP BY l.tax_rate ORDER BY l.tax_rate DESC
                """, arguments: filter.arguments)
        let documents = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT \(alias).id) \(lines)", arguments: filter.arguments)
        let groups = rows.map { row in
            SummaryGroup(
                key: "\(row["key"] as Int) %", count: row["count"], netCents: row["net"], taxCents: row["tax"],
                grossCents: row["gross"])
        }
        return (groups, documents)
    }

    /// Unpaid invoices by how many days they are past due on `date`.
    public func receivablesAging(asOf date: LedgerDate) throws -> ReceivablesAging {
        var query = InvoiceQuery(asOf: date)
        query.statuses = [.open, .partially_paid]
        query.sort = .due_date
        query.order = .asc
        query.limit = Int.max
        let invoices = try listInvoices(query).items
        let bands: [(key: String, label: String, range: ClosedRange<Int>)] = [
            ("not_due", "not yet due", Int.min...0),
            ("0-30", "1–30 days overdue", 1...30),
            ("31-60", "31–60 days overdue", 31...60),
            ("61-90", "61–90 days overdue", 61...90),
            ("over_90", "more than 90 days overdue", 91...Int.max),
        ]
        var buckets = bands.map { AgingBucket(key: $0.key, label: $0.label, count: 0, outstandingCents: 0) }
        var items: [AgingItem] = []
        for invoice in invoices {
            let late = invoice.dueDate.days(until: date)
            let index = bands.firstIndex { $0.range.contains(late) }!
            buckets[index].count += 1
            buckets[index].outstandingCents += invoice.outstandingCents
            items.append(AgingItem(invoice: invoice, daysOverdue: late, bucket: bands[index].key))
        }
        let total = buckets.reduce(0) { $0 + $1.outstandingCents }
        return ReceivablesAging(
            asOf: date, buckets: buckets, items: items, customers: Self.owedByCustomer(items), totalOutstandingCents: total,
            overdueOutstandingCents: total - buckets[0].outstandingCents)
    }

    /// Unpaid invoices added up per customer, most owed first.
    static func owedByCustomer(_ items: [AgingItem]) -> [OwedByCustomer] {
        var byCustomer: [Int64: OwedByCustomer] = [:]
        for item in items {
            let invoice = item.invoice
            var owed = byCustomer[invoice.contactId]
                ?? OwedByCustomer(contactId: invoice.contactId, name: invoice.contactName, invoices: 0, outstandingCents: 0, overdueCents: 0)
            owed.invoices += 1
            owed.outstandingCents += invoice.outstandingCents
            if item.daysOverdue > 0 { owed.overdueCents += invoice.outstandingCents }
            byCustomer[invoice.contactId] = owed
        }
        return byCustomer.values.sorted { ($0.outstandingCents, $1.name) > ($1.outstandingCents, $0.name) }
    }

    /// The company record with a count of everything in the ledger.
    public func companyInfo() throws -> (company: CompanyInfo, counts: [String: Int])? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM company WHERE id = 1") else { return nil }
            let company = CompanyInfo(
                name: row["name"], legalForm: row["legal_form"], street: row["street"], postalCode: row["postal_code"],
                city: row["city"], country: row["country"], vatId: row["vat_id"], taxNumber: row["tax_number"],
                email: row["email"], phone: row["phone"], currency: row["currency"],
                fiscalYearStart: row["fiscal_year_start"], anchorDate: row.date("anchor_date"),
                seed: UInt64(bitPattern: row["seed"]))
            var counts: [String: Int] = [:]
            for table in ["contact", "invoice", "voucher", "bank_account", "bank_transaction", "payment"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return (company, counts)
        }
    }
}
