import Ledger
import MCP

/// The full accounting toolset: typed filters, paging, structured results.
enum FullToolset {
    static let definitions: [ToolDefinition] = [
        companyInfo, listContacts, getContact, listInvoices, getInvoice, listVouchers, getVoucher, listBankAccounts,
        listTransactions, summarize, receivablesAging, createContact,
    ]

    // MARK: Company

    static let companyInfo = ToolDefinition(
        name: "get_company_info", title: "Company information",
        description: """
            Returns the company this ledger belongs to (name, address, VAT id, tax number, currency), \
            today's date as the ledger sees it, and how many contacts, invoices, vouchers and transactions it holds. \
            Takes no arguments.
            """,
        input: JSONSchema.object([:]),
        output: JSONSchema.object(
            [
                "name": JSONSchema.string("Company name"), "legal_form": JSONSchema.string("Legal form"),
                "street": JSONSchema.string("Street"), "postal_code": JSONSchema.string("Postal code"),
                "city": JSONSchema.string("City"), "country": JSONSchema.string("Country code"),
                "vat_id": JSONSchema.string("VAT id"), "tax_number": JSONSchema.string("Tax number"),
                "email": JSONSchema.string("Email"), "phone": JSONSchema.string("Phone"),
                "currency": JSONSchema.string("Currency"), "today": JSONSchema.date("Today's date"),
                "counts": JSONSchema.object(
                    [
                        "contacts": JSONSchema.integer("Contacts"), "invoices": JSONSchema.integer("Invoices"),
                        "vouchers": JSONSchema.integer("Vouchers"), "bank_accounts": JSONSchema.integer("Bank accounts"),
                        "transactions": JSONSchema.integer("Bank transactions"),
                    ], required: ["contacts", "invoices", "vouchers", "bank_accounts", "transactions"]),
            ],
            required: [
                "name", "legal_form", "street", "postal_code", "city", "country", "vat_id", "tax_number", "email", "phone",
                "currency", "today", "counts",
            ])
    ) { _, context in
        guard let (company, counts) = try context.store.companyInfo() else {
            throw ToolCallError("This ledger is empty. Create the demo ledger with `ledgerchat ledger init`.", kind: .unavailable)
        }
        let text = """
            \(company.name) · \(company.street), \(company.postalCode) \(company.city) · VAT id \(company.vatId) · \
            tax number \(company.taxNumber) · currency \(company.currency) · today is \(context.today.iso).
            The ledger holds \(counts["contact"] ?? 0) contacts, \(counts["invoice"] ?? 0) invoices, \
            \(counts["voucher"] ?? 0) vouchers, \(counts["bank_account"] ?? 0) bank accounts and \
            \(counts["bank_transaction"] ?? 0) bank transactions.
            """
        let structured: Value = .object([
            "name": .string(company.name), "legal_form": .string(company.legalForm), "street": .string(company.street),
            "postal_code": .string(company.postalCode), "city": .string(company.city),
            "country": .string(company.country), "vat_id": .string(company.vatId),
            "tax_number": .string(company.taxNumber), "email": .string(company.email), "phone": .string(company.phone),
            "currency": .string(company.currency), "today": .string(context.today.iso),
            "counts": .object([
                "contacts": .int(counts["contact"] ?? 0), "invoices": .int(counts["invoice"] ?? 0),
                "vouchers": .int(counts["voucher"] ?? 0), "bank_accounts": .int(counts["bank_account"] ?? 0),
                "transactions": .int(counts["bank_transaction"] ?? 0),
            ]),
        ])
        return ToolOutput(text: text, structured: structured)
    }

    // MARK: Contacts

    static let listContacts = ToolDefinition(
        name: "list_contacts", title: "List contacts",
        description: """
            Lists contacts (customers, suppliers, partners, prospects), sorted by name. All filters are optional: \
            call with no arguments to list everyone. Use `search` to find a contact by part of its name, email, city \
            or customer number. Returns 25 contacts by default; use offset and limit to page.
            """,
        input: JSONSchema.object([
            "category": JSONSchema.enumeration(ContactCategory.allCases.map(\.rawValue), "Only contacts of this category"),
            "kind": JSONSchema.enumeration(ContactKind.allCases.map(\.rawValue), "Only companies or only private persons"),
            "search": JSONSchema.string("Text to find in name, email, city or customer number", maxLength: 200),
            "country": JSONSchema.string("Only contacts in this country (ISO code, e.g. DE, AT)", maxLength: 2),
            "sort": JSONSchema.enumeration(ContactSort.allCases.map(\.rawValue), "Sort field", default: "name"),
            "order": JSONSchema.order(default: "asc"),
            "offset": JSONSchema.offset, "limit": JSONSchema.limit(),
        ]),
        output: JSONSchema.page(of: Structured.contactSchema, noun: "contacts")
    ) { arguments, context in
        var query = ContactQuery()
        query.category = try arguments.choice("category")
        query.kind = try arguments.choice("kind")
        query.search = try arguments.string("search", maxLength: 200)
        query.country = try arguments.string("country", maxLength: 2)
        query.sort = try arguments.choice("sort") ?? .name
        query.order = try arguments.choice("order") ?? .asc
        let paging = try Paging(arguments)
        (query.offset, query.limit) = (paging.offset, paging.limit)
        let page = try context.store.listContacts(query)
        // "All 4 suppliers", "Showing 1–25 of 31 company customers".
        let noun = Text.noun(
            query.category.map { "\($0.rawValue)s" } ?? "contacts",
            filters: query.kind.map { $0 == .person ? "private" : "company" })
        var text = Text.list(page, noun: noun) { contact in
            var line = "\(contact.name) (#\(contact.customerNumber), \(contact.category.rawValue)"
            if contact.kind == .person { line += ", person" }
            line += ")"
            if let city = contact.city { line += " · \(city)\(contact.country == "DE" ? "" : ", \(contact.country)")" }
            if let email = contact.email { line += " · \(email)" }
            return line
        }
        // A search that finds one contact also says what get_contact would: asked what a customer was invoiced and
        // owes, the offline model found the contact here and answered from this list ("1 invoice") without the second
        // call that has the amounts.
        if page.total == 1, let only = page.items.first, let details = try context.store.contactDetails(id: only.id, asOf: context.today) {
            text += "\n  " + balance(details)
        }
        return ToolOutput(
            text: text,
            structured: Structured.page(page, noun: noun, item: Structured.contact))
    }

    static let getContact = ToolDefinition(
        name: "get_contact", title: "Get a contact",
        description: """
            Returns one contact with its address and what it owes: number of invoices, amount invoiced, amount \
            outstanding, overdue invoices. Give either `id` or `customer_number` (e.g. "1001"). To find a contact by \
            name, use list_contacts with `search` first.
            """,
        input: JSONSchema.object([
            "id": JSONSchema.integer("Contact id", minimum: 1),
            "customer_number": JSONSchema.string("Customer number, e.g. 1001", maxLength: 20),
        ]),
        output: JSONSchema.object(
            [
                "contact": Structured.contactSchema,
                "invoice_count": JSONSchema.integer("Invoices issued to this contact"),
                "invoiced_cents": JSONSchema.cents("Gross amount invoiced (without drafts and cancellations)"),
                "outstanding_cents": JSONSchema.cents("Amount still owed"),
                "overdue_count": JSONSchema.integer("Invoices past their due date and not fully paid"),
                "voucher_count": JSONSchema.integer("Vouchers from this contact as supplier"),
                "last_invoice_date": JSONSchema.nullableDate("Date of the newest invoice"),
            ],
            required: [
                "contact", "invoice_count", "invoiced_cents", "outstanding_cents", "overdue_count", "voucher_count",
                "last_invoice_date",
            ])
    ) { arguments, context in
        let id = try arguments.id("id")
        let number = try arguments.string("customer_number", maxLength: 20)
        guard id != nil || number != nil else {
            throw ToolCallError("give either id or customer_number; to find a contact by name use list_contacts with search")
        }
        guard let contact = try context.store.contact(id: id, customerNumber: id == nil ? number : nil),
            let details = try context.store.contactDetails(id: contact.id, asOf: context.today)
        else {
            throw ToolCallError.notFound(
                "There is no contact with \(id.map { "id \($0)" } ?? "customer number \(number!)") in this ledger. "
                    + "Tell the user so, or find the contact by name with list_contacts (search).")
        }
        if let id, let number, contact.customerNumber.caseInsensitiveCompare(number) != .orderedSame {
            throw Self.conflictingIdentifiers(
                id: id, isNamed: "\(contact.name) (customer number \(contact.customerNumber))", other: "customer_number \(number)")
        }
        var text = "\(contact.name) (#\(contact.customerNumber)), \(contact.category.rawValue), \(contact.kind.rawValue)"
        let address = [contact.street, [contact.postalCode, contact.city].compactMap { $0 }.joined(separator: " ")]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        if !address.isEmpty { text += "\nAddress: \(address), \(contact.country)" }
        if let email = contact.email { text += "\nEmail: \(email)" }
        if let phone = contact.phone { text += "\nPhone: \(phone)" }
        if let vat = contact.vatId { text += "\nVAT id: \(vat)" }
        text += "\n" + balance(details)
        if details.voucherCount > 0 { text += "\nVouchers as supplier: \(details.voucherCount)" }
        return ToolOutput(
            text: text,
            structured: .object([
                "contact": Structured.contact(contact), "invoice_count": .int(details.invoiceCount),
                "invoiced_cents": .int(details.invoicedGrossCents), "outstanding_cents": .int(details.outstandingCents),
                "overdue_count": .int(details.overdueCount), "voucher_count": .int(details.voucherCount),
                "last_invoice_date": Value(nullable: details.lastInvoiceDate),
            ]))
    }

    /// "Invoices: 8, invoiced 27.712,24 €, outstanding 0,00 €, 0 overdue, last invoice 2026-10-30".
    static func balance(_ details: ContactDetails) -> String {
        var text = "Invoices: \(details.invoiceCount), invoiced \(Text.money(details.invoicedGrossCents)), "
        text += "outstanding \(Text.money(details.outstandingCents)), \(details.overdueCount) overdue"
        if let last = details.lastInvoiceDate { text += ", last invoice \(last.iso)" }
        return text
    }

    // MARK: Invoices

    static let listInvoices = ToolDefinition(
        name: "list_invoices", title: "List invoices",
        description: """
            Lists sales invoices, newest first. Every filter is optional: for "the last 5 invoices" pass only \
            limit=5 and no status. status: draft, open (unpaid), partially_paid, paid or cancelled. \
            overdue=true gives unpaid invoices past their due date. Filter by customer with contact_name (part of the \
            name) or contact_id, by invoice date with date_from/date_to, by due date with due_date_from/due_date_to \
            (unpaid invoices due then, soonest first; with a status, those of that status), by gross amount in euros \
            with min_amount/max_amount. Returns 25 invoices by default; use offset and limit to page.
            """,
        input: JSONSchema.object([
            "status": JSONSchema.enumeration(InvoiceStatus.allCases.map(\.rawValue), "Only invoices with this status; leave out for all"),
            "overdue": JSONSchema.boolean("true: only unpaid invoices whose due date has passed"),
            "contact_id": JSONSchema.integer("Only invoices to this contact id", minimum: 1),
            "contact_name": JSONSchema.string("Only invoices to customers whose name contains this text", maxLength: 200),
            "date_from": JSONSchema.date("Invoice date on or after"),
            "date_to": JSONSchema.date("Invoice date on or before"),
            // Short enough to reach small models (CompactToolSpecs keeps hints of up to 60 characters).
            "due_date_from": JSONSchema.date("Unpaid invoices due on or after"),
            "due_date_to": JSONSchema.date("Unpaid invoices due on or before"),
            "number": JSONSchema.string("Invoice number or part of it, e.g. RE-1042", maxLength: 40),
            "min_amount": JSONSchema.euros("Smallest gross amount"),
            "max_amount": JSONSchema.euros("Largest gross amount"),
            "sort": JSONSchema.enumeration(["invoice_date", "due_date", "amount", "number", "contact"], "Sort field; amount for the largest first", default: "invoice_date"),
            "order": JSONSchema.order(default: "desc"),
            "offset": JSONSchema.offset, "limit": JSONSchema.limit(),
        ]),
        output: JSONSchema.page(of: Structured.invoiceSchema, noun: "invoices")
    ) { arguments, context in
        var query = InvoiceQuery(asOf: context.today)
        if let status: InvoiceStatus = try arguments.choice("status") { query.statuses = status.listed }
        query.overdueOnly = try arguments.bool("overdue") ?? false
        query.contactId = try arguments.id("contact_id")
        query.contactName = try arguments.string("contact_name", maxLength: 200)
        (query.dateFrom, query.dateTo) = try arguments.dateRange()
        (query.dueFrom, query.dueTo) = try arguments.dateRange(from: "due_date_from", to: "due_date_to")
        query.number = try arguments.string("number", maxLength: 40)
        (query.minGrossCents, query.maxGrossCents) = try arguments.amountRange()
        let sort: InvoiceSort? = try arguments.choice(
            "sort", mapping: ["invoice_date": .invoice_date, "due_date": .due_date, "amount": .gross, "number": .number, "contact": .contact])
        let due = DueRange(query.dueFrom, query.dueTo)
        (query.sort, query.order) = due.ordering(sort, try arguments.choice("order"), byDue: .due_date, otherwise: .invoice_date)
        let paging = try Paging(arguments)
        (query.offset, query.limit) = (paging.offset, paging.limit)
        let page = try context.store.listInvoices(query)
        let heading = query.sort == .invoice_date && query.order == .desc ? "newest first" : "by \(query.sort.rawValue) \(query.order.rawValue)"
        let noun = Text.noun("invoices", filters: query.overdueOnly ? "overdue" : due.status(query.statuses.first?.rawValue)) + due.words
        let text = Text.list(page, noun: noun, heading: heading) { invoice in
            invoiceLine(invoice, today: context.today)
        }
        return ToolOutput(
            text: text,
            structured: Structured.page(page, noun: noun) {
                Structured.invoice($0, today: context.today)
            })
    }

    /// What `get_invoice` and `get_voucher` say about a number or id the ledger does not have. For a number, the fact
    /// alone, worded so that it can be the answer: told to use list_invoices, the offline model listed invoices and
    /// presented another one as the one asked for; told to offer the recent invoices, it listed them and answered "The
    /// invoice number is RE-9999"; told "Tell the user so", it copied that into its answer. For an id, that numbers go
    /// in `number` (small models turned "RE-9999" into id 9999).
    static func missingDocument(_ document: String, id: Int64?, number: String?, lister: String) -> ToolCallError {
        if let id {
            return .notFound(
                "There is no \(document) with id \(id). Ids are the ledger's internal numbers that \(lister) shows. "
                    + "To look up by number, give the whole number, prefix included, as number.")
        }
        return .notFound("There is no \(document) \(number ?? "") in this ledger.")
    }

    /// An `id` and a number that name two different records. Why not just use the id: the offline model sent
    /// get_contact `id: 10, customer_number: "1012"` — two customers — and answered with one's number and the other's
    /// balance.
    static func conflictingIdentifiers(id: Int64, isNamed name: String, other: String) -> ToolCallError {
        ToolCallError("id \(id) is \(name), but \(other) was given too: give only the one you mean")
    }

    static func invoiceLine(_ invoice: Invoice, today: LedgerDate) -> String {
        var line = "\(invoice.number) · \(invoice.invoiceDate.iso) · \(invoice.contactName) · \(Text.money(invoice.grossCents)) · "
        switch invoice.status {
        case .open, .partially_paid:
            line += invoice.status == .open ? "open" : "partially paid, \(Text.money(invoice.outstandingCents)) outstanding"
            if invoice.isOverdue(on: today) {
                line += ", OVERDUE since \(invoice.dueDate.iso) (\(invoice.dueDate.days(until: today)) days)"
            } else {
                line += ", due \(invoice.dueDate.iso)"
            }
        case .paid: line += invoice.discountCents > 0 ? "paid (with Skonto)" : "paid"
        case .draft: line += "draft"
        case .cancelled: line += "cancelled"
        }
        return line
    }

    static let getInvoice = ToolDefinition(
        name: "get_invoice", title: "Get an invoice",
        description: """
            Returns one invoice with its lines (description, quantity, unit price, VAT rate) and the payments made on \
            it. Give either `number` (e.g. "RE-1042") or `id`.
            """,
        input: JSONSchema.object([
            "number": JSONSchema.string("Invoice number, e.g. RE-1042", maxLength: 40),
            "id": JSONSchema.integer("Invoice id", minimum: 1),
        ]),
        output: JSONSchema.object(
            [
                "invoice": Structured.invoiceSchema,
                "lines": JSONSchema.array(Structured.lineSchema, "Invoice lines"),
                "payments": JSONSchema.array(Structured.paymentSchema, "Payments received"),
            ], required: ["invoice", "lines", "payments"])
    ) { arguments, context in
        let (id, number) = try arguments.idOrNumber(example: "RE-1042")
        guard let details = try context.store.invoiceDetails(id: id, number: number) else {
            throw Self.missingDocument("invoice", id: id, number: number, lister: "list_invoices")
        }
        let invoice = details.invoice
        if let id, let number, invoice.number.caseInsensitiveCompare(number) != .orderedSame {
            throw Self.conflictingIdentifiers(id: id, isNamed: "invoice \(invoice.number)", other: "number \(number)")
        }
        var text = invoiceLine(invoice, today: context.today)
        text += "\n\(invoice.title) · delivered \(invoice.deliveryDate.iso)"
        for line in details.lines {
            text += "\n  \(line.position). \(line.description): \(line.quantity) \(line.unit) × \(Text.money(line.unitPriceCents))"
            text += " = \(Text.money(line.netCents)) net + \(line.taxRate) % VAT"
        }
        text += "\nNet \(Text.money(invoice.netCents)) + VAT \(Text.money(invoice.taxCents)) = \(Text.money(invoice.grossCents))"
        if details.payments.isEmpty {
            if invoice.status == .open || invoice.status == .partially_paid { text += "\nNo payments yet." }
        } else {
            for payment in details.payments {
                text += "\nPaid \(Text.money(payment.amountCents)) on \(payment.paymentDate.iso)"
                if payment.discountCents > 0 { text += " (Skonto \(Text.money(payment.discountCents)))" }
            }
        }
        return ToolOutput(
            text: text,
            structured: .object([
                "invoice": Structured.invoice(invoice, today: context.today),
                "lines": .array(details.lines.map(Structured.line)),
                "payments": .array(details.payments.map(Structured.payment)),
            ]))
    }

    // MARK: Vouchers

    static let listVouchers = ToolDefinition(
        name: "list_vouchers", title: "List vouchers",
        description: """
            Lists vouchers (received bills and receipts: rent, phone, hosting, software, fuel, travel, tax advice, \
            insurance, bank fees, VAT prepayments, payroll …), newest first. Vouchers are costs and other income; \
            sales invoices are listed by list_invoices instead. All filters are optional; due_date_from/due_date_to \
            give the unpaid bills due then (e.g. "bills due this month"). Returns 25 by default; use offset and limit \
            to page.
            """,
        input: JSONSchema.object([
            "status": JSONSchema.enumeration(VoucherStatus.allCases.map(\.rawValue), "Only vouchers with this status"),
            "kind": JSONSchema.enumeration(VoucherKind.allCases.map(\.rawValue), "expense (a cost) or revenue (other income)"),
            "category": JSONSchema.enumeration(LedgerStore.voucherCategories, "Only this booking category"),
            "search": JSONSchema.string("Text to find in supplier name or description", maxLength: 200),
            "contact_id": JSONSchema.integer("Only vouchers from this supplier contact id", minimum: 1),
            "date_from": JSONSchema.date("Voucher date on or after"),
            "date_to": JSONSchema.date("Voucher date on or before"),
            "due_date_from": JSONSchema.date("Unpaid vouchers due on or after"),
            "due_date_to": JSONSchema.date("Unpaid vouchers due on or before"),
            "min_amount": JSONSchema.euros("Smallest gross amount"),
            "max_amount": JSONSchema.euros("Largest gross amount"),
            "sort": JSONSchema.enumeration(
                ["voucher_date", "due_date", "amount", "supplier", "number"],
                "Sort field; amount for the largest first", default: "voucher_date"),
            "order": JSONSchema.order(default: "desc"),
            "offset": JSONSchema.offset, "limit": JSONSchema.limit(),
        ]),
        output: JSONSchema.page(of: Structured.voucherSchema, noun: "vouchers")
    ) { arguments, context in
        var query = VoucherQuery()
        if let status: VoucherStatus = try arguments.choice("status") { query.statuses = status.listed }
        query.kind = try arguments.choice("kind")
        query.category = try arguments.choice("category", among: LedgerStore.voucherCategories)
        query.search = try arguments.string("search", maxLength: 200)
        query.contactId = try arguments.id("contact_id")
        (query.dateFrom, query.dateTo) = try arguments.dateRange()
        (query.dueFrom, query.dueTo) = try arguments.dateRange(from: "due_date_from", to: "due_date_to")
        (query.minGrossCents, query.maxGrossCents) = try arguments.amountRange()
        let sort: VoucherSort? = try arguments.choice(
            "sort", mapping: ["voucher_date": .voucher_date, "due_date": .due_date, "amount": .gross, "supplier": .supplier, "number": .number])
        let due = DueRange(query.dueFrom, query.dueTo)
        (query.sort, query.order) = due.ordering(sort, try arguments.choice("order"), byDue: .due_date, otherwise: .voucher_date)
        let paging = try Paging(arguments)
        (query.offset, query.limit) = (paging.offset, paging.limit)
        let page = try context.store.listVouchers(query)
        let noun = Text.noun("vouchers", filters: due.status(query.statuses.first?.rawValue), query.kind?.rawValue) + due.words
        let heading = query.sort == .voucher_date && query.order == .desc ? nil : "by \(query.sort.rawValue) \(query.order.rawValue)"
        let text = Text.list(page, noun: noun, heading: heading) { voucherLine($0) }
        return ToolOutput(
            text: text,
            structured: Structured.page(page, noun: noun, item: Structured.voucher))
    }

    static func voucherLine(_ voucher: Voucher) -> String {
        var line = "\(voucher.number) · \(voucher.voucherDate.iso) · \(voucher.supplierName) · \(voucher.description) · "
        line += "\(Text.money(voucher.grossCents)) · \(voucher.kind.rawValue), \(voucher.category)"
        if voucher.reverseCharge { line += ", reverse charge" }
        line += " · \(Text.spoken(voucher.status.rawValue))"
        if voucher.status == .open || voucher.status == .partially_paid, let due = voucher.dueDate { line += ", due \(due.iso)" }
        return line
    }

    static let getVoucher = ToolDefinition(
        name: "get_voucher", title: "Get a voucher",
        description: "Returns one voucher with its lines and payments. Give either `number` (e.g. \"BE-2026-0042\") or `id`.",
        input: JSONSchema.object([
            "number": JSONSchema.string("Voucher number, e.g. BE-2026-0042", maxLength: 40),
            "id": JSONSchema.integer("Voucher id", minimum: 1),
        ]),
        output: JSONSchema.object(
            [
                "voucher": Structured.voucherSchema,
                "lines": JSONSchema.array(Structured.lineSchema, "Voucher lines"),
                "payments": JSONSchema.array(Structured.paymentSchema, "Payments made"),
            ], required: ["voucher", "lines", "payments"])
    ) { arguments, context in
        let (id, number) = try arguments.idOrNumber(example: "BE-2026-0042")
        guard let details = try context.store.voucherDetails(id: id, number: number) else {
            throw Self.missingDocument("voucher", id: id, number: number, lister: "list_vouchers")
        }
        if let id, let number, details.voucher.number.caseInsensitiveCompare(number) != .orderedSame {
            throw Self.conflictingIdentifiers(id: id, isNamed: "voucher \(details.voucher.number)", other: "number \(number)")
        }
        var text = voucherLine(details.voucher)
        for line in details.lines {
            text += "\n  \(line.position). \(line.description): \(Text.money(line.netCents)) net + \(line.taxRate) % VAT = \(Text.money(line.grossCents))"
        }
        for payment in details.payments {
            text += "\nPaid \(Text.money(payment.amountCents)) on \(payment.paymentDate.iso)"
        }
        return ToolOutput(
            text: text,
            structured: .object([
                "voucher": Structured.voucher(details.voucher), "lines": .array(details.lines.map(Structured.line)),
                "payments": .array(details.payments.map(Structured.payment)),
            ]))
    }

    // MARK: Banking

    static let listBankAccounts = ToolDefinition(
        name: "list_bank_accounts", title: "List bank accounts",
        description: """
            Lists the company's money accounts (bank, PayPal, cash) with their current balances and the total. \
            Takes no arguments.
            """,
        input: JSONSchema.object([:]),
        output: JSONSchema.object(
            [
                "items": JSONSchema.array(Structured.bankAccountSchema, "The accounts"),
                "total_balance_cents": JSONSchema.cents("Sum of all balances"),
            ], required: ["items", "total_balance_cents"])
    ) { _, context in
        let accounts = try context.store.listBankAccounts()
        let total = accounts.reduce(0) { $0 + $1.balanceCents }
        var text = "\(accounts.count) accounts, total balance \(Text.money(total)):"
        for account in accounts {
            text += "\n• \(account.name) (\(account.type.rawValue), account \(account.accountingNumber)"
            if let iban = account.iban { text += ", \(iban)" }
            text += "): \(Text.money(account.balanceCents))"
        }
        return ToolOutput(
            text: text,
            structured: .object(["items": .array(accounts.map(Structured.bankAccount)), "total_balance_cents": .int(total)]))
    }

    static let listTransactions = ToolDefinition(
        name: "list_transactions", title: "List bank transactions",
        description: """
            Lists bank, PayPal and cash transactions, newest first. All filters are optional: account_id (from \
            list_bank_accounts), date range, direction (incoming = money received, outgoing = money paid), status \
            (unmatched = not yet linked to an invoice or voucher, linked, private), search in purpose and \
            counterparty, amount range in euros. Returns 25 by default; use offset and limit to page.
            """,
        input: JSONSchema.object([
            "account_id": JSONSchema.integer("Only this account (id from list_bank_accounts)", minimum: 1),
            "date_from": JSONSchema.date("Value date on or after"),
            "date_to": JSONSchema.date("Value date on or before"),
            "direction": JSONSchema.enumeration(TransactionDirection.allCases.map(\.rawValue), "incoming or outgoing money"),
            "status": JSONSchema.enumeration(TransactionStatus.allCases.map(\.rawValue), "Matching status"),
            "search": JSONSchema.string("Text to find in purpose or counterparty", maxLength: 200),
            "min_amount": JSONSchema.euros("Smallest absolute amount"),
            "max_amount": JSONSchema.euros("Largest absolute amount"),
            "order": JSONSchema.order(default: "desc"),
            "offset": JSONSchema.offset, "limit": JSONSchema.limit(),
        ]),
        output: JSONSchema.page(of: Structured.transactionSchema, noun: "transactions")
    ) { arguments, context in
        var query = TransactionQuery()
        query.bankAccountId = try arguments.id("account_id")
        (query.dateFrom, query.dateTo) = try arguments.dateRange()
        query.direction = try arguments.choice("direction")
        if let status: TransactionStatus = try arguments.choice("status") { query.statuses = [status] }
        query.search = try arguments.string("search", maxLength: 200)
        (query.minAmountCents, query.maxAmountCents) = try arguments.amountRange()
        query.order = try arguments.choice("order") ?? .desc
        let paging = try Paging(arguments)
        (query.offset, query.limit) = (paging.offset, paging.limit)
        if let account = query.bankAccountId, try !context.store.listBankAccounts().contains(where: { $0.id == account }) {
            throw ToolCallError.notFound("There is no bank account with id \(account). list_bank_accounts shows the accounts and their ids.")
        }
        let page = try context.store.listTransactions(query)
        let noun = Text.noun("transactions", filters: query.statuses.first?.rawValue, query.direction?.rawValue)
        let text = Text.list(page, noun: noun) { transaction in
            "\(transaction.valueDate.iso) · \(transaction.amountCents > 0 ? "+" : "")\(Text.money(transaction.amountCents)) · "
                + "\(transaction.counterparty) · \(transaction.purpose) · \(transaction.bankAccountName) · \(transaction.status.rawValue)"
        }
        return ToolOutput(
            text: text,
            structured: Structured.page(page, noun: noun, item: Structured.transaction))
    }

    // MARK: Reports

    static let summarize = ToolDefinition(
        name: "summarize", title: "Summarize",
        description: """
            Adds up invoices, vouchers or bank transactions over a date range, grouped by month, status, contact or \
            tax_rate (tax_rate only for invoices and vouchers). Use it for totals such as "revenue per month this \
            year" (entity=invoices, group_by=month) or "costs by supplier" (entity=vouchers, group_by=contact). \
            Drafts and cancelled invoices are left out unless group_by=status. Without dates it covers everything.
            """,
        input: JSONSchema.object(
            [
                "entity": JSONSchema.enumeration(SummaryEntity.allCases.map(\.rawValue), "What to add up"),
                "group_by": JSONSchema.enumeration(SummaryGrouping.allCases.map(\.rawValue), "How to group"),
                "date_from": JSONSchema.date("Document or value date on or after"),
                "date_to": JSONSchema.date("Document or value date on or before"),
            ], required: ["entity", "group_by"]),
        output: JSONSchema.object(
            [
                "entity": JSONSchema.enumeration(SummaryEntity.allCases.map(\.rawValue), "What was added up"),
                "group_by": JSONSchema.enumeration(SummaryGrouping.allCases.map(\.rawValue), "Grouping"),
                "date_from": JSONSchema.nullableDate("Start of the range"),
                "date_to": JSONSchema.nullableDate("End of the range"),
                "groups": JSONSchema.array(summaryGroupSchema, "One row per group"),
                "totals": summaryGroupSchema,
                "other_income": JSONSchema.nullable(
                    summaryGroupSchema, "Vouchers only: other-income vouchers of the range, not counted in the costs above"),
            ], required: ["entity", "group_by", "date_from", "date_to", "groups", "totals", "other_income"])
    ) { arguments, context in
        guard let entity: SummaryEntity = try arguments.choice("entity") else {
            throw ToolCallError("entity is required: one of \(SummaryEntity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let grouping: SummaryGrouping = try arguments.choice("group_by") else {
            throw ToolCallError("group_by is required: one of \(SummaryGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let (from, to) = try arguments.dateRange()
        let summary: Summary
        do { summary = try context.store.summarize(entity, by: grouping, from: from, to: to) } catch LedgerError.invalid(let message) {
            throw ToolCallError(message)
        }
        let range = from == nil && to == nil ? "all dates" : "\(from?.iso ?? "start") to \(to?.iso ?? "today")"
        // Saying which rows are largest lets an answer name them: asked for "the three largest" of a list that does
        // not say, the offline model named rows it read first. Contacts come largest first, months in calendar order;
        // documents by either get a line naming their three largest (money in and out has no one largest).
        let order = grouping == .contact ? ", largest first" : ""
        var text = "\(entity.rawValue.capitalized) by \(Text.spoken(grouping.rawValue))\(order), \(range):"
        // The count is named ("30 vouchers"): a bare "Total: 30 · net …" was read by the offline model as 30 euros.
        let noun = String(entity.rawValue.dropLast())
        for group in summary.groups + [summary.totals] {
            text += "\n• \(group.key == "total" ? "Total" : group.key): \(group.count) \(noun)\(group.count == 1 ? "" : "s") · "
            if entity == .transactions {
                text += "in \(Text.money(group.incomingCents ?? 0)), out \(Text.money(group.outgoingCents ?? 0)), net \(Text.money(group.netCents))"
            } else {
                text += "net \(Text.money(group.netCents)), VAT \(Text.money(group.taxCents)), gross \(Text.money(group.grossCents))"
                // "of which unpaid", not "outstanding": German answers by the offline model called that amount overdue
                // ("Überfälligkeiten von 50.164,17 €" for this month's invoices, most of them not yet due); replayed,
                // "of which unpaid" gave "von denen 12.530,34 € unbezahlt sind" and in English "of which … was unpaid",
                // where "still unpaid" had the English answer call all nine invoices unpaid.
                if let outstanding = group.outstandingCents, outstanding > 0 { text += ", of which unpaid \(Text.money(outstanding))" }
            }
        }
        if summary.groups.isEmpty { text += "\nNothing in this range." }
        // What we still owe, said in a line of its own: asked "Haben wir Schulden?", the offline model answered "Ja" and
        // no amount from the status rows; replayed with this line, "Die Schulden betragen 2.521,93 € auf 2 Rechnungen."
        if entity == .vouchers, grouping == .status, !summary.groups.isEmpty {
            let unpaid = summary.groups.filter { ($0.outstandingCents ?? 0) > 0 }.reduce(0) { $0 + $1.count }
            let owed = summary.totals.outstandingCents ?? 0
            text += owed > 0 ? "\nLeft to pay: \(Text.money(owed)) on \(unpaid) voucher\(unpaid == 1 ? "" : "s")." : "\nNothing is left to pay."
        }
        // Vouchers add up to costs; a hardware sale or a refund among them was counted as a cost before.
        if let income = summary.otherIncome {
            text += "\nNot counted (other income): \(income.count) voucher\(income.count == 1 ? "" : "s") · gross \(Text.money(income.grossCents))"
        }
        // Contacts too, though they come largest first: asked for the costs this quarter (19 suppliers), the offline
        // model named a supplier from the middle of the list as the largest; replayed with this line, the first three.
        // Not customers, whose rows carry what they owe too: with the line, "Which customer owes us the most?" was
        // answered with the largest gross amounts instead.
        if grouping == .month || (grouping == .contact && entity == .vouchers), entity != .transactions, summary.groups.count > 3 {
            let largest = summary.groups.sorted { ($0.grossCents, $1.key) > ($1.grossCents, $0.key) }.prefix(3)
            text += "\nLargest \(grouping == .month ? "months" : "contacts") (gross): "
                + largest.map { "\($0.key) \(Text.money($0.grossCents))" }.joined(separator: ", ") + "."
        }
        return ToolOutput(
            text: text,
            structured: .object([
                "entity": .string(entity.rawValue), "group_by": .string(grouping.rawValue), "date_from": Value(nullable: from),
                "date_to": Value(nullable: to), "groups": .array(summary.groups.map(summaryGroup)), "totals": summaryGroup(summary.totals),
                "other_income": summary.otherIncome.map(summaryGroup) ?? .null,
            ]))
    }

    static let summaryGroupSchema = JSONSchema.object(
        [
            "key": JSONSchema.string("Group: a month (YYYY-MM), a status, a contact name, a tax rate, or 'total'"),
            "count": JSONSchema.integer("Number of documents or transactions"),
            "net_cents": JSONSchema.cents("Net amount (for transactions: money in minus money out)"),
            "tax_cents": JSONSchema.cents("VAT amount"),
            "gross_cents": JSONSchema.cents("Gross amount"),
            "outstanding_cents": JSONSchema.nullableCents("Still owed: by customers (invoices) or by us (vouchers)"),
            "incoming_cents": JSONSchema.nullableCents("Money in (transactions only)"),
            "outgoing_cents": JSONSchema.nullableCents("Money out (transactions only)"),
        ],
        required: ["key", "count", "net_cents", "tax_cents", "gross_cents", "outstanding_cents", "incoming_cents", "outgoing_cents"])

    static func summaryGroup(_ group: SummaryGroup) -> Value {
        .object([
            "key": .string(group.key), "count": .int(group.count), "net_cents": .int(group.netCents),
            "tax_cents": .int(group.taxCents), "gross_cents": .int(group.grossCents),
            "outstanding_cents": Value(nullable: group.outstandingCents), "incoming_cents": Value(nullable: group.incomingCents),
            "outgoing_cents": Value(nullable: group.outgoingCents),
        ])
    }

    static let receivablesAging = ToolDefinition(
        name: "receivables_aging", title: "Receivables aging",
        description: """
            Shows unpaid customer invoices (open and partially paid) by how far past due they are: not yet due, \
            1–30, 31–60, 61–90 and more than 90 days overdue, with the amounts outstanding. as_of defaults to today. \
            Use it for "who owes us money", "how old are our receivables" and "which customer owes us the most".
            """,
        input: JSONSchema.object([
            "as_of": JSONSchema.date("Day to measure from; defaults to today"),
            "include_invoices": JSONSchema.boolean("Also list each unpaid invoice", default: true),
        ]),
        output: JSONSchema.object(
            [
                "as_of": JSONSchema.date("Day measured from"),
                "buckets": JSONSchema.array(
                    JSONSchema.object(
                        [
                            "key": JSONSchema.enumeration(["not_due", "0-30", "31-60", "61-90", "over_90"], "Age band"),
                            "label": JSONSchema.string("Age band in words"),
                            "count": JSONSchema.integer("Invoices in the band"),
                            "outstanding_cents": JSONSchema.cents("Amount owed in the band"),
                        ], required: ["key", "label", "count", "outstanding_cents"]), "Age bands"),
                "invoices": JSONSchema.array(
                    JSONSchema.object(
                        [
                            "number": JSONSchema.string("Invoice number"), "contact_name": JSONSchema.string("Customer"),
                            "due_date": JSONSchema.date("Due date"),
                            "days_overdue": JSONSchema.integer("Days past due; 0 or less when not yet due"),
                            "bucket": JSONSchema.string("Age band key"),
                            "outstanding_cents": JSONSchema.cents("Amount owed"),
                        ], required: ["number", "contact_name", "due_date", "days_overdue", "bucket", "outstanding_cents"],
                        columns: ["number", "contact_name", "due_date", "days_overdue", "outstanding_cents"]),
                    "Unpaid invoices, oldest due date first"),
                "customers": JSONSchema.array(
                    JSONSchema.object(
                        [
                            "contact_id": JSONSchema.integer("Contact id"), "name": JSONSchema.string("Customer"),
                            "invoices": JSONSchema.integer("Unpaid invoices"),
                            "outstanding_cents": JSONSchema.cents("Amount owed"),
                            "overdue_cents": JSONSchema.cents("Of it past due"),
                        ], required: ["contact_id", "name", "invoices", "outstanding_cents", "overdue_cents"],
                        columns: ["name", "invoices", "outstanding_cents", "overdue_cents"]),
                    "What each customer owes, most first"),
                "total_outstanding_cents": JSONSchema.cents("All receivables"),
                "overdue_outstanding_cents": JSONSchema.cents("Receivables past due"),
            ], required: ["as_of", "buckets", "invoices", "customers", "total_outstanding_cents", "overdue_outstanding_cents"])
    ) { arguments, context in
        let asOf = try arguments.date("as_of") ?? context.today
        let includeInvoices = try arguments.bool("include_invoices") ?? true
        let aging = try context.store.receivablesAging(asOf: asOf)
        var text = "Receivables as of \(asOf.iso): \(Text.money(aging.totalOutstandingCents)) outstanding, "
        text += "\(Text.money(aging.overdueOutstandingCents)) of it overdue."
        // Named in a line of its own: asked "Which customer owes us the most?", the offline model named the customer
        // of the largest or the oldest invoice, not the one whose invoices add up to most.
        if !aging.customers.isEmpty {
            text += "\nCustomers who owe the most: " + aging.customers.prefix(3).map { owed in
                "\(owed.name) \(Text.money(owed.outstandingCents)) (\(owed.invoices) invoice\(owed.invoices == 1 ? "" : "s"))"
            }.joined(separator: ", ") + "."
        }
        for bucket in aging.buckets {
            text += "\n• \(bucket.label): \(bucket.count) invoice\(bucket.count == 1 ? "" : "s"), \(Text.money(bucket.outstandingCents))"
        }
        if includeInvoices && !aging.items.isEmpty {
            text += "\nUnpaid invoices:"
            for item in aging.items {
                text += "\n• \(item.invoice.number) · \(item.invoice.contactName) · \(Text.money(item.invoice.outstandingCents)) · "
                text += item.daysOverdue > 0 ? "\(item.daysOverdue) days overdue" : "due \(item.invoice.dueDate.iso)"
            }
        }
        let items: [Value] = includeInvoices
            ? aging.items.map { item in
                .object([
                    "number": .string(item.invoice.number), "contact_name": .string(item.invoice.contactName),
                    "due_date": Value(nullable: item.invoice.dueDate), "days_overdue": .int(item.daysOverdue),
                    "bucket": .string(item.bucket), "outstanding_cents": .int(item.invoice.outstandingCents),
                ])
            } : []
        return ToolOutput(
            text: text,
            structured: .object([
                "as_of": Value(nullable: asOf),
                "buckets": .array(
                    aging.buckets.map {
                        .object([
                            "key": .string($0.key), "label": .string($0.label), "count": .int($0.count),
                            "outstanding_cents": .int($0.outstandingCents),
                        ])
                    }),
                "invoices": .array(items),
                "customers": .array(
                    aging.customers.map { owed in
                        .object([
                            "contact_id": .int(Int(owed.contactId)), "name": .string(owed.name),
                            "invoices": .int(owed.invoices), "outstanding_cents": .int(owed.outstandingCents),
                            "overdue_cents": .int(owed.overdueCents),
                        ])
                    }),
                "total_outstanding_cents": .int(aging.totalOutstandingCents),
                "overdue_outstanding_cents": .int(aging.overdueOutstandingCents),
            ]))
    }

    // MARK: Writing

    static let createContact = ToolDefinition(
        name: "create_contact", title: "Create a contact",
        description: """
            Creates a new contact and assigns the next customer number. Only `name` is required; category defaults \
            to customer and kind to organisation (use kind=person for a private person). Refuses a second contact \
            with exactly the same name unless allow_duplicate=true. Pass an idempotency_key to make retries safe: \
            the same key always returns the same contact instead of creating another.
            """,
        input: JSONSchema.object(
            [
                "name": JSONSchema.string("Company or person name", maxLength: 200),
                "kind": JSONSchema.enumeration(ContactKind.allCases.map(\.rawValue), "organisation or person", default: "organisation"),
                "category": JSONSchema.enumeration(ContactCategory.allCases.map(\.rawValue), "Relationship", default: "customer"),
                "email": JSONSchema.string("Email address", maxLength: 200, format: "email"),
                "phone": JSONSchema.string("Phone number", maxLength: 50),
                "street": JSONSchema.string("Street and number", maxLength: 200),
                "postal_code": JSONSchema.string("Postal code", maxLength: 20),
                "city": JSONSchema.string("City", maxLength: 100),
                "country": JSONSchema.string("ISO country code, e.g. DE (default), AT, NL", maxLength: 2),
                "vat_id": JSONSchema.string("VAT identification number, e.g. DE123456789", maxLength: 20),
                "idempotency_key": JSONSchema.string("Any unique text; repeating a call with the same key returns the same contact", maxLength: 100),
                "allow_duplicate": JSONSchema.boolean("Create even if a contact with this exact name exists", default: false),
            ], required: ["name"]),
        output: JSONSchema.object(
            [
                "contact": Structured.contactSchema,
                "created": JSONSchema.boolean("false when an earlier call with the same idempotency_key already created it"),
            ], required: ["contact", "created"]),
        writes: true
    ) { arguments, context in
        let name = try arguments.requiredString("name", maxLength: 200)
        var new = NewContact(name: name)
        new.kind = try arguments.choice("kind") ?? .organisation
        new.category = try arguments.choice("category") ?? .customer
        if let email = try arguments.string("email", maxLength: 200) {
            guard isPlausibleEmail(email) else {
                throw ToolCallError("email must look like name@example.com; got '\(email)'")
            }
            new.email = email
        }
        new.phone = try arguments.string("phone", maxLength: 50)
        new.street = try arguments.string("street", maxLength: 200)
        new.postalCode = try arguments.string("postal_code", maxLength: 20)
        new.city = try arguments.string("city", maxLength: 100)
        if let country = try arguments.string("country", maxLength: 2) {
            guard country.count == 2, country.allSatisfy(\.isLetter) else {
                throw ToolCallError("country must be a two-letter ISO code such as DE, AT or NL; got '\(country)'")
            }
            new.country = country.uppercased()
        }
        new.vatId = try arguments.string("vat_id", maxLength: 20)?.uppercased().replacingOccurrences(of: " ", with: "")
        let key = try arguments.string("idempotency_key", maxLength: 100)
        let allowDuplicate = try arguments.bool("allow_duplicate") ?? false
        let alreadyCreated = try key.map { try context.store.contactExists(idempotencyKey: $0) } ?? false
        if !allowDuplicate && !alreadyCreated, let twin = try context.store.contacts(named: name).first {
            throw ToolCallError(
                "a contact named '\(twin.name)' already exists (#\(twin.customerNumber), id \(twin.id)), so no second one was created "
                    + "(allow_duplicate creates it anyway, if the user asks for that)")
        }
        let result = try context.store.createContact(new, idempotencyKey: key, on: context.today)
        let contact = result.contact
        let text = result.created
            ? "Created contact \(contact.name) (#\(contact.customerNumber), id \(contact.id)) as \(contact.category.rawValue)."
            : "Contact \(contact.name) (#\(contact.customerNumber), id \(contact.id)) was already created with this idempotency_key; nothing new was made."
        return ToolOutput(text: text, structured: .object(["contact": Structured.contact(contact), "created": .bool(result.created)]))
    }

    static func isPlausibleEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(" ") else { return false }
        let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty }
    }
}
