// The accounting domain. Amounts are integer cents, dates are `LedgerDate`, statuses are closed enums
// whose raw values are exactly what the database stores and what tools accept.

/// Whether a contact is a company or a private person.
public enum ContactKind: String, Codable, Sendable, CaseIterable {
    case organisation, person
}

/// The business relationship with a contact.
public enum ContactCategory: String, Codable, Sendable, CaseIterable {
    case customer, supplier, partner, prospect
}

/// A customer, supplier, partner or prospect.
public struct Contact: Codable, Sendable, Equatable {
    public var id: Int64
    public var kind: ContactKind
    public var name: String
    public var category: ContactCategory
    public var customerNumber: String
    public var email: String?
    public var phone: String?
    public var street: String?
    public var postalCode: String?
    public var city: String?
    /// ISO 3166 alpha-2 country code, e.g. `DE`, `AT`, `IE`.
    public var country: String
    public var vatId: String?
    public var createdOn: LedgerDate

    public init(
        id: Int64, kind: ContactKind, name: String, category: ContactCategory, customerNumber: String,
        email: String?, phone: String?, street: String?, postalCode: String?, city: String?, country: String,
        vatId: String?, createdOn: LedgerDate
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.category = category
        self.customerNumber = customerNumber
        self.email = email
        self.phone = phone
        self.street = street
        self.postalCode = postalCode
        self.city = city
        self.country = country
        self.vatId = vatId
        self.createdOn = createdOn
    }
}

/// The life cycle of an invoice. "Overdue" is not a status: it is an open or partially paid
/// invoice whose due date has passed, derived on read.
public enum InvoiceStatus: String, Codable, Sendable, CaseIterable {
    case draft, open, partially_paid, paid, cancelled

    /// The statuses a filter by this one lists. "Open" is what is still to be paid, so it takes in the partially paid
    /// ones: asked for the open invoices, a list of 16 left out 4 with 8.327,19 € still owed (one 319 days overdue),
    /// while the overdue list and the receivables counted them.
    public var listed: [InvoiceStatus] { self == .open ? [.open, .partially_paid] : [self] }
}

/// A sales invoice (`RE-1042`).
public struct Invoice: Codable, Sendable, Equatable {
    public var id: Int64
    public var number: String
    public var contactId: Int64
    public var contactName: String
    public var invoiceDate: LedgerDate
    public var deliveryDate: LedgerDate
    public var dueDate: LedgerDate
    public var status: InvoiceStatus
    public var currency: String
    public var title: String
    public var netCents: Int
    public var taxCents: Int
    public var grossCents: Int
    /// Sum of the payments linked to this invoice.
    public var paidCents: Int
    /// Early-payment discount (Skonto) granted on those payments.
    public var discountCents: Int

    /// What the customer still owes.
    public var outstandingCents: Int {
        switch status {
        case .draft, .cancelled: return 0
        default: return grossCents - paidCents - discountCents
        }
    }

    /// Unpaid (in whole or part) and past its due date on `date`.
    public func isOverdue(on date: LedgerDate) -> Bool {
        (status == .open || status == .partially_paid) && dueDate < date
    }
}

/// One position of an invoice or voucher.
public struct DocumentLine: Codable, Sendable, Equatable {
    public var position: Int
    public var description: String
    public var quantity: Int
    public var unit: String
    public var unitPriceCents: Int
    /// 19, 7 or 0.
    public var taxRate: Int
    public var netCents: Int
    public var taxCents: Int
    public var grossCents: Int

    public init(position: Int, description: String, quantity: Int, unit: String, unitPriceCents: Int, taxRate: Int) {
        self.position = position
        self.description = description
        self.quantity = quantity
        self.unit = unit
        self.unitPriceCents = unitPriceCents
        self.taxRate = taxRate
        self.netCents = quantity * unitPriceCents
        self.taxCents = Money.tax(onNet: quantity * unitPriceCents, ratePercent: taxRate)
        self.grossCents = netCents + taxCents
    }
}

/// Whether a voucher records money going out or coming in.
public enum VoucherKind: String, Codable, Sendable, CaseIterable {
    case expense, revenue
}

/// The life cycle of a voucher (a received bill or receipt).
public enum VoucherStatus: String, Codable, Sendable, CaseIterable {
    case draft, open, partially_paid, paid

    /// The statuses a filter by this one lists: "open" takes in the partially paid bills, as `InvoiceStatus.listed`.
    public var listed: [VoucherStatus] { self == .open ? [.open, .partially_paid] : [self] }
}

/// A booked receipt: a supplier's bill, a fuel receipt, a bank fee, a VAT prepayment.
public struct Voucher: Codable, Sendable, Equatable {
    public var id: Int64
    public var number: String
    public var contactId: Int64?
    public var supplierName: String
    public var kind: VoucherKind
    public var category: String
    public var voucherDate: LedgerDate
    public var dueDate: LedgerDate?
    public var status: VoucherStatus
    public var description: String
    /// Reverse charge (§ 13b UStG): the supplier charges no VAT; we owe it ourselves.
    public var reverseCharge: Bool
    public var netCents: Int
    public var taxCents: Int
    public var grossCents: Int
    public var paidCents: Int
}

/// Kind of money account.
public enum BankAccountType: String, Codable, Sendable, CaseIterable {
    case bank, paypal, cash
}

/// A bank, PayPal or cash account with its balance.
public struct BankAccount: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var iban: String?
    public var type: BankAccountType
    /// Ledger account in the German SKR03 chart (1000 cash, 1200 bank, …).
    public var accountingNumber: String
    public var openingDate: LedgerDate
    public var openingBalanceCents: Int
    /// Opening balance plus every transaction.
    public var balanceCents: Int
}

/// How a bank transaction has been dealt with.
public enum TransactionStatus: String, Codable, Sendable, CaseIterable {
    case unmatched, linked, `private`
}

/// One booking on a money account; positive amounts are money in.
public struct BankTransaction: Codable, Sendable, Equatable {
    public var id: Int64
    public var bankAccountId: Int64
    public var bankAccountName: String
    public var valueDate: LedgerDate
    public var amountCents: Int
    public var purpose: String
    public var counterparty: String
    public var counterpartyIban: String?
    public var status: TransactionStatus
}

/// Money from one transaction applied to one invoice or voucher.
public struct Payment: Codable, Sendable, Equatable {
    public var id: Int64
    public var transactionId: Int64
    public var invoiceId: Int64?
    public var voucherId: Int64?
    public var paymentDate: LedgerDate
    public var amountCents: Int
    /// Early-payment discount granted with this payment.
    public var discountCents: Int
}

/// The company the ledger belongs to.
public struct CompanyInfo: Codable, Sendable, Equatable {
    public var name: String
    public var legalForm: String
    public var street: String
    public var postalCode: String
    public var city: String
    public var country: String
    public var vatId: String
    public var taxNumber: String
    public var email: String
    public var phone: String
    public var currency: String
    public var fiscalYearStart: String
    /// The "today" the demo ledger was generated around.
    public var anchorDate: LedgerDate
    public var seed: UInt64
}
