import GRDB

/// Generates the demo ledger of "Muster Digital GmbH", a small Cologne web agency: a year and a month
/// of contacts, invoices, vouchers, bank accounts, transactions and payments that agree with each other.
///
/// The output depends only on the seed and the anchor date ("today" in the story), so tests can pin it.
public enum DemoLedger {
    public static let companyName = "Muster Digital GmbH"
    public static let defaultSeed: UInt64 = 42

    /// How many records of each kind a generation produced.
    public struct Counts: Sendable, Equatable, CustomStringConvertible {
        public var contacts = 0
        public var invoices = 0
        public var vouchers = 0
        public var bankAccounts = 0
        public var transactions = 0
        public var payments = 0

        public var description: String {
            "\(contacts) contacts, \(invoices) invoices, \(vouchers) vouchers, \(bankAccounts) bank accounts, "
                + "\(transactions) transactions, \(payments) payments"
        }
    }

    /// The number of the demo's `index`-th invoice (0 is the oldest): sevDesk's default numbering, "RE-" and a running
    /// number from 1000, never reset at the new year. Short on purpose as well: models read and write digits one
    /// token each, so `RE-1119` costs 6 tokens where a year-based `RE-2026-0101` costs 11, in every list a model reads
    /// and every answer it writes.
    static func invoiceNumber(_ index: Int) -> String { "RE-\(1000 + index)" }

    /// Fills an empty ledger in one transaction. Throws if the ledger already holds data.
    @discardableResult
    public static func generate(into store: LedgerStore, seed: UInt64 = defaultSeed, anchor: LedgerDate) throws -> Counts {
        try store.write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM company") ?? 0 > 0 {
                throw LedgerError.conflict("The ledger already holds data; use --force to replace it.")
            }
            var builder = Builder(db: db, random: SeededRandom(seed: seed), anchor: anchor, seed: seed)
            try builder.run()
            return builder.counts
        }
    }
}

// MARK: - Cast

private struct ContactSeed {
    var name: String
    var kind: ContactKind
    var category: ContactCategory
    var city: String
    var postalCode: String
    var street: String
    var country: String = "DE"
    var vatId: String? = nil
    var email: String
}

private let contactSeeds: [ContactSeed] = [
    // 22 customers: 16 German companies, 4 private persons, 2 EU businesses (intra-community, 0 % VAT).
    .init(name: "Müller GmbH", kind: .organisation, category: .customer, city: "Köln", postalCode: "50667", street: "Hohe Straße 12", vatId: "DE812345671", email: "buchhaltung@mueller-gmbh.de"),
    .init(name: "Bäckerei Hoffmann", kind: .organisation, category: .customer, city: "Bonn", postalCode: "53111", street: "Markt 3", email: "info@baeckerei-hoffmann.de"),
    .init(name: "Schmidt & Partner Rechtsanwälte", kind: .organisation, category: .customer, city: "Düsseldorf", postalCode: "40213", street: "Königsallee 58", vatId: "DE298765432", email: "kanzlei@schmidt-partner.de"),
    .init(name: "Autohaus Becker KG", kind: .organisation, category: .customer, city: "Leverkusen", postalCode: "51373", street: "Europaring 101", vatId: "DE134679258", email: "rechnung@autohaus-becker.de"),
    .init(name: "Praxis Dr. Wagner", kind: .organisation, category: .customer, city: "Köln", postalCode: "50931", street: "Dürener Straße 201", email: "praxis@dr-wagner.de"),
    .init(name: "Rheinland Logistik AG", kind: .organisation, category: .customer, city: "Neuss", postalCode: "41460", street: "Hafenstraße 40", vatId: "DE245813697", email: "kreditoren@rheinland-logistik.de"),
    .init(name: "Café Zimt & Zucker", kind: .organisation, category: .customer, city: "Köln", postalCode: "50674", street: "Zülpicher Straße 9", email: "hallo@zimtundzucker.de"),
    .init(name: "Weber Maschinenbau GmbH", kind: .organisation, category: .customer, city: "Solingen", postalCode: "42651", street: "Industriestraße 17", vatId: "DE187654329", email: "einkauf@weber-maschinenbau.de"),
    .init(name: "Stadtwerke Brühl GmbH", kind: .organisation, category: .customer, city: "Brühl", postalCode: "50321", street: "Rheinstraße 110", vatId: "DE156789234", email: "rechnungseingang@stadtwerke-bruehl.de"),
    .init(name: "Fitnessstudio Kraftwerk", kind: .organisation, category: .customer, city: "Köln", postalCode: "50823", street: "Venloer Straße 330", email: "team@kraftwerk-fitness.de"),
    .init(name: "Immobilien Richter GmbH", kind: .organisation, category: .customer, city: "Bergisch Gladbach", postalCode: "51465", street: "Hauptstraße 77", vatId: "DE276543198", email: "office@richter-immobilien.de"),
    .init(name: "Hotel Rheinblick", kind: .organisation, category: .customer, city: "Königswinter", postalCode: "53639", street: "Rheinallee 5", vatId: "DE219876543", email: "rezeption@hotel-rheinblick.de"),
    .init(name: "Fischer Elektrotechnik", kind: .organisation, category: .customer, city: "Hürth", postalCode: "50354", street: "Luxemburger Straße 88", email: "info@fischer-elektro.de"),
    .init(name: "Bioladen Grünkern eG", kind: .organisation, category: .customer, city: "Köln", postalCode: "50677", street: "Severinstraße 45", vatId: "DE231456789", email: "verwaltung@gruenkern.de"),
    .init(name: "Kölner Kunstverein e.V.", kind: .organisation, category: .customer, city: "Köln", postalCode: "50672", street: "Hahnenstraße 6", email: "vorstand@koelner-kunstverein.de"),
    .init(name: "Neumann Steuerberatung", kind: .organisation, category: .customer, city: "Frechen", postalCode: "50226", street: "Hauptstraße 120", email: "kanzlei@neumann-stb.de"),
    .init(name: "Anna Schulz", kind: .person, category: .customer, city: "Köln", postalCode: "50733", street: "Neusser Straße 250", email: "anna.schulz@posteo.de"),
    .init(name: "Thomas Klein", kind: .person, category: .customer, city: "Pulheim", postalCode: "50259", street: "Venloer Straße 12", email: "t.klein@web.de"),
    .init(name: "Sabine Wolf", kind: .person, category: .customer, city: "Bonn", postalCode: "53113", street: "Poppelsdorfer Allee 31", email: "sabine.wolf@gmx.de"),
    .init(name: "Michael Braun", kind: .person, category: .customer, city: "Köln", postalCode: "50968", street: "Bonner Straße 180", email: "michael.braun@t-online.de"),
    .init(name: "Alpenblick Software GmbH", kind: .organisation, category: .customer, city: "Wien", postalCode: "1010", street: "Kärntner Straße 21", country: "AT", vatId: "ATU12345678", email: "office@alpenblick-software.at"),
    .init(name: "Van Dijk Design B.V.", kind: .organisation, category: .customer, city: "Amsterdam", postalCode: "1012 AB", street: "Damrak 70", country: "NL", vatId: "NL123456789B01", email: "finance@vandijkdesign.nl"),
    // 9 suppliers, one of them a reverse-charge SaaS vendor in Ireland.
    .init(name: "Immobilien Schneider GmbH", kind: .organisation, category: .supplier, city: "Köln", postalCode: "50670", street: "Ebertplatz 2", vatId: "DE198273645", email: "mieten@schneider-immobilien.de"),
    .init(name: "Telekom Deutschland GmbH", kind: .organisation, category: .supplier, city: "Bonn", postalCode: "53113", street: "Landgrabenweg 151", vatId: "DE814645262", email: "geschaeftskunden@telekom.de"),
    .init(name: "Hetzner Online GmbH", kind: .organisation, category: .supplier, city: "Gunzenhausen", postalCode: "91710", street: "Industriestr. 25", vatId: "DE812871812", email: "billing@hetzner.com"),
    .init(name: "CloudSuite Ltd", kind: .organisation, category: .supplier, city: "Dublin", postalCode: "D02 X285", street: "Grand Canal Square 1", country: "IE", vatId: "IE9876543W", email: "billing@cloudsuite.example"),
    .init(name: "Steuerberatung Krause & Partner mbB", kind: .organisation, category: .supplier, city: "Köln", postalCode: "50668", street: "Theodor-Heuss-Ring 23", vatId: "DE264819375", email: "mandanten@krause-partner.de"),
    .init(name: "Allianz Versicherungs-AG", kind: .organisation, category: .supplier, city: "München", postalCode: "80802", street: "Königinstraße 28", email: "firmenkunden@allianz.de"),
    .init(name: "Sparkasse KölnBonn", kind: .organisation, category: .supplier, city: "Köln", postalCode: "50667", street: "Hahnenstraße 57", email: "firmenkunden@sparkasse-koelnbonn.de"),
    .init(name: "Bürobedarf Weber KG", kind: .organisation, category: .supplier, city: "Köln", postalCode: "50825", street: "Vogelsanger Straße 191", vatId: "DE173829465", email: "bestellung@buero-weber.de"),
    .init(name: "DB Fernverkehr AG", kind: .organisation, category: .supplier, city: "Frankfurt am Main", postalCode: "60326", street: "Stephensonstraße 1", vatId: "DE260656737", email: "geschaeftskunden@bahn.de"),
    // 2 partners.
    .init(name: "Lindner Media Agentur", kind: .organisation, category: .partner, city: "Köln", postalCode: "50676", street: "Mauritiussteinweg 60", vatId: "DE285736194", email: "kontakt@lindner-media.de"),
    .init(name: "Jonas Becker", kind: .person, category: .partner, city: "Köln", postalCode: "50937", street: "Berrenrather Straße 140", email: "jonas@becker-dev.de"),
    // 3 prospects.
    .init(name: "Gasthaus Zum Löwen", kind: .organisation, category: .prospect, city: "Siegburg", postalCode: "53721", street: "Holzgasse 14", email: "wirt@zum-loewen.de"),
    .init(name: "Yildiz Textil GmbH", kind: .organisation, category: .prospect, city: "Köln", postalCode: "50825", street: "Subbelrather Straße 400", email: "info@yildiz-textil.de"),
    .init(name: "Rhein-Sieg Kliniken gGmbH", kind: .organisation, category: .prospect, city: "Troisdorf", postalCode: "53840", street: "Kölner Straße 90", email: "einkauf@rhein-sieg-kliniken.de"),
]

private struct Service {
    var description: String
    var unit: String
    var priceCents: Int
    var quantity: ClosedRange<Int>
    var taxRate: Int = 19
}

private let businessServices: [Service] = [
    .init(description: "Webentwicklung", unit: "Std.", priceCents: 9_500, quantity: 4...60),
    .init(description: "UX/UI-Design", unit: "Std.", priceCents: 8_500, quantity: 4...30),
    .init(description: "Projektmanagement", unit: "Std.", priceCents: 8_000, quantity: 2...12),
    .init(description: "Wartungsvertrag Website (monatlich)", unit: "Monat", priceCents: 24_900, quantity: 1...1),
    .init(description: "Hosting Business-Paket", unit: "Monat", priceCents: 3_990, quantity: 1...3),
    .init(description: "SEO-Audit", unit: "pauschal", priceCents: 120_000, quantity: 1...1),
    .init(description: "Workshop (Tagessatz)", unit: "Tag", priceCents: 110_000, quantity: 1...2),
    .init(description: "Online-Shop Anbindung", unit: "pauschal", priceCents: 280_000, quantity: 1...1),
]

private let personServices: [Service] = [
    .init(description: "Website-Paket Starter", unit: "pauschal", priceCents: 149_000, quantity: 1...1),
    .init(description: "Domain & Hosting (12 Monate)", unit: "Jahr", priceCents: 11_900, quantity: 1...1),
    .init(description: "Fotobearbeitung", unit: "Std.", priceCents: 6_500, quantity: 1...6),
]

/// Printed matter is taxed at the reduced 7 % rate.
private let reducedRateItem = Service(
    description: "Fachbuch „Digitale Transformation im Mittelstand“", unit: "Stück", priceCents: 3_490,
    quantity: 1...5, taxRate: 7)

private let germanMonths = [
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
    "Dezember",
]

/// A one-piece line; positions are numbered when the voucher is written.
private func line(_ description: String, _ netCents: Int, _ taxRate: Int) -> DocumentLine {
    DocumentLine(position: 0, description: description, quantity: 1, unit: "pauschal", unitPriceCents: netCents, taxRate: taxRate)
}

// MARK: - Builder

private struct Builder {
    let db: Database
    var random: SeededRandom
    let anchor: LedgerDate
    let seed: UInt64
    var counts = DemoLedger.Counts()

    /// The first day covered: the first of the month thirteen months before the anchor.
    var start: LedgerDate { anchor.adding(months: -13).firstOfMonth }

    var contactIds: [String: Int64] = [:]
    var bankId: Int64 = 0
    var paypalId: Int64 = 0
    var cashId: Int64 = 0
    var voucherSequence: [Int: Int] = [:]

    init(db: Database, random: SeededRandom, anchor: LedgerDate, seed: UInt64) {
        self.db = db
        self.random = random
        self.anchor = anchor
        self.seed = seed
    }

    mutating func run() throws {
        try insertCompany()
        try insertContacts()
        try insertBankAccounts()
        try insertInvoices()
        try insertRecurringVouchers()
        try insertOccasionalVouchers()
        try insertPayroll()
        try insertVATPrepayments()
        try insertPrivateWithdrawals()
        try insertUnmatched()
    }

    // MARK: Company, contacts, accounts

    mutating func insertCompany() throws {
        try db.execute(
            sql: """
                INSERT INTO company (id, name, legal_form, street, postal_code, city, country, vat_id, tax_number, email,
                                     phone, currency, fiscal_year_start, anchor_date, seed)
                VALUES (1, ?, 'GmbH', 'Venloer Straße 47', '50672', 'Köln', 'DE', 'DE301234567', '214/5723/0815',
                        'buchhaltung@muster-digital.de', '+49 221 98765-0', 'EUR', '01-01', ?, ?)
                """, arguments: [DemoLedger.companyName, anchor.iso, Int64(bitPattern: seed)])
    }

    mutating func insertContacts() throws {
        for (index, seed) in contactSeeds.enumerated() {
            let created: LedgerDate
            switch seed.category {
            case .prospect: created = anchor.adding(days: -random.int(5...60))
            default: created = start.adding(days: -random.int(30...900))
            }
            let phone = seed.country == "DE" ? "+49 \(random.int(201...2299)) \(random.int(100_000...999_999))" : nil
            try db.execute(
                sql: """
                    INSERT INTO contact (kind, name, category, customer_number, email, phone, street, postal_code, city,
                                         country, vat_id, created_on)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    seed.kind.rawValue, seed.name, seed.category.rawValue, String(1001 + index), seed.email, phone,
                    seed.street, seed.postalCode, seed.city, seed.country, seed.vatId, created.iso,
                ])
            contactIds[seed.name] = db.lastInsertedRowID
            counts.contacts += 1
        }
    }

    mutating func insertBankAccounts() throws {
        let accounts: [(String, String?, BankAccountType, String, Int)] = [
            ("Geschäftskonto Sparkasse KölnBonn", "DE12370501981234567890", .bank, "1200", 4_825_000),
            ("PayPal Geschäftskonto", nil, .paypal, "1210", 61_240),
            ("Kasse", nil, .cash, "1000", 250_000),
        ]
        var ids: [Int64] = []
        for (name, iban, type, number, opening) in accounts {
            try db.execute(
                sql: """
                    INSERT INTO bank_account (name, iban, type, accounting_number, opening_date, opening_balance_cents)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [name, iban, type.rawValue, number, start.adding(days: -1).iso, opening])
            ids.append(db.lastInsertedRowID)
            counts.bankAccounts += 1
        }
        (bankId, paypalId, cashId) = (ids[0], ids[1], ids[2])
    }

    // MARK: Invoices

    enum InvoicePlan {
        case paid, paidWithSkonto, paidInInstallments, partiallyPaid, openNotDue, overdue, draft, cancelled
    }

    mutating func insertInvoices() throws {
        let customers = contactSeeds.filter { $0.category == .customer }
        // 114 invoices spread over the period, plus 6 drafts written in the last days.
        // Business picked up lately: 20 of the 114 issued invoices fall in the last five weeks.
        var dates = (0..<94).map { _ in start.adding(days: random.int(0...(start.days(until: anchor) - 36))) }
        dates += (0..<20).map { _ in anchor.adding(days: -random.int(1...35)) }
        dates += (0..<6).map { _ in anchor.adding(days: -random.int(0...8)) }
        dates = dates.map { min(businessDay($0), anchor) }
        var plans = [InvoicePlan](repeating: .paid, count: dates.count)
        let order = dates.indices.sorted { dates[$0] < dates[$1] }
        dates = order.map { dates[$0] }
        for index in 114..<120 { plans[index] = .draft }

        // Terms first, because "not yet due" and "overdue" depend on the due date.
        let terms: [Int] = dates.indices.map { _ in random.pick([14, 14, 30, 30, 30, 10]) }
        let dueDates = dates.indices.map { dates[$0].adding(days: terms[$0]) }
        for index in 0..<114 where dueDates[index] >= anchor { plans[index] = .openNotDue }
        let pastDue = (0..<114).filter { dueDates[$0] < anchor && dueDates[$0] >= anchor.adding(days: -100) }
        let overdue = random.sample(pastDue, count: random.int(3...5))
        for index in overdue { plans[index] = .overdue }
        let older = (0..<114).filter { plans[$0] == .paid && dueDates[$0] < anchor.adding(days: -20) }
        let picked = random.sample(older, count: 18)
        plans[picked[0]] = .cancelled
        for index in picked[1...2] { plans[index] = .partiallyPaid }
        for index in picked[3...5] { plans[index] = .paidInInstallments }
        for index in picked[6...] where terms[index] == 10 || random.chance(50) { plans[index] = .paidWithSkonto }
        // Two recent invoices already carry a first installment although they are not yet due.
        let recentOpen = (0..<114).filter { plans[$0] == .openNotDue }
        for index in random.sample(recentOpen, count: min(2, recentOpen.count / 3)) { plans[index] = .partiallyPaid }

        for index in dates.indices {
            let date = dates[index]
            let customer = pickCustomer(customers)
            let contactId = contactIds[customer.name]!
            let eu = customer.country != "DE"
            var services = customer.kind == .person ? personServices : businessServices
            if eu { services = services.map { var s = $0; s.taxRate = 0; return s } }
            var lines: [DocumentLine] = []
            for service in random.sample(services, count: random.int(1...(customer.kind == .person ? 2 : 4))) {
                lines.append(
                    DocumentLine(
                        position: lines.count + 1, description: service.description,
                        quantity: random.int(service.quantity), unit: service.unit, unitPriceCents: service.priceCents,
                        taxRate: service.taxRate))
            }
            if !eu && customer.kind == .organisation && random.chance(8) {
                lines.append(
                    DocumentLine(
                        position: lines.count + 1, description: reducedRateItem.description,
                        quantity: random.int(reducedRateItem.quantity), unit: reducedRateItem.unit,
                        unitPriceCents: reducedRateItem.priceCents, taxRate: 7))
            }
            let net = lines.reduce(0) { $0 + $1.netCents }
            let tax = lines.reduce(0) { $0 + $1.taxCents }
            let gross = net + tax
            let number = DemoLedger.invoiceNumber(index)
            let title = eu ? "Services \(englishMonth(date)) \(date.year)" : "Leistungen \(germanMonths[date.month - 1]) \(date.year)"
            let delivery = date.adding(days: -random.int(0...5))
            try db.execute(
                sql: """
                    INSERT INTO invoice (number, contact_id, invoice_date, delivery_date, due_date, status, currency, title,
                                         net_cents, tax_cents, gross_cents)
                    VALUES (?, ?, ?, ?, ?, 'draft', 'EUR', ?, ?, ?, ?)
                    """,
                arguments: [number, contactId, date.iso, delivery.iso, dueDates[index].iso, title, net, tax, gross])
            let invoiceId = db.lastInsertedRowID
            counts.invoices += 1
            for line in lines {
                try db.execute(
                    sql: """
                        INSERT INTO invoice_line (invoice_id, position, description, quantity, unit, unit_price_cents,
                                                  tax_rate, net_cents, tax_cents, gross_cents)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        invoiceId, line.position, line.description, line.quantity, line.unit, line.unitPriceCents,
                        line.taxRate, line.netCents, line.taxCents, line.grossCents,
                    ])
            }
            let account = customer.kind == .person && random.chance(40) ? paypalId : bankId
            let purpose = "\(number) \(customer.name)"
            switch plans[index] {
            case .draft:
                continue
            case .cancelled:
                try db.execute(sql: "UPDATE invoice SET status = 'cancelled' WHERE id = ?", arguments: [invoiceId])
                continue
            case .openNotDue, .overdue:
                break
            case .paid:
                let paidOn = clamp(date.adding(days: random.int(3...(terms[index] + 12))))
                try payInvoice(invoiceId, account: account, on: paidOn, amount: gross, discount: 0, purpose: purpose, payer: customer.name)
            case .paidWithSkonto:
                let discount = Money.percentage(2, of: gross)
                let paidOn = clamp(date.adding(days: random.int(3...10)))
                try payInvoice(
                    invoiceId, account: account, on: paidOn, amount: gross - discount, discount: discount,
                    purpose: "\(purpose) abzgl. 2 % Skonto", payer: customer.name)
            case .paidInInstallments:
                let first = gross / 2
                try payInvoice(
                    invoiceId, account: account, on: clamp(date.adding(days: random.int(5...15))), amount: first,
                    discount: 0, purpose: "\(purpose) 1. Rate", payer: customer.name)
                try payInvoice(
                    invoiceId, account: account, on: clamp(date.adding(days: random.int(30...45))), amount: gross - first,
                    discount: 0, purpose: "\(purpose) 2. Rate", payer: customer.name)
            case .partiallyPaid:
                let share = gross * random.int(30...60) / 100
                let paidOn = clamp(date.adding(days: random.int(2...max(3, min(20, date.days(until: anchor))))))
                try payInvoice(invoiceId, account: account, on: paidOn, amount: share, discount: 0, purpose: "\(purpose) Teilzahlung", payer: customer.name)
            }
            try settleInvoiceStatus(invoiceId)
        }
    }

    mutating func pickCustomer(_ customers: [ContactSeed]) -> ContactSeed {
        // Regular business customers get most of the work; persons and EU customers a little.
        let roll = random.int(1...100)
        if roll <= 10 { return random.pick(customers.filter { $0.kind == .person }) }
        if roll <= 16 { return random.pick(customers.filter { $0.country != "DE" }) }
        let regulars = customers.filter { $0.kind == .organisation && $0.country == "DE" }
        // The first few regulars are the biggest accounts.
        return regulars[min(random.int(0...(regulars.count - 1)), random.int(0...(regulars.count - 1)))]
    }

    mutating func payInvoice(
        _ invoiceId: Int64, account: Int64, on date: LedgerDate, amount: Int, discount: Int, purpose: String, payer: String
    ) throws {
        let transactionId = try insertTransaction(
            account: account, on: date, amount: amount, purpose: purpose, counterparty: payer, status: .linked)
        try db.execute(
            sql: """
                INSERT INTO payment (transaction_id, invoice_id, payment_date, amount_cents, discount_cents)
                VALUES (?, ?, ?, ?, ?)
                """, arguments: [transactionId, invoiceId, date.iso, amount, discount])
        try db.execute(
            sql: "UPDATE invoice SET paid_cents = paid_cents + ?, discount_cents = discount_cents + ? WHERE id = ?",
            arguments: [amount, discount, invoiceId])
        counts.payments += 1
    }

    func settleInvoiceStatus(_ invoiceId: Int64) throws {
        try db.execute(
            sql: """
                UPDATE invoice SET status = CASE
                    WHEN paid_cents + discount_cents >= gross_cents THEN 'paid'
                    WHEN paid_cents > 0 THEN 'partially_paid'
                    ELSE 'open' END
                WHERE id = ?
                """, arguments: [invoiceId])
    }

    // MARK: Vouchers

    struct VoucherSpec {
        var supplier: String
        var contact: String?
        var kind: VoucherKind = .expense
        var category: String
        var description: String
        var lines: [DocumentLine]
        var reverseCharge = false
        /// Paid from the petty-cash box instead of the bank account.
        var paidInCash = false
        var dueInDays = 14
    }

    mutating func insertRecurringVouchers() throws {
        var month = start
        while month <= anchor {
            let first = month.firstOfMonth
            let label = "\(germanMonths[first.month - 1]) \(first.year)"
            try voucher(
                on: first, paidAfter: 2,
                VoucherSpec(
                    supplier: "Immobilien Schneider GmbH", contact: "Immobilien Schneider GmbH", category: "rent",
                    description: "Büromiete \(label)",
                    lines: [line("Miete Büroräume Venloer Str. 47", 185_000, 19), line("Nebenkostenvorauszahlung", 32_000, 19)]))
            try voucher(
                on: first.adding(days: 4), paidAfter: 10,
                VoucherSpec(
                    supplier: "Telekom Deutschland GmbH", contact: "Telekom Deutschland GmbH", category: "phone_internet",
                    description: "Telefon und Internet \(label)",
                    lines: [line("MagentaBusiness Internet", 5_995, 19), line("Mobilfunk 3 Karten", 2_000 + random.int(0...3_000), 19)]))
            try voucher(
                on: first.adding(days: 1), paidAfter: 7,
                VoucherSpec(
                    supplier: "Hetzner Online GmbH", contact: "Hetzner Online GmbH", category: "hosting",
                    description: "Server-Hosting \(label)",
                    lines: [line("Dedicated Server AX52", 7_700, 19), line("Cloud-Server und Backups", random.int(3_000...9_000), 19)]))
            try voucher(
                on: first.adding(days: 2), paidAfter: 1,
                VoucherSpec(
                    supplier: "CloudSuite Ltd", contact: "CloudSuite Ltd", category: "software",
                    description: "CloudSuite Team subscription \(label) (reverse charge)",
                    lines: [line("CloudSuite Team, 8 seats", 42_000, 0)], reverseCharge: true))
            try voucher(
                on: first.adding(days: 9), paidAfter: 14,
                VoucherSpec(
                    supplier: "Steuerberatung Krause & Partner mbB", contact: "Steuerberatung Krause & Partner mbB",
                    category: "tax_advice", description: "Finanzbuchhaltung und Lohnabrechnung \(label)",
                    lines: [line("Laufende Finanzbuchhaltung", 32_000, 19), line("Lohnabrechnung 4 Mitarbeitende", 13_000, 19)]))
            let monthEnd = first.lastOfMonth
            if monthEnd <= anchor {
                try voucher(
                    on: monthEnd, paidAfter: 0,
                    VoucherSpec(
                        supplier: "Sparkasse KölnBonn", contact: "Sparkasse KölnBonn", category: "bank_fees",
                        description: "Kontoführung \(label)",
                        lines: [line("Kontoführungsentgelt", 1_490, 0), line("Buchungsposten", random.int(300...1_200), 0)],
                        dueInDays: 0))
            }
            if first.month % 3 == 1 {
                try voucher(
                    on: first.adding(days: 14), paidAfter: 5,
                    VoucherSpec(
                        supplier: "Allianz Versicherungs-AG", contact: "Allianz Versicherungs-AG", category: "insurance",
                        description: "Betriebshaftpflicht und Inhaltsversicherung Q\((first.month + 2) / 3) \(first.year)",
                        lines: [line("Betriebshaftpflicht", 28_500, 0), line("Inhaltsversicherung", 9_800, 0)]))
                try voucher(
                    on: first.adding(days: 20), paidAfter: 14,
                    VoucherSpec(
                        supplier: "Lindner Media Agentur", contact: "Lindner Media Agentur", category: "marketing",
                        description: "Vermittlungsprovision Q\((first.month + 2) / 3) \(first.year)",
                        lines: [line("Provision vermittelte Projekte", random.int(40_000...120_000), 19)]))
            }
            month = first.adding(months: 1)
        }
    }

    mutating func insertOccasionalVouchers() throws {
        let days = start.days(until: anchor)
        let plans: [(count: Int, make: (inout SeededRandom) -> VoucherSpec)] = [
            (22, { r in VoucherSpec(supplier: "Bürobedarf Weber KG", contact: "Bürobedarf Weber KG", category: "office_supplies", description: "Büromaterial", lines: [line("Büromaterial laut Lieferschein", r.int(1_500...24_000), 19)]) }),
            (18, { r in VoucherSpec(supplier: "DB Fernverkehr AG", contact: "DB Fernverkehr AG", category: "travel", description: "Bahnfahrt Kundentermin", lines: [line("ICE-Fahrkarte 2. Klasse", r.int(3_900...18_900), 7)], dueInDays: 0) }),
            (12, { r in VoucherSpec(supplier: r.pick(["Hotel Mercure Hamburg", "Motel One Berlin", "IntercityHotel Frankfurt"]), category: "travel", description: "Übernachtung Kundentermin", lines: [line("Übernachtung", r.int(7_900...15_900), 7), line("Frühstück", 1_680, 19)], dueInDays: 0) }),
            (30, { r in VoucherSpec(supplier: r.pick(["Aral Tankstelle Köln-Ehrenfeld", "Shell Station Aachener Straße", "Esso Tankstelle Bonn"]), category: "fuel", description: "Tankbeleg Firmenwagen", lines: [line("Kraftstoff", r.int(4_500...9_800), 19)], dueInDays: 0) }),
            (16, { r in VoucherSpec(supplier: r.pick(["Restaurant Em Kölsche Boor", "Trattoria Da Enzo", "Brauhaus Früh am Dom"]), category: "meals", description: "Bewirtung Kunden", lines: [line("Speisen und Getränke", r.int(4_000...22_000), 19)], paidInCash: r.chance(50), dueInDays: 0) }),
            (8, { r in VoucherSpec(supplier: "Deutsche Post AG", category: "postage", description: "Porto", lines: [line("Briefmarken und Einschreiben", r.int(850...6_500), 0)], paidInCash: true, dueInDays: 0) }),
            (4, { r in VoucherSpec(supplier: "Cyberport GmbH", category: "hardware", description: "IT-Hardware", lines: [line(r.pick(["Notebook 14 Zoll", "Monitor 27 Zoll 4K", "Dockingstation", "Netzwerkspeicher"]), r.int(18_000...165_000), 19)]) }),
            (8, { r in VoucherSpec(supplier: r.pick(["Druckerei Schmitz", "LinkedIn Ireland UC"]), category: "marketing", description: "Werbung", lines: [line("Werbemittel und Anzeigen", r.int(9_000...60_000), 19)]) }),
            (6, { r in VoucherSpec(supplier: "Jonas Becker", contact: "Jonas Becker", category: "software", description: "Freie Mitarbeit Entwicklung", lines: [line("Entwicklung nach Aufwand", r.int(80_000...320_000), 19)]) }),
            (3, { r in VoucherSpec(supplier: r.pick(["Kleinanzeigen Käufer", "Versicherungserstattung"]), kind: .revenue, category: "other_income", description: "Sonstige Einnahme", lines: [line("Verkauf gebrauchter Hardware", r.int(10_000...60_000), 19)], dueInDays: 0) }),
        ]
        var specs: [(LedgerDate, VoucherSpec)] = []
        for plan in plans {
            for _ in 0..<plan.count {
                let day = start.adding(days: random.int(0...days))
                let spec = plan.make(&random)
                specs.append((businessDay(day), spec))
            }
        }
        specs.sort { $0.0 < $1.0 }
        for (date, spec) in specs {
            try voucher(on: date, paidAfter: spec.dueInDays == 0 ? 0 : random.int(3...spec.dueInDays), spec)
        }
    }

    mutating func insertPayroll() throws {
        let staff = [("Lena Hartmann", 312_000), ("Felix Jung", 284_000), ("Mara Özdemir", 265_000), ("Paul Krüger", 198_000)]
        var month = start
        while month.lastOfMonth < anchor {
            let payday = businessDay(month.lastOfMonth.adding(days: -2))
            let label = "\(germanMonths[month.month - 1]) \(month.year)"
            var lines = staff.map { line("Nettogehalt \($0.0)", $0.1, 0) }
            let wageTax = staff.reduce(0) { $0 + $1.1 } * 22 / 100
            let social = staff.reduce(0) { $0 + $1.1 } * 41 / 100
            lines.append(line("Lohnsteuer und Solidaritätszuschlag", wageTax, 0))
            lines.append(line("Sozialversicherungsbeiträge", social, 0))
            let voucherId = try insertVoucher(
                on: payday,
                VoucherSpec(supplier: "Lohn und Gehalt", category: "payroll", description: "Löhne und Gehälter \(label)", lines: lines, dueInDays: 0))
            for member in staff {
                try payVoucher(voucherId, account: bankId, on: payday, amount: member.1, purpose: "Gehalt \(label)", payee: member.0, kind: .expense)
            }
            let taxDay = businessDay(month.lastOfMonth.adding(days: 10))
            if taxDay <= anchor {
                try payVoucher(voucherId, account: bankId, on: taxDay, amount: wageTax, purpose: "Lohnsteuer \(label) StNr 214/5723/0815", payee: "Finanzamt Köln-Mitte", kind: .expense)
            }
            try payVoucher(voucherId, account: bankId, on: payday, amount: social, purpose: "SV-Beiträge \(label)", payee: "AOK Rheinland/Hamburg", kind: .expense)
            try settleVoucherStatus(voucherId)
            month = month.adding(months: 1)
        }
    }

    mutating func insertVATPrepayments() throws {
        var month = start
        while month.lastOfMonth < anchor {
            let dueDay = businessDay(month.lastOfMonth.adding(days: 10))
            guard dueDay <= anchor else { break }
            let from = month.firstOfMonth.iso
            let to = month.lastOfMonth.iso
            let output = try Int.fetchOne(
                db, sql: "SELECT COALESCE(SUM(tax_cents), 0) FROM invoice WHERE invoice_date BETWEEN ? AND ? AND status NOT IN ('draft','cancelled')",
                arguments: [from, to]) ?? 0
            let input = try Int.fetchOne(
                db, sql: "SELECT COALESCE(SUM(tax_cents), 0) FROM voucher WHERE voucher_date BETWEEN ? AND ? AND kind = 'expense'",
                arguments: [from, to]) ?? 0
            // Reverse charge: the VAT owed on the Irish subscription is deducted again as input tax, so it nets to zero.
            let amount = max(output - input, 10_000)
            let label = "\(germanMonths[month.month - 1]) \(month.year)"
            try voucher(
                on: dueDay, paidAfter: 0,
                VoucherSpec(
                    supplier: "Finanzamt Köln-Mitte", category: "vat_prepayment", description: "Umsatzsteuer-Vorauszahlung \(label)",
                    lines: [line("USt-Vorauszahlung \(label)", amount, 0)], dueInDays: 0))
            month = month.adding(months: 1)
        }
    }

    mutating func insertPrivateWithdrawals() throws {
        var month = start
        while month < anchor {
            let day = businessDay(month.firstOfMonth.adding(days: random.int(5...25)))
            if day <= anchor && random.chance(85) {
                _ = try insertTransaction(
                    account: bankId, on: day, amount: -random.int(20...150) * 1_000, purpose: "Privatentnahme Geschäftsführer",
                    counterparty: "Stefan Muster", status: .private)
            }
            month = month.adding(months: 1)
        }
    }

    mutating func insertUnmatched() throws {
        let texts: [(String, String, ClosedRange<Int>)] = [
            ("Gutschrift ohne Verwendungszweck", "Unbekannt", 5_000...90_000),
            ("Rücklastschrift Gebühr", "Sparkasse KölnBonn", -900 ... -300),
            ("Erstattung Bestellung 4471", "Amazon EU S.a.r.l.", 1_500...8_900),
            ("Überweisung Kunde", "M. Braun", 10_000...40_000),
            ("Kartenzahlung", "Bauhaus Köln", -12_000 ... -2_000),
            ("Habenzinsen", "Sparkasse KölnBonn", 100...900),
            ("Lastschrift Rundfunkbeitrag", "ARD ZDF Deutschlandradio Beitragsservice", -5_508 ... -5_508),
            ("Kartenzahlung", "IKEA Godorf", -25_000 ... -4_000),
            ("PayPal Zahlung", "eBay Kleinanzeigen", -9_000 ... -1_500),
            ("Gutschrift", "Kölner Kunstverein e.V.", 20_000...60_000),
        ]
        for (index, text) in texts.enumerated() {
            let day = businessDay(anchor.adding(days: -random.int(1...55)))
            let account = index == 8 ? paypalId : bankId
            _ = try insertTransaction(
                account: account, on: min(day, anchor), amount: random.int(text.2), purpose: text.0, counterparty: text.1,
                status: .unmatched)
        }
    }

    // MARK: Voucher and transaction helpers

    /// Books a voucher and, if its payment falls before the anchor, pays it `paidAfter` days later.
    mutating func voucher(on date: LedgerDate, paidAfter days: Int, _ spec: VoucherSpec) throws {
        guard date <= anchor else { return }
        let voucherId = try insertVoucher(on: date, spec)
        let paidOn = businessDay(date.adding(days: days))
        // The newest bills are still open, and two receipts wait in the inbox as drafts.
        if paidOn > anchor { return }
        if spec.category == "office_supplies" && date > anchor.adding(days: -25) && random.chance(50) {
            try db.execute(sql: "UPDATE voucher SET status = 'draft' WHERE id = ?", arguments: [voucherId])
            return
        }
        let gross = spec.lines.reduce(0) { $0 + $1.grossCents }
        let account = spec.paidInCash ? cashId : bankId
        try payVoucher(
            voucherId, account: account, on: paidOn, amount: gross, purpose: spec.description, payee: spec.supplier,
            kind: spec.kind)
        try settleVoucherStatus(voucherId)
    }

    mutating func insertVoucher(on date: LedgerDate, _ spec: VoucherSpec) throws -> Int64 {
        var lines = spec.lines
        for index in lines.indices { lines[index].position = index + 1 }
        let net = lines.reduce(0) { $0 + $1.netCents }
        let tax = lines.reduce(0) { $0 + $1.taxCents }
        voucherSequence[date.year, default: 0] += 1
        let sequence = String(voucherSequence[date.year]!)
        let number = "BE-\(date.year)-\(String(repeating: "0", count: max(0, 4 - sequence.count)))\(sequence)"
        try db.execute(
            sql: """
                INSERT INTO voucher (number, contact_id, supplier_name, kind, category, voucher_date, due_date, status,
                                     description, reverse_charge, net_cents, tax_cents, gross_cents)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)
                """,
            arguments: [
                number, spec.contact.flatMap { contactIds[$0] }, spec.supplier, spec.kind.rawValue, spec.category,
                date.iso, date.adding(days: spec.dueInDays).iso, spec.description, spec.reverseCharge, net, tax,
                net + tax,
            ])
        let voucherId = db.lastInsertedRowID
        counts.vouchers += 1
        for line in lines {
            try db.execute(
                sql: """
                    INSERT INTO voucher_line (voucher_id, position, description, quantity, unit, unit_price_cents, tax_rate,
                                              net_cents, tax_cents, gross_cents)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    voucherId, line.position, line.description, line.quantity, line.unit, line.unitPriceCents, line.taxRate,
                    line.netCents, line.taxCents, line.grossCents,
                ])
        }
        return voucherId
    }

    mutating func payVoucher(
        _ voucherId: Int64, account: Int64, on date: LedgerDate, amount: Int, purpose: String, payee: String, kind: VoucherKind
    ) throws {
        let signed = kind == .expense ? -amount : amount
        let transactionId = try insertTransaction(
            account: account, on: date, amount: signed, purpose: purpose, counterparty: payee, status: .linked)
        try db.execute(
            sql: "INSERT INTO payment (transaction_id, voucher_id, payment_date, amount_cents) VALUES (?, ?, ?, ?)",
            arguments: [transactionId, voucherId, date.iso, amount])
        try db.execute(sql: "UPDATE voucher SET paid_cents = paid_cents + ? WHERE id = ?", arguments: [amount, voucherId])
        counts.payments += 1
    }

    func settleVoucherStatus(_ voucherId: Int64) throws {
        try db.execute(
            sql: """
                UPDATE voucher SET status = CASE
                    WHEN paid_cents >= gross_cents THEN 'paid'
                    WHEN paid_cents > 0 THEN 'partially_paid'
                    ELSE 'open' END
                WHERE id = ?
                """, arguments: [voucherId])
    }

    mutating func insertTransaction(
        account: Int64, on date: LedgerDate, amount: Int, purpose: String, counterparty: String, status: TransactionStatus
    ) throws -> Int64 {
        let iban: String? = account == bankId ? "DE\(random.int(10...99))\(random.int(10_000_000...99_999_999))\(random.int(1_000_000_000...9_999_999_999))" : nil
        try db.execute(
            sql: """
                INSERT INTO bank_transaction (bank_account_id, value_date, amount_cents, purpose, counterparty,
                                              counterparty_iban, status)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [account, date.iso, amount, purpose, counterparty, iban, status.rawValue])
        counts.transactions += 1
        return db.lastInsertedRowID
    }

    /// Banks book on working days: a Saturday or Sunday moves to the Monday after.
    func businessDay(_ date: LedgerDate) -> LedgerDate {
        switch date.weekday {
        case 6: return date.adding(days: 2)
        case 7: return date.adding(days: 1)
        default: return date
        }
    }

    /// Nothing happens after "today".
    func clamp(_ date: LedgerDate) -> LedgerDate { min(businessDay(date), anchor) }

    func englishMonth(_ date: LedgerDate) -> String {
        [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
            "December",
        ][date.month - 1]
    }
}
