//! How numbers read in the text and HTML reports: bytes in binary units, money to the
//! cent, optional identifiers as `-`.

use super::model::Money;

/// `512 B`, `1.50 KiB`, `3.00 GiB`, … (binary units, two decimals).
pub(crate) fn bytes(n: i64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if n.unsigned_abs() < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in &UNITS[1..] {
        if v.abs() < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.2} {unit}")
}

/// `$1.35`, `-$3.90` in USD; `1.35 EUR` in another currency. An amount that is not
/// zero but rounds to it says so (`<$0.01`, `>-$0.01`) rather than `$0.00`: a few
/// megabytes of fixture data are not free, just cheap.
pub(crate) fn money(m: Money, currency: &str) -> String {
    let c = m.cents();
    let amount = |abs: f64| {
        if currency == "USD" {
            format!("${abs:.2}")
        } else {
            format!("{abs:.2} {currency}")
        }
    };
    if c == 0.0 && m.0 != 0.0 && m.0.is_finite() {
        return if m.0 > 0.0 {
            format!("<{}", amount(0.01))
        } else {
            format!(">-{}", amount(0.01))
        };
    }
    let sign = if c < 0.0 { "-" } else { "" };
    format!("{sign}{}", amount(c.abs()))
}

/// The headline's verdict on endpoints: a saving as a saving, a cost as a cost.
pub(crate) fn endpoints_verdict(total: &super::model::SavingTotals, currency: &str) -> String {
    let saving = total.saving_month;
    if total.nat_cost_month.0 == 0.0 {
        "No NAT gateway data processing of traffic to AWS services: no endpoint to price."
            .to_owned()
    } else if saving.0 > 0.0 {
        format!(
            "Endpoints would save {} per month.",
            money(saving, currency)
        )
    } else if saving.0 < 0.0 {
        format!(
            "Endpoints would cost {} per month more than the NAT data processing they \
             replace.",
            money(Money(-saving.0), currency)
        )
    } else {
        "Endpoints would save nothing: the traffic goes to other regions.".to_owned()
    }
}

/// The value, or `-`.
pub(crate) fn opt(v: Option<&str>) -> &str {
    v.unwrap_or("-")
}

/// Column headers of the tables both renderers print: (title, right-aligned).
pub(super) const TOP_NAT_COLUMNS: [(&str, bool); 9] = [
    ("account", false),
    ("region", false),
    ("VPC", false),
    ("NAT gateway", false),
    ("service", false),
    ("service region", false),
    ("bytes", true),
    ("per month", true),
    ("NAT cost per month", true),
];

/// See [`TOP_NAT_COLUMNS`].
pub(super) const SAVINGS_COLUMNS: [(&str, bool); 10] = [
    ("account", false),
    ("region", false),
    ("VPC", false),
    ("service", false),
    ("service region", false),
    ("endpoint", false),
    ("per month", true),
    ("NAT cost", true),
    ("endpoint cost", true),
    ("saving", true),
];

/// See [`TOP_NAT_COLUMNS`].
pub(super) const SAVINGS_BY_VPC_COLUMNS: [(&str, bool); 6] = [
    ("account", false),
    ("region", false),
    ("VPC", false),
    ("NAT cost", true),
    ("endpoint cost", true),
    ("saving", true),
];

/// See [`TOP_NAT_COLUMNS`]: a remote name's bytes, from its clients' rows.
pub(super) const TALKER_COLUMNS: [(&str, bool); 8] = [
    ("account", false),
    ("region", false),
    ("VPC", false),
    ("gateway", false),
    ("service", false),
    ("talker", false),
    ("bytes", true),
    ("error", true),
];

/// How a row without a value for a tag reads.
pub(super) const UNTAGGED: &str = "(untagged)";

pub(super) const NAME_COLUMNS: [(&str, bool); 9] = [
    ("account", false),
    ("region", false),
    ("name", false),
    ("service", false),
    ("sent via NAT", true),
    ("internet gateway", true),
    ("public, unresolved", true),
    ("endpoint", true),
    ("NAT cost per month", true),
];

pub(super) const CHARGE_BACK_COLUMNS: [(&str, bool); 12] = [
    ("spoke account", false),
    ("spoke VPC", false),
    ("hub VPC", false),
    ("region", false),
    ("service", false),
    ("bytes per month", true),
    ("NAT cost", true),
    ("TGW cost", true),
    ("endpoint", false),
    ("spoke endpoint saves", true),
    ("hub endpoint saves", true),
    ("matched by", false),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.50 KiB");
        assert_eq!(bytes(3 << 30), "3.00 GiB");
        assert_eq!(bytes(5 << 40), "5.00 TiB");
        assert_eq!(money(Money(-3.899_999), "USD"), "-$3.90");
        assert_eq!(money(Money(1.345_1), "EUR"), "1.35 EUR");
        assert_eq!(money(Money(-0.001), "USD"), ">-$0.01");
        assert_eq!(money(Money(0.004), "USD"), "<$0.01");
        assert_eq!(money(Money(0.004), "EUR"), "<0.01 EUR");
        assert_eq!(money(Money(0.0), "USD"), "$0.00");
        assert_eq!(money(Money(0.005), "USD"), "$0.01");
    }

    #[test]
    fn the_verdict_calls_a_cost_a_cost() {
        use super::super::model::SavingTotals;
        let totals = |nat: f64, saving: f64| SavingTotals {
            nat_cost_month: Money(nat),
            endpoint_cost_month: Money(nat - saving),
            saving_month: Money(saving),
        };
        assert_eq!(
            endpoints_verdict(&totals(20.0, 8.1), "USD"),
            "Endpoints would save $8.10 per month."
        );
        assert_eq!(
            endpoints_verdict(&totals(0.004, -15.84), "USD"),
            "Endpoints would cost $15.84 per month more than the NAT data processing they replace."
        );
        assert!(endpoints_verdict(&totals(0.0, 0.0), "USD").starts_with("No NAT gateway"));
        assert!(endpoints_verdict(&totals(3.0, 0.0), "USD").contains("save nothing"));
    }
}
