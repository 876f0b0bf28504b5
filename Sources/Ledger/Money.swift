/// Money helpers. Amounts are integer cents everywhere; these only format and compute tax.
public enum Money {
    /// `1234567` → `"12.345,67 €"`, the way a German ledger writes euros.
    public static func format(cents: Int, currency: String = "EUR") -> String {
        let sign = cents < 0 ? "-" : ""
        let absolute = cents.magnitude
        let euros = absolute / 100
        let rest = absolute % 100
        var digits = String(euros)
        var grouped = ""
        while digits.count > 3 {
            grouped = "." + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        grouped = digits + grouped
        let symbol = currency == "EUR" ? "€" : currency
        return "\(sign)\(grouped),\(rest < 10 ? "0" : "")\(rest) \(symbol)"
    }

    /// Tax on a net amount at a whole-percent rate, rounded half away from zero as German invoices do.
    public static func tax(onNet net: Int, ratePercent: Int) -> Int {
        let product = net * ratePercent
        return product >= 0 ? (product + 50) / 100 : -((-product + 50) / 100)
    }

    /// `percent` of an amount, rounded half away from zero (used for the 2 % early-payment discount).
    public static func percentage(_ percent: Int, of cents: Int) -> Int {
        tax(onNet: cents, ratePercent: percent)
    }
}
