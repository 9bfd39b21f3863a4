//! The report as text tables, for a terminal.

use std::io::{self, Write};

use super::fmt::{self, bytes, money, opt};
use super::model::{CATEGORY_NAMES, Categories, Endpoint, Report};

/// A table: headings, rows, and which columns are numbers (right-aligned).
struct Table {
    head: Vec<&'static str>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(columns: &[(&'static str, bool)]) -> Table {
        Table {
            head: columns.iter().map(|c| c.0).collect(),
            numeric: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }

    fn write(&self, w: &mut impl Write) -> io::Result<()> {
        if self.rows.is_empty() {
            return writeln!(w, "(none)");
        }
        let mut widths: Vec<usize> = self.head.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(wd) = widths.get_mut(i) {
                    *wd = (*wd).max(cell.chars().count());
                }
            }
        }
        let line = |w: &mut dyn Write, cells: &[&str]| -> io::Result<()> {
            let mut out = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let width = widths.get(i).copied().unwrap_or(0);
                if i > 0 {
                    out.push_str("  ");
                }
                if self.numeric.get(i).copied().unwrap_or(false) {
                    out.push_str(&format!("{cell:>width$}"));
                } else {
                    out.push_str(&format!("{cell:<width$}"));
                }
            }
            writeln!(w, "{}", out.trim_end())
        };
        line(w, &self.head)?;
        for row in &self.rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            line(w, &cells)?;
        }
        Ok(())
    }
}

/// Writes the report's tables.
pub(crate) fn write(r: &Report, w: &mut impl Write) -> io::Result<()> {
    let cur = r.prices.currency.as_str();
    let span = match (r.days.first(), r.days.last()) {
        (Some(a), Some(b)) if a != b => format!(" ({a} to {b})"),
        (Some(a), _) => format!(" ({a})"),
        _ => String::new(),
    };
    writeln!(
        w,
        "flowpath report of {}: {} summary files, {} rows, {} days{span}",
        r.output_dir,
        r.files,
        r.rows,
        r.days.len()
    )?;
    writeln!(
        w,
        "monthly figures scale {} day(s) to {}; prices as of {} ({}, {}), interface \
         endpoints in {} AZs",
        r.period_days,
        r.month_days,
        r.prices.taken,
        r.prices.file.as_deref().unwrap_or("embedded table"),
        r.prices.currency,
        r.interface_endpoint_azs
    )?;
    writeln!(w, "price source: {}", r.prices.source)?;
    writeln!(
        w,
        "NAT gateway data processing of traffic to AWS services: {} per month. {}",
        money(r.savings_total.nat_cost_month, cur),
        fmt::endpoints_verdict(&r.savings_total, cur)
    )?;
    writeln!(w)?;

    writeln!(
        w,
        "Bytes by path to AWS services (NAT gateway: bytes on the NAT's interface; \
         sent via NAT: the same bytes seen from the senders, not added)"
    )?;
    let mut cols: Vec<(&'static str, bool)> = vec![
        ("account", false),
        ("region", false),
        ("VPC", false),
        ("service", false),
        ("service region", false),
    ];
    cols.extend(category_columns());
    let mut t = Table::new(&cols);
    for b in &r.by_path {
        let mut row = vec![
            b.account_id.clone(),
            b.region.clone(),
            opt(b.vpc_id.as_deref()).to_owned(),
            b.service.clone(),
            opt(b.service_region.as_deref()).to_owned(),
        ];
        row.extend(category_cells(&b.bytes, b.total));
        t.rows.push(row);
    }
    let mut total = vec![String::from("total"), String::new(), String::new()];
    total.extend([String::new(), String::new()]);
    total.extend(category_cells(&r.totals, r.total));
    t.rows.push(total);
    t.write(w)?;
    writeln!(w)?;

    if let Some(rows) = &r.by_interface {
        writeln!(
            w,
            "Bytes by path to AWS services, per interface (endpoint: through an endpoint; \
             sent via NAT: through a NAT gateway, from this interface)"
        )?;
        let mut cols: Vec<(&'static str, bool)> = vec![
            ("account", false),
            ("region", false),
            ("VPC", false),
            ("interface", false),
            ("kind", false),
            ("service", false),
            ("service region", false),
        ];
        cols.extend(category_columns());
        let mut t = Table::new(&cols);
        for b in rows {
            let mut row = vec![
                b.account_id.clone(),
                b.region.clone(),
                opt(b.vpc_id.as_deref()).to_owned(),
                opt(b.interface_id.as_deref()).to_owned(),
                opt(b.interface_kind.as_deref()).to_owned(),
                b.service.clone(),
                opt(b.service_region.as_deref()).to_owned(),
            ];
            row.extend(category_cells(&b.bytes, b.total));
            t.rows.push(row);
        }
        t.write(w)?;
        writeln!(w)?;
    }
    for tag in &r.by_tag {
        write_tag(tag, w, cur)?;
    }

    writeln!(w, "Top NAT gateway -> AWS service flows")?;
    let mut t = Table::new(&fmt::TOP_NAT_COLUMNS);
    for f in &r.top_nat_flows {
        t.rows.push(vec![
            f.account_id.clone(),
            f.region.clone(),
            opt(f.vpc_id.as_deref()).to_owned(),
            opt(f.gateway_id.as_deref()).to_owned(),
            f.service.clone(),
            opt(f.service_region.as_deref()).to_owned(),
            bytes(f.bytes),
            bytes(f.monthly_bytes),
            money(f.nat_cost_month, cur),
        ]);
    }
    t.write(w)?;
    writeln!(w)?;

    writeln!(
        w,
        "NAT data processing an endpoint would replace, per month"
    )?;
    let mut t = Table::new(&fmt::SAVINGS_COLUMNS);
    for s in &r.savings {
        t.rows.push(vec![
            s.account_id.clone(),
            s.region.clone(),
            opt(s.vpc_id.as_deref()).to_owned(),
            s.service.clone(),
            opt(s.service_region.as_deref()).to_owned(),
            endpoint_name(s.endpoint).to_owned(),
            bytes(s.monthly_bytes),
            money(s.nat_cost_month, cur),
            s.endpoint_cost_month
                .map_or_else(|| "-".to_owned(), |c| money(c, cur)),
            money(s.saving_month, cur),
        ]);
    }
    let st = r.savings_total;
    if !r.savings.is_empty() {
        t.rows.push(vec![
            "total".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            money(st.nat_cost_month, cur),
            money(st.endpoint_cost_month, cur),
            money(st.saving_month, cur),
        ]);
    }
    t.write(w)?;
    if r.savings.iter().any(|s| s.saving_month.cents() < 0.0) {
        writeln!(
            w,
            "a negative saving: the interface endpoint would cost more than the NAT \
             data processing it replaces"
        )?;
    }
    writeln!(w)?;

    writeln!(w, "Savings by VPC, per month")?;
    let mut t = Table::new(&fmt::SAVINGS_BY_VPC_COLUMNS);
    for v in &r.savings_by_vpc {
        t.rows.push(vec![
            v.account_id.clone(),
            v.region.clone(),
            opt(v.vpc_id.as_deref()).to_owned(),
            money(v.nat_cost_month, cur),
            money(v.endpoint_cost_month, cur),
            money(v.saving_month, cur),
        ]);
    }
    t.write(w)?;
    write_names(r, w, cur)?;
    write_talkers(r, w)?;
    if r.transit_files > 0 || !r.charge_back.is_empty() {
        writeln!(w)?;
        writeln!(w, "Centralised egress charge-back, per month")?;
        let mut t = Table::new(&fmt::CHARGE_BACK_COLUMNS);
        for c in &r.charge_back {
            t.rows.push(vec![
                opt(c.spoke_account_id.as_deref()).to_owned(),
                opt(c.spoke_vpc_id.as_deref()).to_owned(),
                opt(c.hub_vpc_id.as_deref()).to_owned(),
                c.region.clone(),
                c.service.clone(),
                bytes(c.monthly_bytes),
                money(c.nat_cost_month, cur),
                money(c.transit_gateway_cost_month, cur),
                charge_back_endpoint(c).to_owned(),
                c.spoke_endpoint_saving_month
                    .map_or("-".to_owned(), |m| money(m, cur)),
                c.hub_endpoint_saving_month
                    .map_or("-".to_owned(), |m| money(m, cur)),
                c.matched_by.to_owned(),
            ]);
        }
        t.write(w)?;
    }
    if let Some(html) = &r.html {
        writeln!(w)?;
        writeln!(w, "HTML report: {html}")?;
    }
    Ok(())
}

/// The top talkers behind each NAT and internet gateway.
fn write_talkers(r: &Report, w: &mut impl Write) -> io::Result<()> {
    writeln!(w)?;
    if r.top_talkers.is_empty() {
        return writeln!(
            w,
            "Top talkers: none in these summaries; summarize with --top-talkers to see which \
             addresses and ports carry the bytes behind each NAT and internet gateway"
        );
    }
    writeln!(
        w,
        "Top talkers behind NAT and internet gateways: remote addresses and ports by bytes \
         (exact, or at most the bytes shown and at least that minus the error)"
    )?;
    let mut t = Table::new(&fmt::TALKER_COLUMNS);
    for g in &r.top_talkers {
        for (b, talker) in g.listed() {
            t.rows.push(vec![
                g.account_id.clone(),
                g.region.clone(),
                opt(g.vpc_id.as_deref()).to_owned(),
                opt(g.gateway_id.as_deref()).to_owned(),
                opt(g.service.as_deref()).to_owned(),
                talker,
                bytes(b.bytes),
                if b.exact {
                    "exact".to_owned()
                } else {
                    bytes(b.error)
                },
            ]);
        }
    }
    t.write(w)
}

/// The names tables (summaries made with Resolver query logs), or how to get them.
fn write_names(r: &Report, w: &mut impl Write, cur: &str) -> io::Result<()> {
    writeln!(w)?;
    if !r.names_known {
        writeln!(
            w,
            "Names: none in these summaries; summarize with --resolver-logs (Route 53 Resolver \
             query logs) to see which DNS names carry the bytes"
        )?;
        return Ok(());
    }
    for (title, rows) in [
        (
            "Top names by bytes leaving through NAT and internet gateways (names from Resolver query logs)",
            &r.top_public_names,
        ),
        ("Names an endpoint already serves", &r.endpoint_names),
    ] {
        writeln!(w, "{title}")?;
        let mut t = Table::new(&fmt::NAME_COLUMNS);
        for n in rows {
            t.rows.push(name_cells(n, cur));
        }
        t.write(w)?;
        writeln!(w)?;
    }
    Ok(())
}

/// The by-path bytes per value of one tag (`--by-tag`).
fn write_tag(tag: &super::model::TagBytes, w: &mut impl Write, cur: &str) -> io::Result<()> {
    writeln!(
        w,
        "Bytes by path to AWS services, per value of tag {} (column {}; sent via NAT: \
         through a NAT gateway, from the tagged interfaces)",
        tag.key, tag.column
    )?;
    if !tag.found {
        writeln!(
            w,
            "  no row has a value for it: were the summaries made with --tag {} and an \
             inventory that tags their resources?",
            tag.key
        )?;
    }
    let mut cols: Vec<(&'static str, bool)> = vec![
        ("value", false),
        ("account", false),
        ("region", false),
        ("service", false),
        ("service region", false),
    ];
    cols.extend(category_columns());
    cols.push(("NAT cost per month", true));
    let mut t = Table::new(&cols);
    for b in &tag.rows {
        let mut row = vec![
            b.value.clone().unwrap_or_else(|| fmt::UNTAGGED.to_owned()),
            b.account_id.clone(),
            b.region.clone(),
            b.service.clone(),
            opt(b.service_region.as_deref()).to_owned(),
        ];
        row.extend(category_cells(&b.bytes, b.total));
        row.push(money(b.nat_cost_month, cur));
        t.rows.push(row);
    }
    t.write(w)?;
    writeln!(w)
}

/// The cells of a [`fmt::NAME_COLUMNS`] row.
fn name_cells(n: &super::model::NameBytes, cur: &str) -> Vec<String> {
    vec![
        n.account_id.clone(),
        n.region.clone(),
        n.name.clone(),
        n.service.clone(),
        bytes(n.bytes.sent_via_nat_gateway),
        bytes(n.bytes.internet_gateway),
        bytes(n.bytes.public_unresolved),
        bytes(n.bytes.endpoint),
        money(n.nat_cost_month, cur),
    ]
}

/// The endpoint column of a charge-back row: `-` where the service is not known.
pub(crate) fn charge_back_endpoint(c: &super::model::ChargeBack) -> &'static str {
    if c.service == super::model::UNKNOWN_SERVICE {
        "-"
    } else {
        endpoint_name(c.endpoint)
    }
}

/// The by-path tables' category columns (both tables: per VPC, per interface), after
/// their key columns.
fn category_columns() -> impl Iterator<Item = (&'static str, bool)> {
    CATEGORY_NAMES
        .iter()
        .map(|(_, heading)| (*heading, true))
        .chain([("total", true), ("sent via NAT", true)])
}

/// The cells of [`category_columns`].
fn category_cells(c: &Categories, total: i64) -> impl Iterator<Item = String> {
    c.values()
        .into_iter()
        .chain([total, c.sent_via_nat_gateway])
        .map(bytes)
}

/// How an endpoint kind reads in a table.
pub(crate) fn endpoint_name(e: Endpoint) -> &'static str {
    match e {
        Endpoint::Gateway => "gateway (no charge)",
        Endpoint::Interface => "interface",
        Endpoint::HubInterface => "interface (hub: a gateway endpoint serves only its VPC)",
        Endpoint::None => "none (other region)",
    }
}
