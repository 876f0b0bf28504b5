import Ledger
import MCP

// Each record type's structured form and its schema sit side by side so they cannot drift apart;
// the interop tests validate every result against the schema with a third-party validator.

extension Value {
    init(nullable text: String?) { self = text.map { .string($0) } ?? .null }
    init(nullable date: LedgerDate?) { self = date.map { .string($0.iso) } ?? .null }
    init(nullable number: Int?) { self = number.map { .int($0) } ?? .null }
    init(nullable number: Int64?) { self = number.map { .int(Int($0)) } ?? .null }
}

enum Structured {
    static let contactSchema = JSONSchema.object(
        [
            "id": JSONSchema.integer("Contact id"),
            "customer_number": JSONSchema.string("Customer number, e.g. 1001"),
            "name": JSONSchema.string("Company or person name"),
            "kind": JSONSchema.enumeration(ContactKind.allCases.map(\.rawValue), "organisation or person"),
            "category": JSONSchema.enumeration(ContactCategory.allCases.map(\.rawValue), "Relationship"),
            "email": JSONSchema.nullableString("Email address", format: "email"),
            "phone": JSONSchema.nullableString("Phone number"),
            "street": JSONSchema.nullableString("Street and number"),
            "postal_code": JSONSchema.nullableString("Postal code"),
            "city": JSONSchema.nullableString("City"),
            "country": JSONSchema.string("ISO country code, e.g. DE"),
            "vat_id": JSONSchema.nullableString("VAT identification number"),
            "created_on": JSONSchema.date("Date the contact was created"),
        ],
        required: [
            "id", "customer_number", "name", "kind", "category", "email", "phone", "street", "postal_code", "city",
            "country", "vat_id", "created_on",
        ], columns: ["customer_number", "name", "category", "city", "email"])

    static func contact(_ contact: Contact) -> Value {
        .object([
            "id": Value(nullable: contact.id), "customer_number": .string(contact.customerNumber), "name": .string(contact.name),
            "kind": .string(contact.kind.rawValue), "category": .string(contact.category.rawValue),
            "email": Value(nullable: contact.email), "phone": Value(nullable: contact.phone), "street": Value(nullable: contact.street),
            "postal_code": Value(nullable: contact.postalCode), "city": Value(nullable: contact.city), "country": .string(contact.country),
            "vat_id": Value(nullable: contact.vatId), "created_on": Value(nullable: contact.createdOn),
        ])
    }

    static let invoiceSchema = JSONSchema.object(
        [
            "id": JSONSchema.integer("Invoice id"),
            "number": JSONSchema.string("Invoice number, e.g. RE-1042"),
            "contact_id": JSONSchema.integer("Customer's contact id"),
            "contact_name": JSONSchema.string("Customer name"),
            "invoice_date": JSONSchema.date("Invoice date"),
            "delivery_date": JSONSchema.date("Delivery or service date"),
            "due_date": JSONSchema.date("Payment due date"),
            "status": JSONSchema.enumeration(InvoiceStatus.allCases.map(\.rawValue), "Invoice status"),
            "overdue": JSONSchema.boolean("Unpaid and past its due date today"),
            "title": JSONSchema.string("Invoice title"),
            "currency": JSONSchema.string("Currency code, EUR"),
            "net_cents": JSONSchema.cents("Net amount"),
            "tax_cents": JSONSchema.cents("VAT amount"),
            "gross_cents": JSONSchema.cents("Gross amount"),
            "paid_cents": JSONSchema.cents("Amount paid so far"),
            "discount_cents": JSONSchema.cents("Early-payment discount (Skonto) granted"),
            "outstanding_cents": JSONSchema.cents("Amount still owed"),
        ],
        required: [
            "id", "number", "contact_id", "contact_name", "invoice_date", "delivery_date", "due_date", "status", "overdue",
            "title", "currency", "net_cents", "tax_cents", "gross_cents", "paid_cents", "discount_cents",
            "outstanding_cents",
        ], columns: ["number", "contact_name", "invoice_date", "due_date", "status", "gross_cents", "outstanding_cents"])

    static func invoice(_ invoice: Invoice, today: LedgerDate) -> Value {
        .object([
            "id": Value(nullable: invoice.id), "number": .string(invoice.number), "contact_id": Value(nullable: invoice.contactId),
            "contact_name": .string(invoice.contactName), "invoice_date": Value(nullable: invoice.invoiceDate),
            "delivery_date": Value(nullable: invoice.deliveryDate), "due_date": Value(nullable: invoice.dueDate),
            "status": .string(invoice.status.rawValue), "overdue": .bool(invoice.isOverdue(on: today)),
            "title": .string(invoice.title), "currency": .string(invoice.currency), "net_cents": .int(invoice.netCents),
            "tax_cents": .int(invoice.taxCents), "gross_cents": .int(invoice.grossCents),
            "paid_cents": .int(invoice.paidCents), "discount_cents": .int(invoice.discountCents),
            "outstanding_cents": .int(invoice.outstandingCents),
        ])
    }

    static let lineSchema = JSONSchema.object(
        [
            "position": JSONSchema.integer("Position on the document", minimum: 1),
            "description": JSONSchema.string("What was sold or bought"),
            "quantity": JSONSchema.integer("Quantity"),
            "unit": JSONSchema.string("Unit, e.g. Std. or Stück"),
            "unit_price_cents": JSONSchema.cents("Net price per unit"),
            "tax_rate": JSONSchema.integer("VAT rate in percent: 19, 7 or 0"),
            "net_cents": JSONSchema.cents("Net amount"),
            "tax_cents": JSONSchema.cents("VAT amount"),
            "gross_cents": JSONSchema.cents("Gross amount"),
        ],
        required: ["position", "description", "quantity", "unit", "unit_price_cents", "tax_rate", "net_cents", "tax_cents", "gross_cents"], columns: ["position", "description", "quantity", "unit", "unit_price_cents", "tax_rate", "gross_cents"])

    static func line(_ line: DocumentLine) -> Value {
        .object([
            "position": .int(line.position), "description": .string(line.description), "quantity": .int(line.quantity),
            "unit": .string(line.unit), "unit_price_cents": .int(line.unitPriceCents), "tax_rate": .int(line.taxRate),
            "net_cents": .int(line.netCents), "tax_cents": .int(line.taxCents), "gross_cents": .int(line.grossCents),
        ])
    }

    static let paymentSchema = JSONSchema.object(
        [
            "id": JSONSchema.integer("Payment id"),
            "transaction_id": JSONSchema.integer("Bank transaction the money came from or went to"),
            "payment_date": JSONSchema.date("Date of payment"),
            "amount_cents": JSONSchema.cents("Amount paid"),
            "discount_cents": JSONSchema.cents("Early-payment discount granted"),
        ], required: ["id", "transaction_id", "payment_date", "amount_cents", "discount_cents"], columns: ["payment_date", "amount_cents", "discount_cents"])

    static func payment(_ payment: Payment) -> Value {
        .object([
            "id": Value(nullable: payment.id), "transaction_id": Value(nullable: payment.transactionId),
            "payment_date": Value(nullable: payment.paymentDate), "amount_cents": .int(payment.amountCents),
            "discount_cents": .int(payment.discountCents),
        ])
    }

    static let voucherSchema = JSONSchema.object(
        [
            "id": JSONSchema.integer("Voucher id"),
            "number": JSONSchema.string("Voucher number, e.g. BE-2026-0042"),
            "contact_id": JSONSchema.nullableInteger("Supplier's contact id, if the supplier is a contact"),
            "supplier_name": JSONSchema.string("Supplier or payer"),
            "kind": JSONSchema.enumeration(VoucherKind.allCases.map(\.rawValue), "expense or revenue"),
            "category": JSONSchema.enumeration(LedgerStore.voucherCategories, "Booking category"),
            "voucher_date": JSONSchema.date("Voucher date"),
            "due_date": JSONSchema.nullableDate("Payment due date"),
            "status": JSONSchema.enumeration(VoucherStatus.allCases.map(\.rawValue), "Voucher status"),
            "description": JSONSchema.string("What the voucher is for"),
            "reverse_charge": JSONSchema.boolean("Reverse charge: the supplier charged no VAT; it is owed by us"),
            "net_cents": JSONSchema.cents("Net amount"),
            "tax_cents": JSONSchema.cents("VAT amount"),
            "gross_cents": JSONSchema.cents("Gross amount"),
            "paid_cents": JSONSchema.cents("Amount paid so far"),
        ],
        required: [
            "id", "number", "contact_id", "supplier_name", "kind", "category", "voucher_date", "due_date", "status",
            "description", "reverse_charge", "net_cents", "tax_cents", "gross_cents", "paid_cents",
        ], columns: ["number", "voucher_date", "supplier_name", "description", "category", "gross_cents", "status"])

    static func voucher(_ voucher: Voucher) -> Value {
        .object([
            "id": Value(nullable: voucher.id), "number": .string(voucher.number), "contact_id": Value(nullable: voucher.contactId),
            "supplier_name": .string(voucher.supplierName), "kind": .string(voucher.kind.rawValue),
            "category": .string(voucher.category), "voucher_date": Value(nullable: voucher.voucherDate),
            "due_date": Value(nullable: voucher.dueDate), "status": .string(voucher.status.rawValue),
            "description": .string(voucher.description), "reverse_charge": .bool(voucher.reverseCharge),
            "net_cents": .int(voucher.netCents), "tax_cents": .int(voucher.taxCents),
            "gross_cents": .int(voucher.grossCents), "paid_cents": .int(voucher.paidCents),
        ])
    }

    static let bankAccountSchema = JSONSchema.object(
        [
            "id": JSONSchema.integer("Account id"),
            "name": JSONSchema.string("Account name"),
            "iban": JSONSchema.nullableString("IBAN, for bank accounts"),
            "type": JSONSchema.enumeration(BankAccountType.allCases.map(\.rawValue), "Account type"),
            "accounting_number": JSONSchema.string("Ledger account number (SKR03)"),
            "opening_date": JSONSchema.date("Date of the opening balance"),
            "opening_balance_cents": JSONSchema.cents("Opening balance"),
            "balance_cents": JSONSchema.cents("Current balance"),
        ], required: ["id", "name", "iban", "type", "accounting_number", "opening_date", "opening_balance_cents", "balance_cents"], columns: ["name", "type", "iban", "accounting_number", "balance_cents"])

    static func bankAccount(_ account: BankAccount) -> Value {
        .object([
            "id": Value(nullable: account.id), "name": .string(account.name), "iban": Value(nullable: account.iban),
            "type": .string(account.type.rawValue), "accounting_number": .string(account.accountingNumber),
            "opening_date": Value(nullable: account.openingDate), "opening_balance_cents": .int(account.openingBalanceCents),
            "balance_cents": .int(account.balanceCents),
        ])
    }

    static let transactionSchema = JSONSchema.object(
        [
            "id": JSONSchema.integer("Transaction id"),
            "bank_account_id": JSONSchema.integer("Account id"),
            "bank_account_name": JSONSchema.string("Account name"),
            "value_date": JSONSchema.date("Value date"),
            "amount_cents": JSONSchema.cents("Signed amount: positive is money in, negative money out"),
            "purpose": JSONSchema.string("Purpose text from the bank"),
            "counterparty": JSONSchema.string("Who paid or was paid"),
            "counterparty_iban": JSONSchema.nullableString("Counterparty IBAN"),
            "status": JSONSchema.enumeration(TransactionStatus.allCases.map(\.rawValue), "Matching status"),
        ],
        required: [
            "id", "bank_account_id", "bank_account_name", "value_date", "amount_cents", "purpose", "counterparty",
            "counterparty_iban", "status",
        ], columns: ["value_date", "amount_cents", "counterparty", "purpose", "bank_account_name", "status"])

    static func transaction(_ transaction: BankTransaction) -> Value {
        .object([
            "id": Value(nullable: transaction.id), "bank_account_id": Value(nullable: transaction.bankAccountId),
            "bank_account_name": .string(transaction.bankAccountName), "value_date": Value(nullable: transaction.valueDate),
            "amount_cents": .int(transaction.amountCents), "purpose": .string(transaction.purpose),
            "counterparty": .string(transaction.counterparty), "counterparty_iban": Value(nullable: transaction.counterpartyIban),
            "status": .string(transaction.status.rawValue),
        ])
    }

    static func page<Item>(_ page: Page<Item>, noun: String, item: (Item) -> Value) -> Value {
        .object([
            "items": .array(page.items.map(item)), "total": .int(page.total), "offset": .int(page.offset),
            "limit": .int(page.limit), "has_more": .bool(page.hasMore), "summary": .string(Text.pageSummary(page, noun: noun)),
        ])
    }
}
