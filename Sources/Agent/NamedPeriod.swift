import Foundation
import Ledger
import MCP

/// A period a question names relative to today — "last month", "dieses Quartal", "in October", "since March", "the
/// last 30 days" — as the first and last day, `YYYY-MM-DD`. A period still running ends today, unless the question
/// asks what falls due ("due this week", "nächsten Monat fällig"): then it is a period of due dates, may lie ahead
/// ("next week", "tomorrow") and is whole.
///
/// Small models leave the dates out: asked "How much did we invoice last month?" and "What were our costs this
/// quarter so far?", the offline model called `summarize` without `date_from`/`date_to` in every compare run and
/// answered with the totals of all dates.
public struct NamedPeriod: Sendable, Equatable {
    /// The words of the question that name it, as written there.
    public var phrase: String
    public var from: String
    public var to: String
    /// A period of due dates: it fills `due_date_from`/`due_date_to`, not the document dates.
    public var ofDueDates = false
    /// Whether the question also asks for what is overdue ("due this month and overdue"), which keeps an `overdue` flag.
    public var overdueAsked = false

    /// The one period `question` names, or nil when it names none or several (a comparison of two months is the
    /// model's to split).
    public static func find(in question: String, today: String) -> NamedPeriod? {
        guard let now = LedgerDate(iso: today) else { return nil }
        let text = question.lowercased()
        let whole = NSRange(text.startIndex..., in: text)
        // "overdue" and "überfällig" ask for a state, not for a period of due dates. What we or they "have to pay" this
        // month is what falls due then: asked "Which bills do we have to pay this month?", the offline model listed
        // the vouchers dated this month (all paid but one).
        let due = text.range(of: Self.dueWords, options: .regularExpression) != nil
        let overdueAsked = text.range(of: #"overdue|überfällig|\blate\b|verspätet|\bpast due"#, options: .regularExpression) != nil
        var matches: [(range: NSRange, period: NamedPeriod)] = []
        // Payments happen on a day, so "today" names the day they were booked ("Welche Zahlungen sind heute
        // eingegangen?": the offline model summed every transaction of the year instead).
        let payments = ArgumentRepair.speaks([question], of: ArgumentRepair.recordWords["transactions"] ?? [])
        for rule in rules where due || !rule.dueOnly || (payments && rule.todayForPayments) {
            for match in rule.regex.matches(in: text, range: whole) {
                let groups = (0..<match.numberOfRanges).map { index -> String? in
                    Range(match.range(at: index), in: text).map { String(text[$0]) }
                }
                guard let (first, last) = rule.resolve(groups, Anchor(today: now, ahead: due)), due || first <= now else { continue }
                let phrase = Range(match.range, in: question).map { String(question[$0]) } ?? groups[0] ?? ""
                let period = NamedPeriod(
                    phrase: phrase, from: first.iso, to: (due ? last : Swift.min(last, now)).iso, ofDueDates: due, overdueAsked: overdueAsked)
                matches.append((match.range, period))
            }
        }
        // The longest wording wins where two overlap: "from January to March" over "from January".
        var kept: [(range: NSRange, period: NamedPeriod)] = []
        for match in matches.sorted(by: { $0.range.length > $1.range.length })
        where !kept.contains(where: { NSIntersectionRange($0.range, match.range).length > 0 }) {
            kept.append(match)
        }
        // A month or year named outside every period found ("in October and November") means more than one period.
        let strays = strayMention.matches(in: text, range: whole).filter { stray in
            !kept.contains { NSIntersectionRange($0.range, stray.range).length > 0 }
        }
        guard strays.isEmpty else { return nil }
        let periods = kept.map(\.period).reduce(into: [NamedPeriod]()) { unique, period in
            if !unique.contains(where: { $0.from == period.from && $0.to == period.to }) { unique.append(period) }
        }
        return periods.count == 1 ? periods[0] : nil
    }

    /// Wordings of what falls due, lower case: "due", "fällig", and what someone has to pay (`payWords`).
    static let dueWords = #"\bdue\b|\bfällig|"# + payWords

    /// Wordings of what someone has to pay, lower case: "have to pay", "must we pay", "payable", "zu zahlen", "müssen
    /// wir noch bezahlen", "begleichen müssen". Said of us, it is what we owe (`OwedMoney`).
    static let payWords =
        #"\b(?:have|has|need|needs|must|got) to (?:pay|be paid)\b|\b(?:must|should) (?:we|i) (?:\w+ )?pay\b|\bto be paid\b|\bpayable\b"#
        + #"|\bzu (?:be)?zahlen\b|\b(?:müssen|muss|müsste|müssten)\b.*\b(?:be)?zahl|\b(?:be)?zahlen (?:müssen|muss)\b|\bbegleichen"#

    /// The arguments this period fills.
    public var keys: (from: String, to: String) { ofDueDates ? ("due_date_from", "due_date_to") : ("date_from", "date_to") }

    /// `arguments` with this period's `keys` set where the model left them out or wrote a date outside it (another
    /// year, today). Dates inside it stay: the model may have narrowed the range on purpose.
    ///
    /// A period of due dates is the whole filter the question asks for, so what the model adds to it goes: document
    /// dates (the question names one period, and it is this one), an `overdue` flag unless the question asks for it,
    /// and `status: open` (a due range lists the unpaid ones, partially paid included). Asked "Which invoices are due
    /// this week?" and "… nächste Woche fällig?", the offline model added `overdue: true` every time, invoice dates
    /// of the week before or of today, and `status: open`, found nothing and answered that nothing was due.
    public func filling(_ arguments: [String: Value]) -> [String: Value] {
        var filled = arguments
        for (key, bound) in [(keys.from, from), (keys.to, to)] {
            if let given = arguments[key]?.stringValue, given.count == 10, given >= from, given <= to { continue }
            filled[key] = .string(bound)
        }
        if ofDueDates {
            filled["date_from"] = nil
            filled["date_to"] = nil
            if !overdueAsked { filled["overdue"] = nil }
            if filled["status"] == "open" { filled["status"] = nil }
        }
        return filled
    }

    /// Whether a tool's input takes the date range this fills: both `keys`, neither required.
    public func fits(_ schema: Value) -> Bool {
        let properties = schema.objectValue?["properties"]?.objectValue ?? [:]
        let required = Set(ArgumentRepair.requiredKeys(schema))
        return properties[keys.from] != nil && properties[keys.to] != nil && !required.contains(keys.from) && !required.contains(keys.to)
    }

    /// Said to the model with the result, so that the answer names the period.
    public var note: String { "\(ofDueDates ? "Due dates" : "Dates") from the question (\"\(phrase)\"): \(from) to \(to)." }

    // MARK: Rules

    /// Today, and whether a period may lie ahead of it (due dates): then a month named without a year is the nearest
    /// such month, not the latest that has begun.
    struct Anchor: Sendable {
        var today: LedgerDate
        var ahead: Bool
    }

    private struct Rule: Sendable {
        let regex: NSRegularExpression
        /// Only for questions about due dates: "today", "tomorrow" and "the next 30 days" name no range of documents
        /// worth filtering ("our bank balance today", "payments we expect in the next 30 days" cut at today).
        let dueOnly: Bool
        /// Also for questions about payments: "today" is the day they were booked.
        let todayForPayments: Bool
        /// First and last day from the match's groups (0 is the whole match) and today; nil when it is no period.
        let resolve: @Sendable ([String?], Anchor) -> Span?

        init(
            _ pattern: String, dueOnly: Bool = false, todayForPayments: Bool = false,
            _ resolve: @escaping @Sendable ([String?], Anchor) -> Span?
        ) {
            // Patterns are constants of this file; a broken one is a programming error found by the tests.
            regex = try! NSRegularExpression(pattern: pattern)
            self.dueOnly = dueOnly
            self.todayForPayments = todayForPayments
            self.resolve = resolve
        }
    }

    private static let months: [(Int, String)] = [
        (1, "january|januar|jan"), (2, "february|februar|feb"), (3, "march|märz|maerz|mär"), (4, "april|apr"),
        (5, "may|mai"), (6, "june|juni|jun"), (7, "july|juli|jul"), (8, "august|aug"), (9, "september|sept|sep"),
        (10, "october|oktober|oct|okt"), (11, "november|nov"), (12, "december|dezember|dec|dez"),
    ]
    private static let monthAlternatives = months.map(\.1).joined(separator: "|")

    /// A month name (not "may", which is also a verb) or a year that is not part of a document number.
    private static let strayMention = try! NSRegularExpression(
        pattern: #"\b(?:\#(monthAlternatives.replacingOccurrences(of: "may|", with: "")))\b|(?<![-\w])20\d\d(?![-\w])"#)

    private static func monthNumber(_ name: String?) -> Int? {
        guard let name else { return nil }
        return months.first { $0.1.split(separator: "|").contains(Substring(name)) }?.0
    }

    /// The named month of the given year, or else the latest one that has begun (ahead: the nearest one, up to five
    /// months ahead — "due in January" asked in November).
    private static func month(_ number: Int, year: String?, _ anchor: Anchor) -> Span {
        let now = anchor.today
        let chosen: Int
        if let year = year.flatMap({ Int($0) }) {
            chosen = year
        } else if anchor.ahead && (number - now.month + 12) % 12 <= 5 {
            chosen = number >= now.month ? now.year : now.year + 1
        } else {
            chosen = number <= now.month ? now.year : now.year - 1
        }
        return LedgerDate(year: chosen, month: number, day: 1)!.wholeMonth
    }

    /// A month name and maybe a year: two groups.
    private static let monthAndYear = #"(\#(monthAlternatives))\b\.?(?:\s+(20\d\d))?"#

    /// From the first of one named month to the end of another (groups 1–4: month, year, month, year). Without years
    /// it ends in the latest such month that has begun and starts before that: "from November to February" asked in
    /// November 2026 is November 2025 to February 2026.
    private static func monthRange(_ groups: [String?], _ anchor: Anchor) -> Span? {
        guard let start = monthNumber(groups[1]), let end = monthNumber(groups[3]) else { return nil }
        let last = month(end, year: groups[4], anchor).last
        let firstYear = groups[2].flatMap { Int($0) } ?? (start <= end ? last.year : last.year - 1)
        guard let first = LedgerDate(year: firstYear, month: start, day: 1), first <= last else { return nil }
        return (first, last)
    }

    /// The last `count` days, today included.
    private static func lastDays(_ count: String?, _ now: LedgerDate) -> Span? {
        guard let count = count.flatMap({ Int($0) }), count > 0 else { return nil }
        return (now.adding(days: 1 - count), now)
    }

    /// Today and the next `count` days.
    private static func nextDays(_ count: String?, _ now: LedgerDate) -> Span? {
        guard let count = count.flatMap({ Int($0) }), count > 0 else { return nil }
        return (now, now.adding(days: count))
    }

    /// One rule per kind of period, English and German wordings together.
    private static let rules: [Rule] = [
        Rule(#"\b(?:last|previous) month\b|\b(?:letzte[nmr]?|vorige[nmr]?) monat\b|\bvormonat"#) { _, at in
            at.today.firstOfMonth.adding(months: -1).wholeMonth
        },
        Rule(#"\b(?:this|current) month\b|\bmonth to date\b|\b(?:diese[nmr]?|aktuelle[nmr]?|laufende[nmr]?) monat"#) { _, at in
            at.today.wholeMonth
        },
        Rule(#"\b(?:next|coming) month\b|\b(?:nächste[nmr]?|kommende[nmr]?) monat"#) { _, at in
            at.today.firstOfMonth.adding(months: 1).wholeMonth
        },
        Rule(#"\b(?:last|previous) quarter\b|\b(?:letzte[nms]?|vorige[nms]?) quartal\b|\bvorquartal"#) { _, at in
            at.today.wholeQuarter.first.adding(months: -3).wholeQuarter
        },
        Rule(#"\b(?:this|current) quarter\b|\bquarter to date\b|\b(?:diese[nms]?|aktuelle[nms]?|laufende[nms]?) quartal"#) { _, at in
            at.today.wholeQuarter
        },
        Rule(#"\b(?:last|previous) year\b|\b(?:letzte[nms]?|vorige[nms]?) jahr\b|\bvorjahr"#) { _, at in wholeYear(at.today.year - 1) },
        Rule(#"\b(?:this|current) year\b|\byear to date\b|\bytd\b|\b(?:diese[nms]?|aktuelle[nms]?|laufende[nms]?) jahr\b"#) { _, at in
            wholeYear(at.today.year)
        },
        Rule(#"\b(?:last|previous) week\b|\b(?:letzte|vorige) woche\b|\bvorwoche"#) { _, at in
            at.today.wholeWeek.first.adding(days: -7).wholeWeek
        },
        Rule(#"\bthis week\b|\b(?:diese|dieser) woche\b"#) { _, at in at.today.wholeWeek },
        Rule(#"\b(?:next|coming) week\b|\b(?:nächste[nr]?|kommende[nr]?) woche\b"#) { _, at in
            at.today.wholeWeek.first.adding(days: 7).wholeWeek
        },
        Rule(#"\b(?:last|past) (\d{1,3}) days\b|\b(?:letzten|vergangenen) (\d{1,3}) tage"#) { groups, at in
            lastDays(groups[1] ?? groups[2], at.today)
        },
        Rule(#"\b(?:next|coming) (\d{1,3}) days\b|\b(?:nächsten|kommenden) (\d{1,3}) tage"#, dueOnly: true) { groups, at in
            nextDays(groups[1] ?? groups[2], at.today)
        },
        Rule(#"\btoday\b|\bheute\b"#, dueOnly: true, todayForPayments: true) { _, at in (at.today, at.today) },
        Rule(#"\btomorrow\b|\bmorgen\b"#, dueOnly: true) { _, at in (at.today.adding(days: 1), at.today.adding(days: 1)) },
        // Named months, quarters and years. A month needs a preposition or a year next to it: "may" is also a verb.
        Rule(#"\b(?:in|im|for|für|during|of|from|vom|von)\s+(?:the month of\s+|monat\s+)?(\#(monthAlternatives))\b\.?(?:\s+(20\d\d))?"#) {
            groups, at in monthNumber(groups[1]).map { month($0, year: groups[2], at) }
        },
        Rule(#"\b(\#(monthAlternatives))\.?\s+(20\d\d)\b"#) { groups, at in
            monthNumber(groups[1]).map { month($0, year: groups[2], at) }
        },
        Rule(#"\b(?:(?:from|von)\s+)?\#(monthAndYear)\s*(?:to|until|till|through|bis|-|–)\s*(?:(?:the\s+)?end of\s+|ende\s+)?\#(monthAndYear)"#) {
            groups, at in monthRange(groups, at)
        },
        Rule(#"\b(?:between|zwischen)\s+\#(monthAndYear)\s+(?:and|und)\s+\#(monthAndYear)"#) { groups, at in monthRange(groups, at) },
        Rule(#"\b(?:since|seit)\s+(?:the\s+)?(?:beginning of\s+|anfang\s+)?(\#(monthAlternatives))\b\.?(?:\s+(20\d\d))?"#) { groups, at in
            monthNumber(groups[1]).map { (month($0, year: groups[2], at).first, at.today) }
        },
        Rule(#"\bq([1-4])(?:\s*[/-]?\s*(20\d\d))?\b|\b([1-4])\.\s*quartal(?:\s+(20\d\d))?"#) { groups, at in
            guard let quarter = (groups[1] ?? groups[3]).flatMap({ Int($0) }) else { return nil }
            let year = (groups[2] ?? groups[4]).flatMap { Int($0) } ?? (quarter <= at.today.quarter ? at.today.year : at.today.year - 1)
            return LedgerDate(year: year, month: quarter * 3 - 2, day: 1)?.wholeQuarter
        },
        Rule(#"\b(?:in|im|for|für|during|of|jahr|year)\s+(20\d\d)\b(?!-)"#) { groups, _ in
            groups[1].flatMap { Int($0) }.map(wholeYear)
        },
    ]

    /// First and last day of a period.
    typealias Span = (first: LedgerDate, last: LedgerDate)

    private static func wholeYear(_ year: Int) -> Span {
        (LedgerDate(year: year, month: 1, day: 1)!, LedgerDate(year: year, month: 12, day: 31)!)
    }
}

/// The calendar periods a day lies in, on top of the ledger's own date arithmetic.
extension LedgerDate {
    fileprivate var wholeMonth: NamedPeriod.Span { (firstOfMonth, lastOfMonth) }

    /// 1…4.
    fileprivate var quarter: Int { (month - 1) / 3 + 1 }

    fileprivate var wholeQuarter: NamedPeriod.Span {
        let first = LedgerDate(year: year, month: quarter * 3 - 2, day: 1)!
        return (first, first.adding(months: 2).lastOfMonth)
    }

    /// Monday to Sunday.
    fileprivate var wholeWeek: NamedPeriod.Span {
        let monday = adding(days: 1 - weekday)
        return (monday, monday.adding(days: 6))
    }
}
