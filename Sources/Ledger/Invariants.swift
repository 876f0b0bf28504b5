import GRDB

extension LedgerStore {
    /// Every rule the books must obey, checked against the stored data. Returns one sentence per
    /// violation; an empty list means the ledger is consistent.
    public func invariantViolations() throws -> [String] {
        try read { db in
            var problems: [String] = []
            func check(_ sql: String, _ describe: (Row) -> String) throws {
                for row in try Row.fetchAll(db, sql: sql) { problems.append(describe(row)) }
            }
            for (document, lines, key) in [("invoice", "invoice_line", "invoice_id"), ("voucher", "voucher_line", "voucher_id")] {
                try check(
                    """
                    SELECT d.number, d.net_cents, d.tax_cents, d.gross_cents,
                           COALESCE(SUM(l.net_cents), 0) AS net, COALESCE(SUM(l.tax_cents), 0) AS tax,
                           COALESCE(SUM(l.gross_cents), 0) AS gross, COUNT(l.id) AS lines
                    FROM \(document) d LEFT JOIN \(lines) l ON l.\(key) = d.id GROUP BY d.id
                    HAVING d.gross_cents <> gross OR d.net_cents <> net OR d.tax_cents <> tax OR lines = 0
                        OR d.gross_cents <> d.net_cents + d.tax_cents
                    """
                ) { "\(document) \($0["number"] as String): totals \($0["gross_cents"] as Int) do not match its lines (\($0["gross"] as Int))" }
                try check(
                    "SELECT number FROM \(lines) l JOIN \(document) d ON d.id = l.\(key) WHERE l.gross_cents <> l.net_cents + l.tax_cents OR l.net_cents <> l.quantity * l.unit_price_cents"
                ) { "\(document) \($0["number"] as String): a line's gross is not net plus tax" }
                let discount = document == "invoice" ? "d.discount_cents" : "0"
                try check(
                    """
                    SELECT d.number, d.paid_cents, COALESCE(SUM(p.amount_cents), 0) AS paid,
                           \(discount) AS discount, COALESCE(SUM(p.discount_cents), 0) AS granted
                    FROM \(document) d LEFT JOIN payment p ON p.\(key) = d.id GROUP BY d.id
                    HAVING d.paid_cents <> paid OR discount <> granted
                    """
                ) { "\(document) \($0["number"] as String): paid amount \($0["paid_cents"] as Int) differs from its payments (\($0["paid"] as Int))" }
                try check(
                    """
                    SELECT number, status FROM \(document) d WHERE NOT (
                        (status IN ('draft','cancelled') AND paid_cents = 0 AND \(discount) = 0)
                        OR (status = 'open' AND paid_cents = 0)
                        OR (status = 'partially_paid' AND paid_cents > 0 AND paid_cents + \(discount) < gross_cents)
                        OR (status = 'paid' AND paid_cents + \(discount) = gross_cents))
                    """
                ) { "\(document) \($0["number"] as String): status \($0["status"] as String) disagrees with its payments" }
                try check(
                    "SELECT d.number FROM payment p JOIN \(document) d ON d.id = p.\(key) WHERE p.payment_date < d.\(document)_date"
                ) { "\(document) \($0["number"] as String): paid before it was issued" }
            }
            try check("SELECT number FROM invoice WHERE due_date < invoice_date") {
                "invoice \($0["number"] as String): due before it was issued"
            }
            try check("SELECT number, COUNT(*) AS n FROM invoice GROUP BY number HAVING n > 1") {
                "invoice number \($0["number"] as String) is used \($0["n"] as Int) times"
            }
            try check(
                """
                SELECT t.id, t.amount_cents, t.status, COALESCE(SUM(p.amount_cents), 0) AS applied, COUNT(p.id) AS payments
                FROM bank_transaction t LEFT JOIN payment p ON p.transaction_id = t.id GROUP BY t.id
                HAVING (t.status = 'linked' AND (payments = 0 OR applied <> ABS(t.amount_cents)))
                    OR (t.status <> 'linked' AND payments > 0)
                """
            ) { "transaction \($0["id"] as Int64) (\($0["status"] as String)): \($0["applied"] as Int) applied of \($0["amount_cents"] as Int)" }
            // The balance the tools report must equal opening balance plus every transaction, summed independently.
            let reported = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.name, a.opening_balance_cents + COALESCE(
                        (SELECT SUM(amount_cents) FROM bank_transaction t WHERE t.bank_account_id = a.id), 0) AS balance
                    FROM bank_account a
                    """)
            for row in reported {
                let id: Int64 = row["id"]
                let amounts = try Int.fetchAll(db, sql: "SELECT amount_cents FROM bank_transaction WHERE bank_account_id = ?", arguments: [id])
                let opening = try Int.fetchOne(db, sql: "SELECT opening_balance_cents FROM bank_account WHERE id = ?", arguments: [id]) ?? 0
                if opening + amounts.reduce(0, +) != row["balance"] as Int {
                    problems.append("bank account \(row["name"] as String): balance is not opening plus transactions")
                }
            }
            return problems
        }
    }
}
