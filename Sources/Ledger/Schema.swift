import GRDB

/// The database schema, as an ordered list of migrations. Never edit a shipped migration: add one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-accounting") { db in
            try db.execute(
                sql: """
                    CREATE TABLE company (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        name TEXT NOT NULL, legal_form TEXT NOT NULL,
                        street TEXT NOT NULL, postal_code TEXT NOT NULL, city TEXT NOT NULL, country TEXT NOT NULL,
                        vat_id TEXT NOT NULL, tax_number TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,
                        currency TEXT NOT NULL, fiscal_year_start TEXT NOT NULL,
                        anchor_date TEXT NOT NULL, seed INTEGER NOT NULL
                    );
                    CREATE TABLE contact (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('organisation','person')),
                        name TEXT NOT NULL,
                        category TEXT NOT NULL CHECK (category IN ('customer','supplier','partner','prospect')),
                        customer_number TEXT NOT NULL UNIQUE,
                        email TEXT, phone TEXT, street TEXT, postal_code TEXT, city TEXT,
                        country TEXT NOT NULL DEFAULT 'DE', vat_id TEXT,
                        created_on TEXT NOT NULL,
                        idempotency_key TEXT UNIQUE
                    );
                    CREATE INDEX contact_name ON contact(name COLLATE NOCASE);
                    CREATE TABLE invoice (
                        id INTEGER PRIMARY KEY,
                        number TEXT NOT NULL UNIQUE,
                        contact_id INTEGER NOT NULL REFERENCES contact(id),
                        invoice_date TEXT NOT NULL, delivery_date TEXT NOT NULL, due_date TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('draft','open','partially_paid','paid','cancelled')),
                        currency TEXT NOT NULL DEFAULT 'EUR',
                        title TEXT NOT NULL,
                        net_cents INTEGER NOT NULL, tax_cents INTEGER NOT NULL, gross_cents INTEGER NOT NULL,
                        paid_cents INTEGER NOT NULL DEFAULT 0, discount_cents INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX invoice_date ON invoice(invoice_date);
                    CREATE INDEX invoice_contact ON invoice(contact_id);
                    CREATE INDEX invoice_status ON invoice(status);
                    CREATE TABLE invoice_line (
                        id INTEGER PRIMARY KEY,
                        invoice_id INTEGER NOT NULL REFERENCES invoice(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL, description TEXT NOT NULL,
                        quantity INTEGER NOT NULL, unit TEXT NOT NULL, unit_price_cents INTEGER NOT NULL,
                        tax_rate INTEGER NOT NULL CHECK (tax_rate IN (0, 7, 19)),
                        net_cents INTEGER NOT NULL, tax_cents INTEGER NOT NULL, gross_cents INTEGER NOT NULL
                    );
                    CREATE INDEX invoice_line_invoice ON invoice_line(invoice_id);
                    CREATE TABLE voucher (
                        id INTEGER PRIMARY KEY,
                        number TEXT NOT NULL UNIQUE,
                        contact_id INTEGER REFERENCES contact(id),
                        supplier_name TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('expense','revenue')),
                        category TEXT NOT NULL,
                        voucher_date TEXT NOT NULL, due_date TEXT,
                        status TEXT NOT NULL CHECK (status IN ('draft','open','partially_paid','paid')),
                        description TEXT NOT NULL,
                        reverse_charge INTEGER NOT NULL DEFAULT 0,
                        net_cents INTEGER NOT NULL, tax_cents INTEGER NOT NULL, gross_cents INTEGER NOT NULL,
                        paid_cents INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX voucher_date ON voucher(voucher_date);
                    CREATE TABLE voucher_line (
                        id INTEGER PRIMARY KEY,
                        voucher_id INTEGER NOT NULL REFERENCES voucher(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL, description TEXT NOT NULL,
                        quantity INTEGER NOT NULL, unit TEXT NOT NULL, unit_price_cents INTEGER NOT NULL,
                        tax_rate INTEGER NOT NULL CHECK (tax_rate IN (0, 7, 19)),
                        net_cents INTEGER NOT NULL, tax_cents INTEGER NOT NULL, gross_cents INTEGER NOT NULL
                    );
                    CREATE INDEX voucher_line_voucher ON voucher_line(voucher_id);
                    CREATE TABLE bank_account (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL, iban TEXT,
                        type TEXT NOT NULL CHECK (type IN ('bank','paypal','cash')),
                        accounting_number TEXT NOT NULL,
                        opening_date TEXT NOT NULL, opening_balance_cents INTEGER NOT NULL
                    );
                    CREATE TABLE bank_transaction (
                        id INTEGER PRIMARY KEY,
                        bank_account_id INTEGER NOT NULL REFERENCES bank_account(id),
                        value_date TEXT NOT NULL, amount_cents INTEGER NOT NULL,
                        purpose TEXT NOT NULL, counterparty TEXT NOT NULL, counterparty_iban TEXT,
                        status TEXT NOT NULL CHECK (status IN ('unmatched','linked','private'))
                    );
                    CREATE INDEX bank_transaction_account_date ON bank_transaction(bank_account_id, value_date);
                    CREATE TABLE payment (
                        id INTEGER PRIMARY KEY,
                        transaction_id INTEGER NOT NULL REFERENCES bank_transaction(id),
                        invoice_id INTEGER REFERENCES invoice(id),
                        voucher_id INTEGER REFERENCES voucher(id),
                        payment_date TEXT NOT NULL,
                        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
                        discount_cents INTEGER NOT NULL DEFAULT 0,
                        CHECK ((invoice_id IS NULL) <> (voucher_id IS NULL))
                    );
                    CREATE INDEX payment_invoice ON payment(invoice_id);
                    CREATE INDEX payment_voucher ON payment(voucher_id);
                    CREATE INDEX payment_transaction ON payment(transaction_id);
                    """)
        }
        return migrator
    }
}
