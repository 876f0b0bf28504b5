import Ledger
import MCP

/// The six tools of the original proof of concept, answering in its bullet-list text style with no
/// structured content. Kept as the baseline that the full toolset is compared against.
enum ProofOfConceptToolset {
    static let definitions: [ToolDefinition] = [getContacts, getInvoices, getVouchers, getCheckAccounts, getTransactions, createContact]

    static let limit = JSONSchema.integer("How many to return", minimum: 1, maximum: Paging.maxLimit, default: 10)

    static func list(_ name: String, title: String, description: String, noun: String, heading: String,
                     fetch: @escaping @Sendable (LedgerStore, Int, LedgerDate) throws -> [String]) -> ToolDefinition {
        ToolDefinition(
            name: name, title: title, description: description, input: JSONSchema.object(["limit": limit]), output: nil
        ) { arguments, context in
            let count = try arguments.int("limit", in: 1...Paging.maxLimit) ?? 10
            let lines = try fetch(context.store, count, context.today)
            if lines.isEmpty { return ToolOutput(text: "No \(noun) found.", structured: nil) }
            return ToolOutput(text: "\(heading) (showing \(lines.count)):\n" + lines.map { "• " + $0 }.joined(separator: "\n"), structured: nil)
        }
    }

    static let getContacts = list(
        "get_contacts", title: "Get contacts", description: "Get contacts from the accounting system.", noun: "contacts",
        heading: "Contacts"
    ) { store, count, _ in
        var query = ContactQuery()
        query.limit = count
        return try store.listContacts(query).items.map { "\($0.name) (#\($0.customerNumber))" }
    }

    static let getInvoices = list(
        "get_invoices", title: "Get invoices", description: "Get invoices from the accounting system.", noun: "invoices",
        heading: "Invoices"
    ) { store, count, today in
        var query = InvoiceQuery(asOf: today)
        query.limit = count
        return try store.listInvoices(query).items.map {
            "\($0.number) - \($0.contactName) - \(Text.money($0.grossCents)) - \($0.status.rawValue) (\($0.invoiceDate.iso))"
        }
    }

    static let getVouchers = list(
        "get_vouchers", title: "Get vouchers", description: "Get vouchers from the accounting system.", noun: "vouchers",
        heading: "Vouchers"
    ) { store, count, _ in
        var query = VoucherQuery()
        query.limit = count
        return try store.listVouchers(query).items.map {
            "\($0.number) - \($0.supplierName) - \(Text.money($0.grossCents)) - \($0.status.rawValue) (\($0.voucherDate.iso))"
        }
    }

    static let getCheckAccounts = list(
        "get_check_accounts", title: "Get check accounts", description: "Get bank accounts (check accounts) from the accounting system.",
        noun: "check accounts", heading: "Check accounts"
    ) { store, count, _ in
        try store.listBankAccounts().prefix(count).map { "\($0.name) - \($0.type.rawValue) - \(Text.money($0.balanceCents))" }
    }

    static let getTransactions = list(
        "get_transactions", title: "Get transactions", description: "Get bank transactions from the accounting system.",
        noun: "transactions", heading: "Transactions"
    ) { store, count, _ in
        var query = TransactionQuery()
        query.limit = count
        return try store.listTransactions(query).items.map {
            "\($0.valueDate.iso) - \($0.counterparty) - \(Text.money($0.amountCents)) - \($0.purpose)"
        }
    }

    static let createContact = ToolDefinition(
        name: "create_contact", title: "Create contact",
        description: "Create a new contact in the accounting system.",
        input: JSONSchema.object(
            [
                "name": JSONSchema.string("Contact name", maxLength: 200),
                "email": JSONSchema.string("Email address", maxLength: 200),
                "phone": JSONSchema.string("Phone number", maxLength: 50),
                "category": JSONSchema.enumeration(ContactCategory.allCases.map(\.rawValue), "Contact category", default: "customer"),
            ], required: ["name"]),
        output: nil, writes: true
    ) { arguments, context in
        var new = NewContact(name: try arguments.requiredString("name", maxLength: 200))
        new.category = try arguments.choice("category") ?? .customer
        if let email = try arguments.string("email", maxLength: 200) {
            guard FullToolset.isPlausibleEmail(email) else { throw ToolCallError("email must look like name@example.com; got '\(email)'") }
            new.email = email
        }
        new.phone = try arguments.string("phone", maxLength: 50)
        let contact = try context.store.createContact(new, on: context.today).contact
        return ToolOutput(text: "Contact created: \(contact.name) (#\(contact.customerNumber))", structured: nil)
    }
}
