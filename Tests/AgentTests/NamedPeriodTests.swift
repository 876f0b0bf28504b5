import Ledger
import MCP
import Testing

@testable import Agent

@Suite("Periods a question names")
struct NamedPeriodTests {
    /// A Wednesday.
    let today = "2026-11-25"

    func range(_ question: String, today: String? = nil) -> String? {
        NamedPeriod.find(in: question, today: today ?? self.today).map { "\($0.from)…\($0.to)" }
    }

    @Test("relative months, quarters, years and weeks, in English and German; a running one ends today")
    func relative() {
        #expect(range("How much did we invoice last month?") == "2026-10-01…2026-10-31")
        #expect(range("Wie viel haben wir im letzten Monat fakturiert?") == "2026-10-01…2026-10-31")
        #expect(range("Umsatz Vormonat") == "2026-10-01…2026-10-31")
        #expect(range("What were our costs this quarter so far?") == "2026-10-01…2026-11-25")
        #expect(range("Kosten im laufenden Quartal") == "2026-10-01…2026-11-25")
        #expect(range("revenue last quarter") == "2026-07-01…2026-09-30")
        #expect(range("Umsatz im letzten Quartal") == "2026-07-01…2026-09-30")
        #expect(range("What was our revenue per month this year?") == "2026-01-01…2026-11-25")
        #expect(range("Kosten dieses Jahr") == "2026-01-01…2026-11-25")
        #expect(range("costs last year") == "2025-01-01…2025-12-31")
        #expect(range("Kosten im Vorjahr") == "2025-01-01…2025-12-31")
        #expect(range("revenue this month") == "2026-11-01…2026-11-25")
        #expect(range("Belege diesen Monat") == "2026-11-01…2026-11-25")
        #expect(range("payments last week") == "2026-11-16…2026-11-22")
        #expect(range("Zahlungen diese Woche") == "2026-11-23…2026-11-25")
        #expect(range("bank transactions of the last 30 days") == "2026-10-27…2026-11-25")
        #expect(range("Buchungen der letzten 7 Tage") == "2026-11-19…2026-11-25")
    }

    @Test("named months, quarters and years; a month that has not begun this year is last year's")
    func named() {
        #expect(range("Rechnungen im Oktober") == "2026-10-01…2026-10-31")
        #expect(range("invoices in December") == "2025-12-01…2025-12-31")
        #expect(range("Umsatz im März 2025") == "2025-03-01…2025-03-31")
        #expect(range("costs for February 2024") == "2024-02-01…2024-02-29")
        #expect(range("revenue October 2025") == "2025-10-01…2025-10-31")
        #expect(range("costs since March") == "2026-03-01…2026-11-25")
        #expect(range("Kosten seit Anfang September") == "2026-09-01…2026-11-25")
        #expect(range("revenue in Q1 2026") == "2026-01-01…2026-03-31")
        #expect(range("Umsatz im 3. Quartal") == "2026-07-01…2026-09-30")
        #expect(range("revenue in 2025") == "2025-01-01…2025-12-31")
        #expect(range("the last 5 invoices of 2025") == "2025-01-01…2025-12-31")
    }

    @Test("ranges of months, ending in the latest such month that has begun when no year is given")
    func ranges() {
        #expect(range("revenue from January to March") == "2026-01-01…2026-03-31")
        #expect(range("Kosten von Januar bis Ende März") == "2026-01-01…2026-03-31")
        #expect(range("costs between October 2025 and March 2026") == "2025-10-01…2026-03-31")
        #expect(range("Umsatz zwischen Mai und Juli") == "2026-05-01…2026-07-31")
        #expect(range("costs October 2025 - March 2026") == "2025-10-01…2026-03-31")
        #expect(range("revenue from November to February") == "2025-11-01…2026-02-28")
        #expect(range("revenue from September until December") == "2025-09-01…2025-12-31")
        #expect(range("costs from March 2026 to May 2025") == nil)
    }

    @Test("the turn of the year")
    func january() {
        #expect(range("last month", today: "2026-01-15") == "2025-12-01…2025-12-31")
        #expect(range("last quarter", today: "2026-01-15") == "2025-10-01…2025-12-31")
        #expect(range("last week", today: "2026-01-01") == "2025-12-22…2025-12-28")
        #expect(range("this week", today: "2026-01-01") == "2025-12-29…2026-01-01")
    }

    @Test("no period: none named, several, or one still to come; today and the next days only for due dates")
    func none() {
        for question in [
            "show me the last 5 invoices", "Zeig mir die letzten 5 Rechnungen", "May I see the open invoices?",
            "revenue next month", "invoices of next week", "What is our bank balance today?", "Rechnungen von heute",
            "payments we expect in the next 30 days", "Which invoices are overdue today?",
            "Compare revenue in October with revenue in November", "revenue in October and November", "Umsatz im Oktober und November",
            "revenue in 2025 and 2026", "costs last month and this month", "revenue in 2027", "show invoice RE-2026-0042",
            "How many invoices did we write in the last years?", "hello",
        ] {
            #expect(range(question) == nil, "\(question)")
        }
        #expect(NamedPeriod.find(in: "last month", today: "2026-13-01") == nil)
    }

    @Test("the period's dates go where the model left them out or wrote ones outside it; dates inside it stay")
    func filling() throws {
        let period = try #require(NamedPeriod.find(in: "How much did we invoice last month?", today: today))
        #expect(period.phrase == "last month")
        let filled = period.filling(["entity": "invoices"])
        #expect(filled == ["entity": "invoices", "date_from": "2026-10-01", "date_to": "2026-10-31"])
        #expect(period.filling(["date_from": "2025-10-01", "date_to": "2026-11-25"]) == ["date_from": "2026-10-01", "date_to": "2026-10-31"])
        #expect(period.filling(["date_from": "2026-10-10", "date_to": "2026-10-20"]) == ["date_from": "2026-10-10", "date_to": "2026-10-20"])
        #expect(period.note == #"Dates from the question ("last month"): 2026-10-01 to 2026-10-31."#)
    }

    @Test("a question about due dates names a whole period of due dates, which may lie ahead")
    func due() throws {
        #expect(range("Which invoices are due this week?") == "2026-11-23…2026-11-29")
        #expect(range("Welche Rechnungen werden diese Woche fällig?") == "2026-11-23…2026-11-29")
        #expect(range("Which invoices are due this month?") == "2026-11-01…2026-11-30")
        #expect(range("Welche Rechnungen sind nächsten Monat fällig?") == "2026-12-01…2026-12-31")
        #expect(range("what is due next week") == "2026-11-30…2026-12-06")
        #expect(range("bills due in the next 14 days") == "2026-11-25…2026-12-09")
        #expect(range("Was ist heute fällig?") == "2026-11-25…2026-11-25")
        // What we have to pay in a period is what falls due then.
        #expect(NamedPeriod.find(in: "Which bills do we have to pay this month?", today: today)?.ofDueDates == true)
        #expect(range("Which bills do we have to pay this month?") == "2026-11-01…2026-11-30")
        #expect(NamedPeriod.find(in: "What must we pay this month?", today: today)?.ofDueDates == true)
        #expect(range("Welche Rechnungen müssen wir diesen Monat noch bezahlen?") == "2026-11-01…2026-11-30")
        #expect(range("Was ist nächste Woche zu zahlen?") == "2026-11-30…2026-12-06")
        #expect(range("what do we need to pay tomorrow") == "2026-11-26…2026-11-26")
        #expect(NamedPeriod.find(in: "What did we pay last month?", today: today)?.ofDueDates == false, "paid is not due")
        // Payments are booked on a day: "today" is that day, of booking, not of falling due.
        let booked = try #require(NamedPeriod.find(in: "Welche Zahlungen sind heute eingegangen?", today: today))
        #expect(booked.from == today && booked.to == today && !booked.ofDueDates && booked.keys.from == "date_from")
        #expect(range("Which payments came in today?") == "2026-11-25…2026-11-25")
        #expect(range("Zeig mir die Überweisungen von heute") == "2026-11-25…2026-11-25")
        #expect(range("Which invoices were paid today?") == nil, "an invoice's date is not the day it was paid")
        #expect(range("payments expected tomorrow") == nil, "tomorrow only for due dates")
        #expect(range("invoices due tomorrow") == "2026-11-26…2026-11-26")
        // A month without a year: the nearest one, ahead up to five months.
        #expect(range("invoices due in January") == "2027-01-01…2027-01-31")
        #expect(range("invoices that were due in October") == "2026-10-01…2026-10-31")
        #expect(range("invoices due in June") == "2026-06-01…2026-06-30")
        // "overdue" asks for a state: its period is one of document dates, cut at today.
        let overdue = try #require(NamedPeriod.find(in: "overdue invoices from this month", today: today))
        #expect(!overdue.ofDueDates && overdue.to == today)
        let week = try #require(NamedPeriod.find(in: "Which invoices are due this week?", today: today))
        #expect(week.ofDueDates && week.keys == ("due_date_from", "due_date_to"))
        #expect(week.note == #"Due dates from the question ("this week"): 2026-11-23 to 2026-11-29."#)
    }

    @Test("a period of due dates is the whole filter: document dates, an unasked overdue flag and status open go")
    func fillingDueDates() throws {
        let week = try #require(NamedPeriod.find(in: "Which invoices are due this week?", today: today))
        // As the offline model called list_invoices for it.
        #expect(
            week.filling(["date_from": "2026-11-15", "date_to": "2026-11-21", "overdue": true, "limit": 10])
                == ["due_date_from": "2026-11-23", "due_date_to": "2026-11-29", "limit": 10])
        #expect(week.filling(["date_to": "2026-11-25", "status": "open"]) == ["due_date_from": "2026-11-23", "due_date_to": "2026-11-29"])
        #expect(week.filling(["status": "paid"]) == ["due_date_from": "2026-11-23", "due_date_to": "2026-11-29", "status": "paid"])
        let overdue = try #require(NamedPeriod.find(in: "Which invoices due this month are overdue?", today: today))
        #expect(overdue.filling(["overdue": true]) == ["due_date_from": "2026-11-01", "due_date_to": "2026-11-30", "overdue": true])
        // Document dates stay for a period of document dates.
        let lastMonth = try #require(NamedPeriod.find(in: "overdue invoices written last month", today: today))
        #expect(lastMonth.filling(["overdue": true]) == ["date_from": "2026-10-01", "date_to": "2026-10-31", "overdue": true])
    }

    @Test("only tools that take the period's two dates, neither required")
    func fits() throws {
        let range: Value = ["type": "object", "properties": ["date_from": ["type": "string"], "date_to": ["type": "string"]]]
        let required: Value = [
            "type": "object", "required": ["date_from"], "properties": ["date_from": ["type": "string"], "date_to": ["type": "string"]],
        ]
        let single: Value = ["type": "object", "properties": ["date": ["type": "string"]]]
        let dueRange: Value = ["type": "object", "properties": ["due_date_from": ["type": "string"], "due_date_to": ["type": "string"]]]
        let lastMonth = try #require(NamedPeriod.find(in: "revenue last month", today: today))
        #expect(lastMonth.fits(range) && !lastMonth.fits(required) && !lastMonth.fits(single) && !lastMonth.fits(dueRange))
        let dueThisWeek = try #require(NamedPeriod.find(in: "due this week", today: today))
        #expect(dueThisWeek.fits(dueRange) && !dueThisWeek.fits(range))
    }

    @Test("the ledger's day arithmetic the periods are built on agrees with the calendar across centuries and leap days")
    func days() throws {
        #expect(LedgerDate(year: 1970, month: 1, day: 1)?.dayNumber == 0)
        #expect(LedgerDate(year: 2000, month: 3, day: 1)?.dayNumber == 11_017)
        for iso in ["1900-02-28", "2000-02-29", "2024-12-31", "2026-11-25", "2100-03-01"] {
            let day = try #require(LedgerDate(iso: iso))
            #expect(LedgerDate(dayNumber: day.dayNumber).iso == iso)
            #expect(day.adding(days: 1).adding(days: -1) == day)
        }
        #expect(LedgerDate(iso: "2026-02-29") == nil && LedgerDate(iso: "2024-02-29") != nil)
        #expect(LedgerDate(iso: "2026-03-31")?.adding(months: -1).iso == "2026-02-28")
    }
}
