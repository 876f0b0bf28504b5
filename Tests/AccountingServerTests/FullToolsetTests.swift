import Ledger
import MCP
import Testing

@testable import AccountingServer

@Suite("Full toolset over MCP")
struct FullToolsetTests {
    @Test("tools/list offers the twelve tools with schemas and annotations")
    func listing() async throws {
        let harness = try await Harness.make()
        let tools = try await harness.tools()
        #expect(tools.map(\.name) == [
            "get_company_info", "list_contacts", "get_contact", "list_invoices", "get_invoice", "list_vouchers",
            "get_voucher", "list_bank_accounts", "list_transactions", "summarize", "receivables_aging", "create_contact",
        ])
        for tool in tools {
            #expect((tool.description ?? "").count > 60, "\(tool.name) needs a description a small model can use")
            #expect(tool.outputSchema != nil, "\(tool.name) lacks an outputSchema")
            #expect(tool.annotations.title != nil)
            #expect(tool.annotations.readOnlyHint == (tool.name != "create_contact"))
            #expect(tool.annotations.destructiveHint == false)
            #expect(tool.annotations.idempotentHint == (tool.name != "create_contact"))
            #expect(value(tool.inputSchema, "additionalProperties") == .bool(false))
        }
        let listInvoices = try #require(tools.first { $0.name == "list_invoices" })
        #expect(value(listInvoices.inputSchema, "properties", "status", "enum")?.arrayValue?.count == 5)
        #expect(int(listInvoices.inputSchema, "properties", "limit", "maximum") == 200)
    }

    @Test("--read-only hides the write tool")
    func readOnly() async throws {
        let harness = try await Harness.make(readOnly: true)
        #expect(try await harness.tools().contains { $0.name == "create_contact" } == false)
        await #expect(throws: MCPError.self) { _ = try await harness.call("create_contact", ["name": "X"]) }
    }

    @Test("an unknown tool is a protocol error that lists the real ones")
    func unknownTool() async throws {
        let harness = try await Harness.make()
        let error = await #expect(throws: MCPError.self) { _ = try await harness.call("list_unicorns") }
        #expect("\(String(describing: error))".contains("list_invoices"))
    }

    // MARK: get_company_info

    @Test func companyInfo() async throws {
        let harness = try await Harness.make()
        let result = try await harness.call("get_company_info")
        #expect(!result.failed)
        #expect(result.text.contains("Muster Digital GmbH"))
        #expect(string(result.structuredContent, "today") == "2026-11-25")
        #expect(int(result.structuredContent, "counts", "invoices") == 120)
        let invalid = try await harness.call("get_company_info", ["verbose": true])
        #expect(invalid.failed)
        #expect(invalid.text.contains("unknown argument 'verbose'; this tool takes no arguments"))
    }

    // MARK: contacts

    @Test func listContacts() async throws {
        let harness = try await Harness.make()
        let plain = try await harness.call("list_contacts")
        #expect(!plain.failed)
        #expect(int(plain.structuredContent, "total") == 36)
        #expect(items(plain).count == 25)
        #expect(plain.text.hasPrefix("Showing 1–25 of 36 contacts"))
        #expect(plain.text.contains("More: call again with offset 25"))

        let suppliers = try await harness.call("list_contacts", ["category": "supplier"])
        #expect(int(suppliers.structuredContent, "total") == 9)
        #expect(items(suppliers).allSatisfy { string($0, "category") == "supplier" })
        #expect(suppliers.text.hasPrefix("All 9 suppliers:"), "\(suppliers.text.prefix(60))")
        let privateCustomers = try await harness.call("list_contacts", ["category": "customer", "kind": "person"])
        #expect(items(privateCustomers).allSatisfy { string($0, "kind") == "person" && string($0, "category") == "customer" })
        let privateCount = int(privateCustomers.structuredContent, "total") ?? 0
        #expect(privateCount > 0)
        #expect(
            string(privateCustomers.structuredContent, "summary") == (privateCount == 1 ? "1 private customer" : "All \(privateCount) private customers"))
        let search = try await harness.call("list_contacts", ["search": "müller"])
        #expect(items(search).map { string($0, "name") } == ["Müller GmbH"])
        #expect(search.text.hasPrefix("1 contact:\n• Müller GmbH"), "\(search.text)")
        // A search that finds one contact also says what it was invoiced and owes, as get_contact does.
        let weber = try await harness.call("list_contacts", ["search": "Weber Maschinenbau"])
        let weberDetails = try await harness.call("get_contact", ["customer_number": "1008"])
        let balance = try #require(weberDetails.text.split(separator: "\n").first { $0.hasPrefix("Invoices: 8, invoiced 27.712,24 €, outstanding 0,00 €") })
        #expect(weber.text.hasSuffix("\n  \(balance)"), "\(weber.text)")
        #expect(!plain.text.contains("Invoices:") && !suppliers.text.contains("Invoices:"))

        let invalid = try await harness.call("list_contacts", ["category": "client"])
        #expect(invalid.failed)
        #expect(invalid.text.contains("category must be one of customer, supplier, partner, prospect; got 'client'"))
        let badLimit = try await harness.call("list_contacts", ["limit": 500])
        #expect(badLimit.text.contains("limit must be between 1 and 200; got 500"))

        let first = try await harness.call("list_contacts", ["limit": 10, "offset": 0])
        let second = try await harness.call("list_contacts", ["limit": 10, "offset": 10])
        let last = try await harness.call("list_contacts", ["limit": 10, "offset": 30])
        #expect(value(first.structuredContent, "has_more") == .bool(true))
        #expect(Set(items(first).compactMap { int($0, "id") }).isDisjoint(with: items(second).compactMap { int($0, "id") }))
        #expect(items(last).count == 6)
        #expect(value(last.structuredContent, "has_more") == .bool(false))
        #expect(string(last.structuredContent, "summary") == "Showing 31–36 of 36 contacts")
    }

    @Test func getContact() async throws {
        let harness = try await Harness.make()
        let byNumber = try await harness.call("get_contact", ["customer_number": "1001"])
        #expect(!byNumber.failed)
        #expect(string(byNumber.structuredContent, "contact", "name") == "Müller GmbH")
        #expect((int(byNumber.structuredContent, "invoice_count") ?? 0) > 0)
        let byID = try await harness.call("get_contact", ["id": 23])
        #expect(string(byID.structuredContent, "contact", "category") == "supplier")
        let missing = try await harness.call("get_contact", ["customer_number": "9999"])
        #expect(missing.failed)
        #expect(missing.text.hasPrefix("There is no contact with customer number 9999 in this ledger."), "\(missing.text)")
        #expect(missing.text.contains("list_contacts"))
        let empty = try await harness.call("get_contact")
        #expect(empty.text.contains("give either id or customer_number"))
        // Both identifiers must name the same contact: one of them is a guess otherwise.
        let both = try await harness.call("get_contact", ["id": 1, "customer_number": "1001"])
        #expect(!both.failed && string(both.structuredContent, "contact", "name") == "Müller GmbH")
        let conflicting = try await harness.call("get_contact", ["id": 23, "customer_number": "1001"])
        #expect(conflicting.failed, "\(conflicting.text)")
        #expect(conflicting.text.contains("id 23 is \(string(byID.structuredContent, "contact", "name") ?? "?") (customer number"), "\(conflicting.text)")
        #expect(conflicting.text.hasSuffix("but customer_number 1001 was given too: give only the one you mean"), "\(conflicting.text)")
    }

    // MARK: invoices

    @Test func listInvoices() async throws {
        let harness = try await Harness.make()
        let newest = try await harness.call("list_invoices", ["limit": 5])
        #expect(!newest.failed)
        #expect(items(newest).map { string($0, "number") } == ["RE-1119", "RE-1118", "RE-1117", "RE-1116", "RE-1115"])
        #expect(newest.text.hasPrefix("Showing 1–5 of 120 invoices (newest first):"))

        // Open is what is still to be paid: the 16 open invoices and the 4 partially paid ones, as the receivables count.
        let open = try await harness.call("list_invoices", ["status": "open", "limit": 200])
        #expect(int(open.structuredContent, "total") == 20)
        #expect(items(open).filter { string($0, "status") == "open" }.count == 16)
        #expect(items(open).filter { string($0, "status") == "partially_paid" }.count == 4)
        #expect(open.text.contains("· partially paid, 3.373,22 € outstanding, OVERDUE since"), "\(open.text)")
        // Nothing left out: the total said as the count; the status filter named for the user and the model.
        #expect(open.text.hasPrefix("All 20 open invoices (newest first):"), "\(open.text.prefix(60))")
        #expect(string(open.structuredContent, "summary") == "All 20 open invoices")
        let aging = try await harness.call("receivables_aging", [:])
        #expect(aging.text.contains("73.701,01 € outstanding"), "\(aging.text.prefix(80))")
        let largestPaid = try await harness.call("list_invoices", ["status": "partially_paid", "sort": "amount", "limit": 1])
        #expect(largestPaid.text.hasPrefix("Showing 1–1 of \(int(largestPaid.structuredContent, "total") ?? 0) partially paid invoices (by gross desc):"), "\(largestPaid.text.prefix(70))")
        let overdue = try await harness.call("list_invoices", ["overdue": true])
        #expect(int(overdue.structuredContent, "total") == 7)
        #expect(overdue.text.hasPrefix("All 7 overdue invoices (newest first):"), "\(overdue.text.prefix(60))")
        #expect(items(overdue).allSatisfy { value($0, "overdue") == .bool(true) })
        #expect(overdue.text.contains("OVERDUE since"))
        let ranged = try await harness.call(
            "list_invoices", ["date_from": "2026-01-01", "date_to": "2026-03-31", "min_amount": 1000, "sort": "amount", "order": "asc"])
        let amounts = items(ranged).compactMap { int($0, "gross_cents") }
        #expect(!amounts.isEmpty && amounts == amounts.sorted() && amounts.allSatisfy { $0 >= 100_000 })
        #expect(items(ranged).allSatisfy { (string($0, "invoice_date") ?? "") >= "2026-01-01" && (string($0, "invoice_date") ?? "") <= "2026-03-31" })
        // An upper bound past every amount is a bound like any other (small models write one for "no limit"); a
        // lower bound past every amount finds nothing; a negative amount is refused.
        let unbounded = try await harness.call("list_invoices", ["max_amount": 9_999_999_999_999_999, "limit": 5])
        #expect(!unbounded.failed && items(unbounded).map { string($0, "number") } == items(newest).map { string($0, "number") })
        let huge = try await harness.call("list_invoices", ["min_amount": 1e300])
        #expect(!huge.failed && int(huge.structuredContent, "total") == 0)
        let negative = try await harness.call("list_invoices", ["min_amount": -5])
        #expect(negative.failed && negative.text.contains("min_amount must be an amount in euros of 0 or more"))
        let customer = try await harness.call("list_invoices", ["contact_name": "müller"])
        #expect(items(customer).allSatisfy { string($0, "contact_name") == "Müller GmbH" })

        let unpaid = try await harness.call("list_invoices", ["status": "unpaid"])
        #expect(unpaid.failed)
        #expect(unpaid.text.contains("status must be one of draft, open, partially_paid, paid, cancelled; got 'unpaid'"))
        let badDate = try await harness.call("list_invoices", ["date_from": "01.01.2026"])
        #expect(badDate.text.contains("date_from must be a date written YYYY-MM-DD"))
        let swapped = try await harness.call("list_invoices", ["date_from": "2026-05-01", "date_to": "2026-01-01"])
        #expect(swapped.text.contains("is after date_to"))

        let page1 = try await harness.call("list_invoices", ["limit": 50])
        let page3 = try await harness.call("list_invoices", ["limit": 50, "offset": 100])
        #expect(items(page1).count == 50 && items(page3).count == 20)
        #expect(value(page3.structuredContent, "has_more") == .bool(false))
        #expect(page1.text.contains("More: call again with offset 50"))
        let beyond = try await harness.call("list_invoices", ["offset": 500])
        #expect(!beyond.failed && items(beyond).isEmpty)
        #expect(beyond.text.contains("offset 500 is past the last of 120 invoices"))
    }

    /// "Which invoices are due this week?": the ledger's own invoices, filtered and ordered here, are the truth.
    @Test("list_invoices by due date: unpaid ones unless a status is given, the soonest due first")
    func listInvoicesByDueDate() async throws {
        let harness = try await Harness.make()
        var everything = InvoiceQuery(asOf: anchor)
        everything.limit = 1000
        let all = try harness.store.listInvoices(everything).items
        func expected(_ from: String, _ to: String, statuses: Set<InvoiceStatus> = [.open, .partially_paid]) -> [String] {
            all.filter { statuses.contains($0.status) && $0.dueDate.iso >= from && $0.dueDate.iso <= to }
                .sorted { ($0.dueDate.iso, $0.number) < ($1.dueDate.iso, $1.number) }.map(\.number)
        }
        for (from, to) in [("2026-11-23", "2026-11-29"), ("2026-11-01", "2026-12-31"), ("2026-12-01", "2026-12-31")] {
            let due = try await harness.call("list_invoices", ["due_date_from": .string(from), "due_date_to": .string(to), "limit": 100])
            #expect(!due.failed, "\(due.text)")
            #expect(items(due).compactMap { string($0, "number") } == expected(from, to), "\(from)…\(to)")
            #expect(items(due).allSatisfy { ["open", "partially_paid"].contains(string($0, "status") ?? "") })
        }
        let month = try await harness.call("list_invoices", ["due_date_from": "2026-11-01", "due_date_to": "2026-12-31"])
        #expect(!expected("2026-11-01", "2026-12-31").isEmpty, "the demo ledger has unpaid invoices due around its today")
        #expect(month.text.hasPrefix("All \(expected("2026-11-01", "2026-12-31").count) unpaid invoices due 2026-11-01 to 2026-12-31 (by due_date asc):"), "\(month.text.prefix(90))")
        // A status given wins over "unpaid"; a sort given keeps its own order.
        let paid = try await harness.call("list_invoices", ["due_date_from": "2026-10-01", "due_date_to": "2026-10-31", "status": "paid", "limit": 100])
        #expect(items(paid).compactMap { string($0, "number") } == expected("2026-10-01", "2026-10-31", statuses: [.paid]))
        #expect(!items(paid).isEmpty)
        let byAmount = try await harness.call("list_invoices", ["due_date_from": "2026-11-01", "due_date_to": "2026-12-31", "sort": "amount"])
        let amounts = items(byAmount).compactMap { int($0, "gross_cents") }
        #expect(amounts == amounts.sorted(by: >))
        let onlyFrom = try await harness.call("list_invoices", ["due_date_from": "2026-12-01"])
        #expect(onlyFrom.text.contains("unpaid invoices due on or after 2026-12-01"), "\(onlyFrom.text.prefix(80))")
        let swapped = try await harness.call("list_invoices", ["due_date_from": "2026-12-31", "due_date_to": "2026-12-01"])
        #expect(swapped.failed && swapped.text.contains("due_date_from (2026-12-31) is after due_date_to (2026-12-01); swap them"))
    }

    @Test("list_vouchers by due date: unpaid bills unless a status is given, the soonest first; an unpaid one names its due date")
    func listVouchersByDueDate() async throws {
        let harness = try await Harness.make()
        var everything = VoucherQuery()
        everything.limit = 1000
        let all = try harness.store.listVouchers(everything).items
        // At this anchor every bill is paid: the filter says so rather than listing paid ones.
        let unpaid = try await harness.call("list_vouchers", ["due_date_from": "2026-10-01", "due_date_to": "2026-10-31"])
        #expect(!unpaid.failed && unpaid.text == "No unpaid vouchers due 2026-10-01 to 2026-10-31 match these filters.", "\(unpaid.text)")
        let paid = try await harness.call("list_vouchers", ["due_date_from": "2026-10-01", "due_date_to": "2026-10-31", "status": "paid", "limit": 100])
        let expected = all.filter { $0.status == .paid && ($0.dueDate?.iso ?? "") >= "2026-10-01" && ($0.dueDate?.iso ?? "9") <= "2026-10-31" }
            .sorted { ($0.dueDate!.iso, $0.number) < ($1.dueDate!.iso, $1.number) }
        #expect(!expected.isEmpty && items(paid).compactMap { string($0, "number") } == expected.map(\.number))
        #expect(paid.text.hasPrefix("All \(expected.count) paid vouchers due 2026-10-01 to 2026-10-31 (by due_date asc):"), "\(paid.text.prefix(90))")
        #expect(!paid.text.contains(", due 2026-10"), "a paid voucher's line names no due date")
        var bill = all[0]
        (bill.status, bill.dueDate) = (.open, LedgerDate(iso: "2026-12-17"))
        #expect(FullToolset.voucherLine(bill).hasSuffix(" · open, due 2026-12-17"), "\(FullToolset.voucherLine(bill))")
    }

    /// Nine days on, December's hosting bill is open and November's payroll partly paid: both are what we still owe.
    @Test func openVouchersTakeInPartlyPaidOnes() async throws {
        let harness = try await Harness.make(anchor: LedgerDate(iso: "2026-12-04")!)
        let open = try await harness.call("list_vouchers", ["status": "open"])
        #expect(items(open).compactMap { string($0, "status") }.sorted() == ["open", "partially_paid"], "\(open.text)")
        #expect(open.text.hasPrefix("All 2 open vouchers:"), "\(open.text.prefix(60))")
        let partly = try await harness.call("list_vouchers", ["status": "partially_paid"])
        #expect(items(partly).compactMap { string($0, "status") } == ["partially_paid"], "\(partly.text)")
    }

    @Test func getInvoice() async throws {
        let harness = try await Harness.make()
        let byNumber = try await harness.call("get_invoice", ["number": "RE-1000"])
        #expect(!byNumber.failed)
        let lines = value(byNumber.structuredContent, "lines")?.arrayValue ?? []
        #expect(!lines.isEmpty)
        let gross = int(byNumber.structuredContent, "invoice", "gross_cents")
        #expect(gross == lines.compactMap { int($0, "gross_cents") }.reduce(0, +))
        #expect(byNumber.text.contains("Net ") && byNumber.text.contains("VAT"))
        let byID = try await harness.call("get_invoice", ["id": 1])
        #expect(string(byID.structuredContent, "invoice", "number") == "RE-1000")
        #expect(!(try await harness.call("get_invoice", ["id": 1, "number": "re-1000"])).failed)
        let conflicting = try await harness.call("get_invoice", ["id": 2, "number": "RE-1000"])
        #expect(conflicting.failed && conflicting.text.hasSuffix("id 2 is invoice RE-1001, but number RE-1000 was given too: give only the one you mean"), "\(conflicting.text)")
        let paid = try await harness.call("get_invoice", ["number": "re-1000"])
        #expect(value(paid.structuredContent, "payments")?.arrayValue?.isEmpty == false)
        // Not found is a fact to pass on, not an argument mistake (told "invalid arguments", small models went on to
        // show some other invoice).
        let missing = try await harness.call("get_invoice", ["number": "RE-0999"])
        #expect(missing.failed && missing.text == "There is no invoice RE-0999 in this ledger.", "\(missing.text)")
        #expect(!missing.text.contains("Invalid arguments"))
        // An id where a number was meant ("RE-9999" → 9999): the error says numbers go in `number`.
        let missingID = try await harness.call("get_invoice", ["id": 9999])
        #expect(missingID.failed && missingID.text.hasPrefix("There is no invoice with id 9999."), "\(missingID.text)")
        #expect(missingID.text.contains("as number"), "\(missingID.text)")
        let wrongType = try await harness.call("get_invoice", ["id": "first"])
        #expect(wrongType.text.contains("id must be a whole number; got 'first'"))
    }

    // MARK: vouchers

    @Test func listVouchers() async throws {
        let harness = try await Harness.make()
        let plain = try await harness.call("list_vouchers")
        #expect(!plain.failed && int(plain.structuredContent, "total") == 246)
        let rent = try await harness.call("list_vouchers", ["category": "rent"])
        #expect(int(rent.structuredContent, "total") == 14)
        #expect(items(rent).allSatisfy { string($0, "supplier_name") == "Immobilien Schneider GmbH" })
        let reverseCharge = try await harness.call("list_vouchers", ["search": "CloudSuite", "limit": 3])
        #expect(items(reverseCharge).allSatisfy { value($0, "reverse_charge") == .bool(true) && int($0, "tax_cents") == 0 })
        #expect(reverseCharge.text.contains("reverse charge"))
        let invalid = try await harness.call("list_vouchers", ["category": "coffee"])
        #expect(invalid.failed && invalid.text.contains("category must be one of rent, phone_internet"))
        let page = try await harness.call("list_vouchers", ["limit": 100, "offset": 200])
        #expect(items(page).count == 46 && value(page.structuredContent, "has_more") == .bool(false))
        let paidExpenses = try await harness.call("list_vouchers", ["status": "paid", "kind": "expense", "limit": 1])
        #expect((int(paidExpenses.structuredContent, "total") ?? 0) > 1)
        #expect(items(paidExpenses).allSatisfy { string($0, "status") == "paid" && string($0, "kind") == "expense" })
        #expect(paidExpenses.text.hasPrefix("Showing 1–1 of \(int(paidExpenses.structuredContent, "total") ?? 0) paid expense vouchers"), "\(paidExpenses.text.prefix(60))")
    }

    @Test func getVoucher() async throws {
        let harness = try await Harness.make()
        let voucher = try await harness.call("get_voucher", ["number": "BE-2025-0001"])
        #expect(!voucher.failed)
        #expect(string(voucher.structuredContent, "voucher", "category") == "rent")
        #expect(value(voucher.structuredContent, "lines")?.arrayValue?.count == 2)
        let byID = try await harness.call("get_voucher", ["id": 2])
        #expect(!byID.failed && int(byID.structuredContent, "voucher", "id") == 2)
        let missing = try await harness.call("get_voucher", ["id": 99_999])
        #expect(missing.failed && missing.text.hasPrefix("There is no voucher with id 99999."), "\(missing.text)")
    }

    // MARK: banking

    @Test func listBankAccounts() async throws {
        let harness = try await Harness.make()
        let result = try await harness.call("list_bank_accounts")
        #expect(!result.failed)
        #expect(items(result).map { string($0, "type") } == ["bank", "paypal", "cash"])
        #expect(int(result.structuredContent, "total_balance_cents") == 6_429_950 + 467_067 + 2_278)
        #expect(result.text.contains("3 accounts, total balance 68.992,95 €"))
        let invalid = try await harness.call("list_bank_accounts", ["type": "bank"])
        #expect(invalid.failed && invalid.text.contains("unknown argument 'type'"))
    }

    @Test func listTransactions() async throws {
        let harness = try await Harness.make()
        let plain = try await harness.call("list_transactions")
        #expect(!plain.failed && int(plain.structuredContent, "total") == 433)
        let dates = items(plain).compactMap { string($0, "value_date") }
        #expect(dates == dates.sorted(by: >))
        let unmatched = try await harness.call("list_transactions", ["status": "unmatched"])
        #expect(int(unmatched.structuredContent, "total") == 10)
        #expect(unmatched.text.hasPrefix("All 10 unmatched transactions:"), "\(unmatched.text.prefix(60))")
        let unmatchedIncoming = try await harness.call("list_transactions", ["status": "unmatched", "direction": "incoming", "limit": 2])
        let unmatchedIncomingCount = int(unmatchedIncoming.structuredContent, "total") ?? 0
        #expect(unmatchedIncomingCount > 2)
        #expect(unmatchedIncoming.text.hasPrefix("Showing 1–2 of \(unmatchedIncomingCount) unmatched incoming transactions:"), "\(unmatchedIncoming.text.prefix(70))")
        let incoming = try await harness.call("list_transactions", ["direction": "incoming", "account_id": 2, "limit": 200])
        #expect(items(incoming).allSatisfy { (int($0, "amount_cents") ?? 0) > 0 && int($0, "bank_account_id") == 2 })
        let search = try await harness.call("list_transactions", ["search": "Privatentnahme"])
        #expect(items(search).allSatisfy { string($0, "status") == "private" })
        let badAccount = try await harness.call("list_transactions", ["account_id": 9])
        #expect(badAccount.failed && badAccount.text.contains("list_bank_accounts shows the accounts and their ids"), "\(badAccount.text)")
        let badDirection = try await harness.call("list_transactions", ["direction": "in"])
        #expect(badDirection.text.contains("direction must be one of incoming, outgoing"))
        let page = try await harness.call("list_transactions", ["limit": 200, "offset": 400])
        #expect(items(page).count == 33)
    }

    // MARK: reports

    @Test func summarize() async throws {
        let harness = try await Harness.make()
        let monthly = try await harness.call("summarize", ["entity": "invoices", "group_by": "month"])
        #expect(!monthly.failed)
        let groups = value(monthly.structuredContent, "groups")?.arrayValue ?? []
        #expect(groups.count == 14)
        #expect(int(monthly.structuredContent, "totals", "gross_cents") == 46_646_383)
        // Months come in calendar order, so the text names the three largest (by gross) for an answer to pick up.
        let byGross = groups.map { (string($0, "key") ?? "", int($0, "gross_cents") ?? 0) }.sorted { $0.1 > $1.1 }
        let largest = monthly.text.split(separator: "\n").first { $0.hasPrefix("Largest months (gross): ") }.map(String.init)
        #expect(largest == "Largest months (gross): \(byGross[0].0) \(Money.format(cents: byGross[0].1)), "
            + "\(byGross[1].0) \(Money.format(cents: byGross[1].1)), \(byGross[2].0) \(Money.format(cents: byGross[2].1)).", "\(monthly.text)")
        // What is still owed reads "of which unpaid" after the gross amount: German answers called "outstanding" overdue.
        let owed = try #require(int(monthly.structuredContent, "totals", "outstanding_cents"))
        #expect(owed > 0 && monthly.text.contains(", of which unpaid \(Money.format(cents: owed))\n"), "\(monthly.text)")
        #expect(!monthly.text.contains("outstanding"))
        let filtered = try await harness.call(
            "summarize", ["entity": "vouchers", "group_by": "contact", "date_from": "2026-01-01", "date_to": "2026-06-30"])
        #expect(!filtered.failed && filtered.text.hasPrefix("Vouchers by contact, largest first, 2026-01-01 to 2026-06-30:"))
        // The three largest contacts are named on a line of their own too (the offline model picked from the middle).
        let suppliers = (value(filtered.structuredContent, "groups")?.arrayValue ?? []).prefix(3)
            .map { "\(string($0, "key") ?? "") \(Money.format(cents: int($0, "gross_cents") ?? 0))" }
        #expect(suppliers.count == 3 && filtered.text.contains("\nLargest contacts (gross): \(suppliers.joined(separator: ", "))."), "\(filtered.text)")
        let byStatus = try await harness.call("summarize", ["entity": "invoices", "group_by": "status"])
        #expect(int(byStatus.structuredContent, "totals", "count") == 120)
        let customers = try await harness.call("summarize", ["entity": "invoices", "group_by": "contact"])
        #expect(customers.text.hasPrefix("Invoices by contact, largest first") && !customers.text.contains("Largest contacts"),
            "customers are largest by gross or by what they owe: the line would name one of the two")
        #expect(value(byStatus.structuredContent, "other_income") == .null, "invoices are revenue: nothing apart")
        // Counts are named in the text, so that no reader takes them for an amount.
        #expect(byStatus.text.contains("• Total: 120 invoices · net "), "\(byStatus.text)")
        #expect(!byStatus.text.contains("Largest"), "statuses are few: nothing to single out")
        // Vouchers by status say what we still owe: on 2026-11-25 every bill is paid.
        let ours = try await harness.call("summarize", ["entity": "vouchers", "group_by": "status"])
        #expect(ours.text.contains("\nNothing is left to pay.") && !byStatus.text.contains("left to pay"), "\(ours.text)")
        // Nine days on, December's hosting bill is open and November's payroll partly paid.
        let later = try await Harness.make(anchor: LedgerDate(iso: "2026-12-04")!)
        let stillOwed = try await later.call("summarize", ["entity": "vouchers", "group_by": "status"])
        let total = try #require(int(stillOwed.structuredContent, "totals", "outstanding_cents"))
        #expect(total > 19_213 && stillOwed.text.contains("\nLeft to pay: \(Money.format(cents: total)) on 2 vouchers."), "\(stillOwed.text)")
        #expect(stillOwed.text.contains("• open: 1 voucher · net 161,45 €, VAT 30,68 €, gross 192,13 €, of which unpaid 192,13 €"))
        let transactions = try await harness.call("summarize", ["entity": "transactions", "group_by": "month"])
        #expect(!transactions.failed && !transactions.text.contains("Largest"), "money in and out has no one largest")
        #expect(filtered.text.range(of: #"• Total: \d+ vouchers · net "#, options: .regularExpression) != nil, "\(filtered.text)")
        // Vouchers add up to costs: October's sale of used hardware is named apart, not added to them.
        let october = try await harness.call(
            "summarize", ["entity": "vouchers", "group_by": "month", "date_from": "2026-10-01", "date_to": "2026-10-31"])
        #expect(october.text.contains("• Total: 17 vouchers · net 25.676,52 €, VAT 889,46 €, gross 26.565,98 €\n"
            + "Not counted (other income): 1 voucher · gross 709,35 €"), "\(october.text)")
        #expect(int(october.structuredContent, "other_income", "gross_cents") == 70_935)
        #expect(int(filtered.structuredContent, "other_income", "count") == 1, "April's insurance refund")
        let invalid = try await harness.call("summarize", ["entity": "transactions", "group_by": "tax_rate"])
        #expect(invalid.failed && invalid.text.contains("group them by month, status or contact"))
        let missing = try await harness.call("summarize", ["entity": "invoices"])
        #expect(missing.text.contains("group_by is required"))
    }

    @Test func receivablesAging() async throws {
        let harness = try await Harness.make()
        let result = try await harness.call("receivables_aging")
        #expect(!result.failed)
        #expect(int(result.structuredContent, "total_outstanding_cents") == 7_370_101)
        #expect(value(result.structuredContent, "buckets")?.arrayValue?.count == 5)
        #expect(value(result.structuredContent, "invoices")?.arrayValue?.count == 20)
        let customers = try #require(value(result.structuredContent, "customers")?.arrayValue)
        #expect(customers.count == 13 && int(customers.first, "outstanding_cents") == 2_098_469)
        #expect(value(customers.first, "name")?.stringValue == "Müller GmbH" && int(customers.first, "invoices") == 3)
        #expect(result.text.contains(
            "\nCustomers who owe the most: Müller GmbH 20.984,69 € (3 invoices), Fitnessstudio Kraftwerk 11.423,76 € (2 invoices), "
                + "Praxis Dr. Wagner 11.144,35 € (2 invoices).\n"))
        let later = try await harness.call("receivables_aging", ["as_of": "2027-06-30", "include_invoices": false])
        #expect(int(later.structuredContent, "overdue_outstanding_cents") == 7_370_101)
        #expect(value(later.structuredContent, "invoices")?.arrayValue?.isEmpty == true)
        let invalid = try await harness.call("receivables_aging", ["as_of": "tomorrow"])
        #expect(invalid.failed && invalid.text.contains("as_of must be a date written YYYY-MM-DD"))
    }

    // MARK: create_contact

    @Test func createContact() async throws {
        let harness = try await Harness.make()
        let created = try await harness.call(
            "create_contact", ["name": "Müller Bau GmbH", "email": "info@mueller-bau.de", "city": "Köln", "country": "de"])
        #expect(!created.failed)
        #expect(string(created.structuredContent, "contact", "customer_number") == "1037")
        #expect(string(created.structuredContent, "contact", "country") == "DE")
        #expect(created.text.contains("Created contact Müller Bau GmbH (#1037"))
        #expect(try harness.store.contacts(named: "Müller Bau GmbH").count == 1)

        let duplicate = try await harness.call("create_contact", ["name": "müller bau gmbh"])
        #expect(duplicate.failed && duplicate.text.contains("already exists (#1037"))
        let allowed = try await harness.call("create_contact", ["name": "Müller Bau GmbH", "allow_duplicate": true])
        #expect(!allowed.failed && string(allowed.structuredContent, "contact", "customer_number") == "1038")

        for (arguments, message) in [
            (["email": "x@y.de"], "name is required"),
            (["name": "  "], "name is required"),
            (["name": "A", "email": "not-an-email"], "email must look like name@example.com"),
            (["name": "A", "category": "friend"], "category must be one of customer, supplier, partner, prospect"),
            (["name": "A", "country": "Germany"], "country must be at most 2 characters"),
        ] as [([String: Value], String)] {
            let result = try await harness.call("create_contact", arguments)
            #expect(result.failed && result.text.contains(message), "\(arguments): \(result.text)")
        }
        #expect(try harness.store.listContacts(ContactQuery()).total == 38)
    }

    @Test("the same idempotency key never makes a second contact")
    func idempotency() async throws {
        let harness = try await Harness.make()
        let arguments: [String: Value] = ["name": "Neu GmbH", "idempotency_key": "chat-42-call-1"]
        let first = try await harness.call("create_contact", arguments)
        let second = try await harness.call("create_contact", arguments)
        #expect(value(first.structuredContent, "created") == .bool(true))
        #expect(value(second.structuredContent, "created") == .bool(false))
        #expect(value(first.structuredContent, "contact") == value(second.structuredContent, "contact"))
        #expect(try harness.store.contacts(named: "Neu GmbH").count == 1)
    }
}
