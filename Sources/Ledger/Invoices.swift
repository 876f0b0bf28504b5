import GRDB

/// Filters, sort and paging for listing invoices. Every filter is optional; none means all invoices.
public struct InvoiceQuery: Sendable {
    public var statuses: [InvoiceStatus] = []
    /// Only open or partially paid invoices whose due date is before `asOf`.
    public var overdueOnly = false
    public var contactId: Int64?
    /// Matched case-insensitively against the customer's name.
    public var contactName: String?
    public var dateFrom: LedgerDate?
    public var dateTo: LedgerDate?
    /// Due date on or after / on or before. Without `statuses`, a due range lists unpaid invoices only (open or
    /// partially paid): "due this week" asks what is still to be paid, not which paid invoices had that due date.
    public var dueFrom: LedgerDate?
    public var dueTo: LedgerDate?
    /// Exact number (`RE-1042`) or a part of it.
    public var number: String?
    public var minGrossCents: Int?
    public var maxGrossCents: Int?
    public var sort: InvoiceSort = .invoice_date
    public var order: SortOrder = .desc
    public var offset = 0
    public var limit = 25
    public var asOf: LedgerDate

    public init(asOf: LedgerDate) { self.asOf = asOf }
}

/// Columns invoices can be sorted by.
public enum InvoiceSort: String, Sendable, CaseIterable {
    case invoice_date, due_date, gross, number, contact
}

/// An invoice with its lines and the payments made on it.
public struct InvoiceDetails: Sendable {
    public var invoice: Invoice
    public var lines: [DocumentLine]
    public var payments: [Payment]
}

extension LedgerStore {
    static let invoiceSelect = """
        SELECT i.id, i.number, i.contact_id, c.name AS contact_name, i.invoice_date, i.delivery_date, i.due_date,
               i.status, i.currency, i.title, i.net_cents, i.tax_cents, i.gross_cents, i.paid_cents, i.discount_cents
        FROM invoice i JOIN contact c ON c.id = i.contact_id
        """

    /// Reads columns by position, in `invoiceSelect`'s order: name lookups dominated the cost of a list.
    static func invoice(from row: Row) -> Invoice {
        Invoice(
            id: row[0], number: row[1], contactId: row[2], contactName: row[3],
            invoiceDate: LedgerDate(iso: row[4]) ?? LedgerDate(dayNumber: 0),
            deliveryDate: LedgerDate(iso: row[5]) ?? LedgerDate(dayNumber: 0),
            dueDate: LedgerDate(iso: row[6]) ?? LedgerDate(dayNumber: 0),
            status: InvoiceStatus(rawValue: row[7]) ?? .open, currency: row[8], title: row[9], netCents: row[10],
            taxCents: row[11], grossCents: row[12], paidCents: row[13], discountCents: row[14])
    }

    static func line(from row: Row) -> DocumentLine {
        var line = DocumentLine(
            position: row["position"], description: row["description"], quantity: row["quantity"],
            unit: row["unit"], unitPriceCents: row["unit_price_cents"], taxRate: row["tax_rate"])
        line.netCents = row["net_cents"]
        line.taxCents = row["tax_cents"]
        line.grossCents = row["gross_cents"]
        return line
    }

    static func payment(from row: Row) -> Payment {
        Payment(
            id: row["id"], transactionId: row["transaction_id"], invoiceId: row["invoice_id"],
            voucherId: row["voucher_id"], paymentDate: row.date("payment_date"), amountCents: row["amount_cents"],
            discountCents: row["discount_cents"])
    }

    public func listInvoices(_ query: InvoiceQuery) throws -> Page<Invoice> {
        var filter = SQLFilter()
        if !query.statuses.isEmpty { filter.add("i.status", in: query.statuses.map(\.rawValue)) }
        if query.overdueOnly { filter.add("i.status IN ('open','partially_paid') AND i.due_date < ?", query.asOf.iso) }
        if let id = query.contactId { filter.add("i.contact_id = ?", id) }
        if let name = query.contactName, !name.isEmpty { filter.add("c.name LIKE ? ESCAPE '\\'", likePattern(name)) }
        if let from = query.dateFrom { filter.add("i.invoice_date >= ?", from.iso) }
        if let to = query.dateTo { filter.add("i.invoice_date <= ?", to.iso) }
        filter.addDueRange(from: query.dueFrom, to: query.dueTo, prefix: "i.", unpaidOnly: query.statuses.isEmpty)
        if let number = query.number, !number.isEmpty { filter.add("i.number LIKE ? ESCAPE '\\'", likePattern(number)) }
        if let low = query.minGrossCents { filter.add("i.gross_cents >= ?", low) }
        if let high = query.maxGrossCents { filter.add("i.gross_cents <= ?", high) }
        let orderColumn: String
        switch query.sort {
        case .invoice_date: orderColumn = "i.invoice_date"
        case .due_date: orderColumn = "i.due_date"
        case .gross: orderColumn = "i.gross_cents"
        case .number: orderColumn = "i.number"
        case .contact: orderColumn = "c.name COLLATE NOCASE"
        }
        let direction = query.order.rawValue
        let filterValue = filter
        return try read { db in
            let total =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT COUNT(*) FROM invoice i JOIN contact c ON c.id = i.contact_id \(filterValue.clause)"),
                    arguments: filterValue.arguments) ?? 0
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "\(Self.invoiceSelect) \(filterValue.clause) ORDER BY \(orderColumn) \(direction), i.number \(direction) LIMIT ? OFFSET ?"),
                arguments: filterValue.arguments + [query.limit, query.offset])
            return Page(items: rows.map(Self.invoice(from:)), total: total, offset: query.offset, limit: query.limit)
        }
    }

    /// An invoice by id or number (`RE-1042`), with lines and payments.
    public func invoiceDetails(id: Int64? = nil, number: String? = nil) throws -> InvoiceDetails? {
        try read { db in
            let row: Row?
            if let id {
                row = try Row.fetchOne(db, sql: "\(Self.invoiceSelect) WHERE i.id = ?", arguments: [id])
            } else if let number {
                row = try Row.fetchOne(db, sql: "\(Self.invoiceSelect) WHERE i.number = ? COLLATE NOCASE", arguments: [number])
            } else {
                row = nil
            }
            guard let row else { return nil }
            let invoice = Self.invoice(from: row)
            let lines = try Row.fetchAll(
                db, sql: "SELECT * FROM invoice_line WHERE invoice_id = ? ORDER BY position", arguments: [invoice.id]
            ).map(Self.line(from:))
            let payments = try Row.fetchAll(
                db, sql: "SELECT * FROM payment WHERE invoice_id = ? ORDER BY payment_date, id", arguments: [invoice.id]
            ).map(Self.payment(from:))
            return InvoiceDetails(invoice: invoice, lines: lines, payments: payments)
        }
    }
}

