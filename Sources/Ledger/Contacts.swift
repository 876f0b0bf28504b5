import GRDB

/// Filters for listing contacts.
public struct ContactQuery: Sendable {
    public var category: ContactCategory?
    public var kind: ContactKind?
    /// Matched case-insensitively against name, email, city and customer number.
    public var search: String?
    public var country: String?
    public var sort: ContactSort = .name
    public var order: SortOrder = .asc
    public var offset = 0
    public var limit = 25

    public init() {}
}

/// Columns contacts can be sorted by.
public enum ContactSort: String, Sendable, CaseIterable {
    case name, customer_number, created_on
}

/// What a new contact is made of; the customer number is assigned by the ledger.
public struct NewContact: Sendable {
    public var name: String
    public var kind: ContactKind
    public var category: ContactCategory
    public var email: String?
    public var phone: String?
    public var street: String?
    public var postalCode: String?
    public var city: String?
    public var country: String
    public var vatId: String?

    public init(
        name: String, kind: ContactKind = .organisation, category: ContactCategory = .customer,
        email: String? = nil, phone: String? = nil, street: String? = nil, postalCode: String? = nil,
        city: String? = nil, country: String = "DE", vatId: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.category = category
        self.email = email
        self.phone = phone
        self.street = street
        self.postalCode = postalCode
        self.city = city
        self.country = country
        self.vatId = vatId
    }
}

/// A contact with the money that is open on it.
public struct ContactDetails: Sendable {
    public var contact: Contact
    public var invoiceCount: Int
    public var invoicedGrossCents: Int
    public var outstandingCents: Int
    public var overdueCount: Int
    public var voucherCount: Int
    public var lastInvoiceDate: LedgerDate?
}

/// The outcome of creating a contact: the record, and whether it was made now or found by its idempotency key.
public struct CreatedContact: Sendable {
    public var contact: Contact
    public var created: Bool
}

extension LedgerStore {
    static let contactColumns = """
        id, kind, name, category, customer_number, email, phone, street, postal_code, city, country, vat_id, created_on
        """

    static func contact(from row: Row) -> Contact {
        Contact(
            id: row["id"], kind: ContactKind(rawValue: row["kind"]) ?? .organisation, name: row["name"],
            category: ContactCategory(rawValue: row["category"]) ?? .customer,
            customerNumber: row["customer_number"], email: row["email"], phone: row["phone"],
            street: row["street"], postalCode: row["postal_code"], city: row["city"], country: row["country"],
            vatId: row["vat_id"], createdOn: row.date("created_on"))
    }

    public func listContacts(_ query: ContactQuery) throws -> Page<Contact> {
        var filter = SQLFilter()
        if let category = query.category { filter.add("category = ?", category.rawValue) }
        if let kind = query.kind { filter.add("kind = ?", kind.rawValue) }
        if let country = query.country { filter.add("country = ?", country.uppercased()) }
        if let search = query.search, !search.isEmpty {
            let pattern = likePattern(search)
            filter.add(
                "(name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR city LIKE ? ESCAPE '\\' OR customer_number LIKE ? ESCAPE '\\')",
                pattern, pattern, pattern, pattern)
        }
        let orderColumn: String
        switch query.sort {
        case .name: orderColumn = "name COLLATE NOCASE"
        case .customer_number: orderColumn = "CAST(customer_number AS INTEGER)"
        case .created_on: orderColumn = "created_on"
        }
        let filterValue = filter
        return try read { db in
            let total =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contact \(filterValue.clause)", arguments: filterValue.arguments)
                ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.contactColumns) FROM contact \(filterValue.clause)
                    ORDER BY \(orderColumn) \(query.order.rawValue), id \(query.order.rawValue) LIMIT ? OFFSET ?
                    """,
                arguments: filterValue.arguments + [query.limit, query.offset])
            return Page(items: rows.map(Self.contact(from:)), total: total, offset: query.offset, limit: query.limit)
        }
    }

    /// Looks a contact up by id or by customer number.
    public func contact(id: Int64? = nil, customerNumber: String? = nil) throws -> Contact? {
        try read { db in
            if let id {
                return try Row.fetchOne(db, sql: "SELECT \(Self.contactColumns) FROM contact WHERE id = ?", arguments: [id])
                    .map(Self.contact(from:))
            }
            if let customerNumber {
                return try Row.fetchOne(
                    db, sql: "SELECT \(Self.contactColumns) FROM contact WHERE customer_number = ?",
                    arguments: [customerNumber]
                ).map(Self.contact(from:))
            }
            return nil
        }
    }

    public func contactDetails(id: Int64, asOf date: LedgerDate) throws -> ContactDetails? {
        guard let contact = try contact(id: id) else { return nil }
        return try read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS count,
                           COALESCE(SUM(CASE WHEN status NOT IN ('draft','cancelled') THEN gross_cents END), 0) AS invoiced,
                           COALESCE(SUM(CASE WHEN status IN ('open','partially_paid') THEN gross_cents - paid_cents - discount_cents END), 0) AS outstanding,
                           COALESCE(SUM(CASE WHEN status IN ('open','partially_paid') AND due_date < ? THEN 1 END), 0) AS overdue,
                           MAX(invoice_date) AS last_date
                    FROM invoice WHERE contact_id = ?
                    """, arguments: [date.iso, id])!
            let vouchers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM voucher WHERE contact_id = ?", arguments: [id]) ?? 0
            return ContactDetails(
                contact: contact, invoiceCount: row["count"], invoicedGrossCents: row["invoiced"],
                outstandingCents: row["outstanding"], overdueCount: row["overdue"], voucherCount: vouchers,
                lastInvoiceDate: row.optionalDate("last_date"))
        }
    }

    /// True when a contact was already created with this idempotency key.
    public func contactExists(idempotencyKey: String) throws -> Bool {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contact WHERE idempotency_key = ?", arguments: [idempotencyKey]) ?? 0 > 0
        }
    }

    /// Contacts whose name equals `name`, ignoring case and surrounding spaces.
    public func contacts(named name: String) throws -> [Contact] {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return try read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.contactColumns) FROM contact WHERE lower(trim(name)) = lower(?)",
                arguments: [trimmed]
            ).map(Self.contact(from:))
        }
    }

    /// Creates a contact with the next free customer number, in one transaction.
    ///
    /// With an `idempotencyKey` the same key always yields the same contact: a retried call
    /// returns the first result instead of making a duplicate.
    public func createContact(_ new: NewContact, idempotencyKey: String? = nil, on date: LedgerDate) throws
        -> CreatedContact
    {
        try write { db in
            if let idempotencyKey,
                let existing = try Row.fetchOne(
                    db, sql: "SELECT \(Self.contactColumns) FROM contact WHERE idempotency_key = ?",
                    arguments: [idempotencyKey])
            {
                return CreatedContact(contact: Self.contact(from: existing), created: false)
            }
            let highest =
                try Int.fetchOne(db, sql: "SELECT MAX(CAST(customer_number AS INTEGER)) FROM contact") ?? 1000
            let number = String(max(highest, 1000) + 1)
            try db.execute(
                sql: """
                    INSERT INTO contact (kind, name, category, customer_number, email, phone, street, postal_code, city,
                                         country, vat_id, created_on, idempotency_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    new.kind.rawValue, new.name, new.category.rawValue, number, new.email, new.phone, new.street,
                    new.postalCode, new.city, new.country, new.vatId, date.iso, idempotencyKey,
                ])
            let id = db.lastInsertedRowID
            let row = try Row.fetchOne(db, sql: "SELECT \(Self.contactColumns) FROM contact WHERE id = ?", arguments: [id])!
            return CreatedContact(contact: Self.contact(from: row), created: true)
        }
    }
}
