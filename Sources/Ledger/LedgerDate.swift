/// A calendar date without time or time zone, as accounting uses it.
///
/// Stored as a day number (days since 1970-01-01) so that arithmetic and comparison are exact
/// and independent of the machine's time zone; written as `YYYY-MM-DD` at every edge.
public struct LedgerDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let dayNumber: Int

    public init(dayNumber: Int) { self.dayNumber = dayNumber }

    /// Builds a date from its parts; nil when the parts do not name a real day.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LedgerDate.daysIn(month: month, year: year) else {
            return nil
        }
        self.dayNumber = LedgerDate.days(fromCivil: year, month, day)
    }

    /// Parses `YYYY-MM-DD`; nil for anything else, including impossible days like 2025-02-30.
    public init?(iso text: String) {
        // Byte-wise: dates are parsed for every row read, so this stays off the allocator.
        var digits = (0, 0, 0)
        var count = 0
        for (index, byte) in text.utf8.enumerated() {
            count += 1
            switch index {
            case 4, 7:
                guard byte == UInt8(ascii: "-") else { return nil }
            default:
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), index < 10 else { return nil }
                let digit = Int(byte - UInt8(ascii: "0"))
                if index < 4 { digits.0 = digits.0 * 10 + digit } else if index < 7 { digits.1 = digits.1 * 10 + digit } else {
                    digits.2 = digits.2 * 10 + digit
                }
            }
        }
        guard count == 10 else { return nil }
        self.init(year: digits.0, month: digits.1, day: digits.2)
    }

    /// Today in the machine's local time zone.
    public static func today() -> LedgerDate {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return LedgerDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))!
    }

    public var year: Int { civil.year }
    public var month: Int { civil.month }
    public var day: Int { civil.day }

    /// `YYYY-MM-DD`.
    public var iso: String {
        let (y, m, d) = civil
        guard (0...9999).contains(y) else { return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))" }
        // Written byte by byte: every row of every list formats its dates.
        return String(unsafeUninitializedCapacity: 10) { buffer in
            let digits: [(Int, Int)] = [(y / 1000, 0), (y / 100 % 10, 1), (y / 10 % 10, 2), (y % 10, 3), (m / 10, 5), (m % 10, 6), (d / 10, 8), (d % 10, 9)]
            for (digit, index) in digits { buffer[index] = UInt8(ascii: "0") + UInt8(digit) }
            buffer[4] = UInt8(ascii: "-")
            buffer[7] = UInt8(ascii: "-")
            return 10
        }
    }

    /// `YYYY-MM`, the key used when grouping by month.
    public var monthKey: String { String(iso.prefix(7)) }

    public var description: String { iso }

    /// Day of the week, 1 = Monday … 7 = Sunday.
    public var weekday: Int { ((dayNumber % 7) + 7 + 3) % 7 + 1 }

    public func adding(days: Int) -> LedgerDate { LedgerDate(dayNumber: dayNumber + days) }

    /// The same day `count` months later, clamped to the month's last day.
    public func adding(months count: Int) -> LedgerDate {
        let (y, m, d) = civil
        let total = y * 12 + (m - 1) + count
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        let month = total - year * 12 + 1
        return LedgerDate(year: year, month: month, day: min(d, LedgerDate.daysIn(month: month, year: year)))!
    }

    public var firstOfMonth: LedgerDate { LedgerDate(year: year, month: month, day: 1)! }
    public var lastOfMonth: LedgerDate {
        LedgerDate(year: year, month: month, day: LedgerDate.daysIn(month: month, year: year))!
    }

    public func days(until other: LedgerDate) -> Int { other.dayNumber - dayNumber }

    public static func < (lhs: LedgerDate, rhs: LedgerDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = LedgerDate(iso: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected a date as YYYY-MM-DD, got '\(text)'"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
    private static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private var civil: (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
