import GRDB

/// Money direction of a transaction.
public enum TransactionDirection: String, Sendable, CaseIterable {
    /// Money received (positive amount).
    case incoming
    /// Money paid out (negative amount).
    case outgoing
}

/// Filters, sort and paging for listing bank transactions.
public struct TransactionQuery: Sendable {
    public var bankAccountId: Int64?
    public var dateFrom: LedgerDate?
    public var dateTo: LedgerDate?
    public var direction: TransactionDirection?
    public var statuses: [TransactionStatus] = []
    /// Matched case-insensitively against purpose and counterparty.
    public var search: String?
    public var minAmountCents: Int?
    public var maxAmountCents: Int?
    public var order: SortOrder = .desc
    public var offset = 0
    public var limit = 25

    public init() {}
}

extension LedgerStore {
    public func listBankAccounts() throws -> [BankAccount] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.*, a.opening_balance_cents + COALESCE(
                        (SELECT SUM(amount_cents) FROM bank_transaction t WHERE t.bank_account_id = a.id), 0) AS balance
                    FROM bank_account a ORDER BY a.id
                    """
            ).map { row in
                BankAccount(
                    id: row["id"], name: row["name"], iban: row["iban"],
                    type: BankAccountType(rawValue: row["type"]) ?? .bank, accountingNumber: row["accounting_number"],
                    openingDate: row.date("opening_date"), openingBalanceCents: row["opening_balance_cents"],
                    balanceCents: row["balance"])
            }
        }
    }

    static func transaction(from row: Row) -> BankTransaction {
        BankTransaction(
            id: row["id"], bankAccountId: row["bank_account_id"], bankAccountName: row["account_name"],
            valueDate: row.date("value_date"), amountCents: row["amount_cents"], purpose: row["purpose"],
            counterparty: row["counterparty"], counterpartyIban: row["counterparty_iban"],
            status: TransactionStatus(rawValue: row["status"]) ?? .unmatched)
    }

    public func listTransactions(_ query: TransactionQuery) throws -> Page<BankTransaction> {
        var filter = SQLFilter()
        if let id = query.bankAccountId { filter.add("t.bank_account_id = ?", id) }
        if let from = query.dateFrom { filter.add("t.value_date >= ?", from.iso) }
        if let to = query.dateTo { filter.add("t.value_date <= ?", to.iso) }
        switch query.direction {
        case .incoming: filter.add("t.amount_cents > 0")
        case .outgoing: filter.add("t.amount_cents < 0")
        case nil: break
        }
        if !query.statuses.isEmpty { filter.add("t.status", in: query.statuses.map(\.rawValue)) }
        if let search = query.search, !search.isEmpty {
            let pattern = likePattern(search)
            filter.add("(t.purpose LIKE ? ESCAPE '\\' OR t.counterparty LIKE ? ESCAPE '\\')", pattern, pattern)
        }
        if let low = query.minAmountCents { filter.add("ABS(t.amount_cents) >= ?", low) }
        if let high = query.maxAmountCents { filter.add("ABS(t.amount_cents) <= ?", high) }
        let direction = query.order.rawValue
        let filterValue = filter
        return try read { db in
            let from = "FROM bank_transaction t JOIN bank_account a ON a.id = t.bank_account_id \(filterValue.clause)"
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(from)", arguments: filterValue.arguments) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT t.*, a.name AS account_name \(from) ORDER BY t.value_date \(direction), t.id \(direction) LIMIT ? OFFSET ?",
                arguments: filterValue.arguments + [query.limit, query.offset])
            return Page(items: rows.map(Self.transaction(from:)), total: total, offset: query.offset, limit: query.limit)
        }
    }
}
