import GRDB

/// Filters, sort and paging for listing vouchers.
public struct VoucherQuery: Sendable {
    public var statuses: [VoucherStatus] = []
    public var kind: VoucherKind?
    public var category: String?
    /// Matched case-insensitively against supplier name and description.
    public var search: String?
    public var contactId: Int64?
    public var dateFrom: LedgerDate?
    public var dateTo: LedgerDate?
    /// Due date on or after / on or before. Without `statuses`, a due range lists unpaid vouchers only (open or
    /// partially paid), like `InvoiceQuery`'s; vouchers without a due date never match one.
    public var dueFrom: LedgerDate?
    public var dueTo: LedgerDate?
    public var minGrossCents: Int?
    public var maxGrossCents: Int?
    public var sort: VoucherSort = .voucher_date
    public var order: SortOrder = .desc
    public var offset = 0
    public var limit = 25

    public init() {}
}

/// Columns vouchers can be sorted by.
public enum VoucherSort: String, Sendable, CaseIterable {
    case voucher_date, due_date, gross, supplier, number
}

/// A voucher with its lines and payments.
public struct VoucherDetails: Sendable {
    public var voucher: Voucher
    public var lines: [DocumentLine]
    public var payments: [Payment]
}

extension LedgerStore {
    static func voucher(from row: Row) -> Voucher {
        Voucher(
            id: row["id"], number: row["number"], contactId: row["contact_id"], supplierName: row["supplier_name"],
            kind: VoucherKind(rawValue: row["kind"]) ?? .expense, category: row["category"],
            voucherDate: row.date("voucher_date"), dueDate: row.optionalDate("due_date"),
            status: VoucherStatus(rawValue: row["status"]) ?? .open, description: row["description"],
            reverseCharge: row["reverse_charge"], netCents: row["net_cents"], taxCents: row["tax_cents"],
            grossCents: row["gross_cents"], paidCents: row["paid_cents"])
    }

    /// The categories vouchers use, for validating filters and describing tools.
    public static let voucherCategories = [
        "rent", "phone_internet", "hosting", "software", "fuel", "travel", "tax_advice", "insurance", "bank_fees",
        "vat_prepayment", "payroll", "office_supplies", "hardware", "marketing", "meals", "postage", "other_income",
    ]

    public func listVouchers(_ query: VoucherQuery) throws -> Page<Voucher> {
        var filter = SQLFilter()
        if !query.statuses.isEmpty { filter.add("status", in: query.statuses.map(\.rawValue)) }
        if let kind = query.kind { filter.add("kind = ?", kind.rawValue) }
        if let category = query.category { filter.add("category = ?", category) }
        if let id = query.contactId { filter.add("contact_id = ?", id) }
        if let search = query.search, !search.isEmpty {
            let pattern = likePattern(search)
            filter.add("(supplier_name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')", pattern, pattern)
        }
        if let from = query.dateFrom { filter.add("voucher_date >= ?", from.iso) }
        if let to = query.dateTo { filter.add("voucher_date <= ?", to.iso) }
        filter.addDueRange(from: query.dueFrom, to: query.dueTo, unpaidOnly: query.statuses.isEmpty)
        if let low = query.minGrossCents { filter.add("gross_cents >= ?", low) }
        if let high = query.maxGrossCents { filter.add("gross_cents <= ?", high) }
        let orderColumn: String
        switch query.sort {
        case .voucher_date: orderColumn = "voucher_date"
        case .due_date: orderColumn = "due_date IS NULL, due_date"  // vouchers without a due date last
        case .gross: orderColumn = "gross_cents"
        case .supplier: orderColumn = "supplier_name COLLATE NOCASE"
        case .number: orderColumn = "number"
        }
        let direction = query.order.rawValue
        let filterValue = filter
        return try read { db in
            let total =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM voucher \(filterValue.clause)", arguments: filterValue.arguments)
                ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM voucher \(filterValue.clause) ORDER BY \(orderColumn) \(direction), number \(direction) LIMIT ? OFFSET ?",
                arguments: filterValue.arguments + [query.limit, query.offset])
            return Page(items: rows.map(Self.voucher(from:)), total: total, offset: query.offset, limit: query.limit)
        }
    }

    /// A voucher by id or number (`BE-2025-0042`), with lines and payments.
    public func voucherDetails(id: Int64? = nil, number: String? = nil) throws -> VoucherDetails? {
        try read { db in
            let row: Row?
            if let id {
                row = try Row.fetchOne(db, sql: "SELECT * FROM voucher WHERE id = ?", arguments: [id])
            } else if let number {
                row = try Row.fetchOne(db, sql: "SELECT * FROM voucher WHERE number = ? COLLATE NOCASE", arguments: [number])
            } else {
                row = nil
            }
            guard let row else { return nil }
            let voucher = Self.voucher(from: row)
            let lines = try Row.fetchAll(
                db, sql: "SELECT * FROM voucher_line WHERE voucher_id = ? ORDER BY position", arguments: [voucher.id]
            ).map(Self.line(from:))
            let payments = try Row.fetchAll(
                db, sql: "SELECT * FROM payment WHERE voucher_id = ? ORDER BY payment_date, id", arguments: [voucher.id]
            ).map(Self.payment(from:))
            return VoucherDetails(voucher: voucher, lines: lines, payments: payments)
        }
    }
}
