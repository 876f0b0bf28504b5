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

    @Test("no period: none named, several, one still to come, or a question about due dates")
    func none() {
        for question in [
            "show me the last 5 invoices", "Zeig mir die letzten 5 Rechnungen", "May I see the open invoices?",
            "Which invoices are due this month?", "Welche Rechnungen werden diesen Monat fällig?",
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

    @Test("only tools that take an optional date_from and date_to")
    func fits() {
        let range: Value = ["type": "object", "properties": ["date_from": ["type": "string"], "date_to": ["type": "string"]]]
        let required: Value = [
            "type": "object", "required": ["date_from"], "properties": ["date_from": ["type": "string"], "date_to": ["type": "string"]],
        ]
        let single: Value = ["type": "object", "properties": ["date": ["type": "string"]]]
        #expect(NamedPeriod.fits(range) && !NamedPeriod.fits(required) && !NamedPeriod.fits(single))
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
