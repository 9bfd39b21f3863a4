//! The report as one self-contained HTML page: inline CSS, the tables, and two inline
//! SVG charts drawn here (bytes by path per service and day; savings by VPC). No
//! scripts, fonts, images or any other external reference; every text from the data
//! is escaped. Each bar carries a `<title>` (tooltip and accessible name), and each
//! chart a `role="img"` with a title of its own.

use super::fmt::{self, bytes, money, opt};
use super::model::{CATEGORY_NAMES, Categories, DayBytes, Report};
use super::text::endpoint_name;

/// Appends formatted text to a `String`.
macro_rules! put {
    ($h:expr, $($arg:tt)*) => {
        $h.push_str(&format!($($arg)*))
    };
}

/// Charts show at most this many services (the largest); the tables show all.
const MAX_SERVICE_PANELS: usize = 12;

/// Fill colours of the categories, in [`CATEGORY_NAMES`] order (colour-blind safe).
const COLOURS: [&str; 5] = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#999999"];

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; }
p.meta { color: #555; max-width: 60rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; white-space: nowrap; }
th { background: #f4f4f4; white-space: normal; vertical-align: bottom; }
.scroll { overflow-x: auto; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: bold; border-top: 2px solid #999; }
.negative { color: #b2182b; }
.legend span { display: inline-block; margin-right: 1rem; font-size: 0.85rem; }
.legend i { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem; vertical-align: middle; }
.panels { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; }
svg text { font-size: 11px; fill: #333; }
svg .panel-title { font-size: 13px; font-weight: bold; }
svg .grid { stroke: #e5e5e5; } svg .axis { stroke: #888; }
.headline { font-size: 1.05rem; }
";

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A numeric cell showing bytes, with the exact count as its title.
fn bytes_cell(n: i64) -> String {
    format!("<td class=\"num\" title=\"{n} bytes\">{}</td>", bytes(n))
}

/// A numeric cell showing money; negative amounts are marked.
fn money_cell(m: super::model::Money, cur: &str) -> String {
    let class = if m.cents() < 0.0 {
        "num negative"
    } else {
        "num"
    };
    format!("<td class=\"{class}\">{}</td>", esc(&money(m, cur)))
}

fn text_cell(s: &str) -> String {
    format!("<td>{}</td>", esc(s))
}

/// `<thead>` of headings; `numeric` columns are right-aligned.
fn head(columns: &[(&str, bool)]) -> String {
    let mut s = String::from("<thead><tr>");
    for (h, numeric) in columns {
        let class = if *numeric { " class=\"num\"" } else { "" };
        put!(s, "<th scope=\"col\"{class}>{}</th>", esc(h));
    }
    s.push_str("</tr></thead>");
    s
}

/// The whole page.
pub(crate) fn render(r: &Report) -> String {
    let cur = r.prices.currency.as_str();
    let mut h = String::with_capacity(64 * 1024);
    put!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>flowpath report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&r.output_dir)
    );
    put!(h, "<h1>flowpath report: {}</h1>\n", esc(&r.output_dir));
    let span = match (r.days.first(), r.days.last()) {
        (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
        (Some(a), _) => a.clone(),
        _ => "no dated partitions".to_owned(),
    };
    put!(
        h,
        "<p class=\"meta\" id=\"meta\">{} summary files, {} rows, {} days ({}). Monthly \
         figures scale {} day(s) to {} days. Prices as of <b id=\"prices-taken\">{}</b> \
         ({}, {}): {}. Interface endpoints are priced in {} Availability Zones. Bytes are \
         in binary units (1 GiB = 2<sup>30</sup> bytes, the GB AWS bills).</p>\n",
        r.files,
        r.rows,
        r.days.len(),
        esc(&span),
        r.period_days,
        r.month_days,
        esc(&r.prices.taken),
        esc(r.prices.file.as_deref().unwrap_or("embedded table")),
        esc(cur),
        esc(&r.prices.source),
        r.interface_endpoint_azs,
    );
    let st = r.savings_total;
    put!(
        h,
        "<p class=\"headline\" id=\"headline\">NAT gateway data processing of traffic to AWS \
         services: <b>{}</b> per month. {}</p>\n",
        esc(&money(st.nat_cost_month, cur)),
        esc(&fmt::endpoints_verdict(&st, cur)),
    );

    by_path_table(&mut h, r);
    h.push_str("<section id=\"chart-by-path\">\n<h2>Bytes by path per service, per day</h2>\n");
    legend(&mut h);
    by_day_chart(&mut h, r);
    h.push_str("</section>\n");
    top_nat_table(&mut h, r, cur);
    talkers_table(&mut h, r);
    if r.names_known {
        names_table(
            &mut h,
            "top-names",
            "Top names by bytes leaving through NAT and internet gateways",
            &r.top_public_names,
            cur,
        );
        names_table(
            &mut h,
            "endpoint-names",
            "Names an endpoint already serves",
            &r.endpoint_names,
            cur,
        );
    }
    for tag in &r.by_tag {
        tag_table(&mut h, tag, cur);
    }
    savings_table(&mut h, r, cur);
    h.push_str("<section id=\"chart-savings\">\n<h2>Savings by VPC, per month</h2>\n");
    savings_chart(&mut h, r, cur);
    h.push_str("</section>\n");
    if r.transit_files > 0 || !r.charge_back.is_empty() {
        charge_back_table(&mut h, r, cur);
    }
    notes(&mut h, r);
    h.push_str("</body>\n</html>\n");
    h
}

fn by_path_table(h: &mut String, r: &Report) {
    h.push_str(
        "<section id=\"by-path\">\n<h2>Bytes by path to AWS services</h2>\n\
         <p class=\"meta\">NAT gateway: bytes logged on the NAT gateway's interface. Sent via \
         NAT: the same bytes seen from the senders' interfaces, shown for reference and not \
         added to the total.</p>\n<div class=\"scroll\"><table id=\"by-path-table\">",
    );
    let mut cols: Vec<(&str, bool)> = vec![
        ("account", false),
        ("region", false),
        ("VPC", false),
        ("service", false),
        ("service region", false),
    ];
    cols.extend(CATEGORY_NAMES.iter().map(|(_, name)| (*name, true)));
    cols.extend([("total", true), ("sent via NAT (not added)", true)]);
    h.push_str(&head(&cols));
    h.push_str("<tbody>\n");
    if r.by_path.is_empty() {
        h.push_str("<tr><td colspan=\"12\">No traffic to AWS services.</td></tr>\n");
    }
    for b in &r.by_path {
        let key = format!(
            "{}/{}/{}/{}/{}",
            b.account_id,
            b.region,
            opt(b.vpc_id.as_deref()),
            b.service,
            opt(b.service_region.as_deref())
        );
        put!(h, "<tr data-key=\"{}\">", esc(&key));
        for v in [
            b.account_id.as_str(),
            b.region.as_str(),
            opt(b.vpc_id.as_deref()),
            b.service.as_str(),
            opt(b.service_region.as_deref()),
        ] {
            h.push_str(&text_cell(v));
        }
        category_cells(h, &b.bytes, b.total);
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody><tfoot><tr data-key=\"total\"><td colspan=\"5\">total</td>");
    category_cells(h, &r.totals, r.total);
    h.push_str("</tr></tfoot></table></div>\n</section>\n");
}

fn category_cells(h: &mut String, c: &Categories, total: i64) {
    for v in c.values() {
        h.push_str(&bytes_cell(v));
    }
    h.push_str(&bytes_cell(total));
    h.push_str(&bytes_cell(c.sent_via_nat_gateway));
}

fn legend(h: &mut String) {
    h.push_str("<p class=\"legend\">");
    for ((_, name), colour) in CATEGORY_NAMES.iter().zip(COLOURS) {
        put!(
            h,
            "<span><i style=\"background:{colour}\"></i>{}</span>",
            esc(name)
        );
    }
    h.push_str("</p>\n");
}

/// One small stacked-bar chart per service (largest first): a bar per day, a segment
/// per path category.
fn by_day_chart(h: &mut String, r: &Report) {
    let mut services: Vec<(String, i64)> = Vec::new();
    for d in &r.by_day {
        match services.iter_mut().find(|(s, _)| *s == d.service) {
            Some((_, t)) => *t += d.bytes.total(),
            None => services.push((d.service.clone(), d.bytes.total())),
        }
    }
    services.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if services.is_empty() {
        h.push_str("<p>No dated traffic to AWS services.</p>\n");
        return;
    }
    h.push_str("<div class=\"panels\">\n");
    for (service, _) in services.iter().take(MAX_SERVICE_PANELS) {
        let days: Vec<(&str, Option<&DayBytes>)> = r
            .days
            .iter()
            .map(|day| {
                let d = r
                    .by_day
                    .iter()
                    .find(|d| d.day == *day && d.service == *service);
                (day.as_str(), d)
            })
            .collect();
        service_panel(h, service, &days);
    }
    h.push_str("</div>\n");
    if services.len() > MAX_SERVICE_PANELS {
        put!(
            h,
            "<p>{} smaller services are in the table and the JSON report only.</p>\n",
            services.len() - MAX_SERVICE_PANELS
        );
    }
}

/// The least width or height a non-zero bar or segment is drawn with, in pixels.
const MIN_MARK: f64 = 2.0;

/// The width a label's character takes at the page's chart font (11 px sans-serif),
/// generously: a label is given room for its length.
const LABEL_CHAR: f64 = 7.5;

fn service_panel(h: &mut String, service: &str, days: &[(&str, Option<&DayBytes>)]) {
    const W: f64 = 420.0;
    const HT: f64 = 230.0;
    const LEFT: f64 = 72.0;
    const RIGHT: f64 = 10.0;
    const TOP: f64 = 30.0;
    const BOTTOM: f64 = 40.0;
    let (pw, ph) = (W - LEFT - RIGHT, HT - TOP - BOTTOM);
    let max = days
        .iter()
        .filter_map(|(_, d)| d.map(|d| d.bytes.total()))
        .max()
        .unwrap_or(0)
        .max(1);
    let id = format!("panel-{}", slug(service));
    put!(
        h,
        "<figure class=\"panel\" data-service=\"{s}\"><svg \
         width=\"{W}\" height=\"{HT}\" viewBox=\"0 0 {W} {HT}\" role=\"img\" \
         aria-labelledby=\"{id}\"><title id=\"{id}\">{s}: bytes by path per day</title>\
         <text class=\"panel-title\" x=\"{LEFT}\" y=\"18\">{s}</text>",
        s = esc(service),
    );
    // Grid lines and their labels: 0, half, max.
    for (frac, value) in [(0.0, 0), (0.5, max / 2), (1.0, max)] {
        let y = TOP + ph * (1.0 - frac);
        put!(
            h,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{label}</text>",
            x2 = LEFT + pw,
            tx = LEFT - 4.0,
            ty = y + 4.0,
            label = esc(&bytes(value)),
        );
    }
    let n = days.len().max(1) as f64;
    let slot = pw / n;
    let bar = (slot * 0.7).max(1.0);
    let label_every = days.len().div_ceil(8).max(1);
    for (i, (day, d)) in days.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let c = d.map(|d| d.bytes).unwrap_or_default();
        put!(
            h,
            "<g class=\"bar\" data-day=\"{day}\" data-total=\"{t}\"><title>{s}, {day}: {tb} in \
             total</title>",
            day = esc(day),
            t = c.total(),
            s = esc(service),
            tb = esc(&bytes(c.total())),
        );
        let mut y = TOP + ph;
        for (((cat, name), colour), v) in CATEGORY_NAMES.iter().zip(COLOURS).zip(c.values()) {
            if v <= 0 {
                continue;
            }
            // A segment too thin to see still shows: at least MIN_MARK high.
            let height = (ph * v as f64 / max as f64).max(MIN_MARK);
            y -= height;
            put!(
                h,
                "<rect class=\"seg {cat}\" data-category=\"{cat}\" data-bytes=\"{v}\" \
                 x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{height:.1}\" \
                 fill=\"{colour}\"><title>{s}, {day}, {name}: {vb} ({v} bytes)</title></rect>",
                s = esc(service),
                day = esc(day),
                vb = esc(&bytes(v)),
            );
        }
        h.push_str("</g>");
        if i % label_every == 0 {
            let short = day.get(5..).unwrap_or(day);
            put!(
                h,
                "<text class=\"day-label\" x=\"{cx:.1}\" y=\"{ly:.1}\" \
                 text-anchor=\"middle\">{}</text>",
                esc(short),
                cx = x + bar / 2.0,
                ly = TOP + ph + 16.0,
            );
        }
    }
    put!(
        h,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{y}\" y2=\"{y}\"/></svg></figure>\n",
        x2 = LEFT + pw,
        y = TOP + ph,
    );
}

/// An id-safe form of a name.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn top_nat_table(h: &mut String, r: &Report, cur: &str) {
    h.push_str(
        "<section id=\"top-nat\">\n<h2>Top NAT gateway &#8594; AWS service flows</h2>\n\
         <table id=\"top-nat-table\">",
    );
    h.push_str(&head(&fmt::TOP_NAT_COLUMNS));
    h.push_str("<tbody>\n");
    if r.top_nat_flows.is_empty() {
        h.push_str("<tr><td colspan=\"9\">No NAT gateway traffic to AWS services.</td></tr>\n");
    }
    for f in &r.top_nat_flows {
        put!(
            h,
            "<tr data-gateway=\"{}\" data-service=\"{}\">",
            esc(opt(f.gateway_id.as_deref())),
            esc(&f.service)
        );
        for v in [
            f.account_id.as_str(),
            f.region.as_str(),
            opt(f.vpc_id.as_deref()),
            opt(f.gateway_id.as_deref()),
            f.service.as_str(),
            opt(f.service_region.as_deref()),
        ] {
            h.push_str(&text_cell(v));
        }
        h.push_str(&bytes_cell(f.bytes));
        h.push_str(&bytes_cell(f.monthly_bytes));
        h.push_str(&money_cell(f.nat_cost_month, cur));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n</section>\n");
}

/// The top talkers behind each NAT and internet gateway.
fn talkers_table(h: &mut String, r: &Report) {
    if r.top_talkers.is_empty() {
        return;
    }
    h.push_str(
        "<section id=\"top-talkers\">\n<h2>Top talkers behind NAT and internet gateways</h2>\n\
         <p class=\"meta\">Remote addresses and ports by bytes, every hour merged. A \
         byte count is exact, or an upper bound with its error (the truth is at least \
         the count minus the error).</p>\n<table id=\"top-talkers-table\">",
    );
    h.push_str(&head(&fmt::TALKER_COLUMNS));
    h.push_str("<tbody>\n");
    for g in &r.top_talkers {
        for (b, talker) in g.listed() {
            h.push_str("<tr>");
            for v in [&g.account_id, &g.region] {
                h.push_str(&text_cell(v));
            }
            for v in [&g.vpc_id, &g.gateway_id, &g.service] {
                h.push_str(&text_cell(opt(v.as_deref())));
            }
            h.push_str(&text_cell(&talker));
            h.push_str(&bytes_cell(b.bytes));
            if b.exact {
                h.push_str("<td class=\"num\">exact</td>");
            } else {
                h.push_str(&bytes_cell(b.error));
            }
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</tbody></table>\n</section>\n");
}

/// The by-path bytes per value of one tag (`--by-tag`).
fn tag_table(h: &mut String, tag: &super::model::TagBytes, cur: &str) {
    let id = format!("by-{}", tag.column.replace('_', "-"));
    put!(
        h,
        "<section id=\"{id}\">\n<h2>Bytes by path to AWS services, per value of tag {}</h2>\n\
         <p class=\"meta\">Column <code>{}</code>: the value on the row's instance, else its \
         ENI, subnet or VPC. Sent via NAT: through a NAT gateway, from the tagged \
         interfaces.</p>\n<table id=\"{id}-table\">",
        esc(&tag.key),
        esc(&tag.column)
    );
    let mut columns: Vec<(&str, bool)> = vec![
        ("value", false),
        ("account", false),
        ("region", false),
        ("service", false),
        ("service region", false),
    ];
    columns.extend(CATEGORY_NAMES.iter().map(|(_, heading)| (*heading, true)));
    columns.extend([
        ("total", true),
        ("sent via NAT", true),
        ("NAT cost per month", true),
    ]);
    h.push_str(&head(&columns));
    h.push_str("<tbody>\n");
    if rows_or_none(h, tag.rows.is_empty(), columns.len()) {
        for b in &tag.rows {
            h.push_str("<tr>");
            h.push_str(&text_cell(b.value.as_deref().unwrap_or(fmt::UNTAGGED)));
            for v in [&b.account_id, &b.region, &b.service] {
                h.push_str(&text_cell(v));
            }
            h.push_str(&text_cell(opt(b.service_region.as_deref())));
            for n in b.bytes.values() {
                h.push_str(&bytes_cell(n));
            }
            h.push_str(&bytes_cell(b.total));
            h.push_str(&bytes_cell(b.bytes.sent_via_nat_gateway));
            h.push_str(&money_cell(b.nat_cost_month, cur));
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</tbody></table>\n</section>\n");
}

/// Writes a "None." row when `empty`; whether there are rows to write.
fn rows_or_none(h: &mut String, empty: bool, columns: usize) -> bool {
    if empty {
        put!(h, "<tr><td colspan=\"{columns}\">None.</td></tr>\n");
    }
    !empty
}

/// A names table (summaries made with Resolver query logs): each name's bytes from its
/// clients' rows.
fn names_table(h: &mut String, id: &str, title: &str, rows: &[super::model::NameBytes], cur: &str) {
    put!(
        h,
        "<section id=\"{id}\">\n<h2>{}</h2>\n<p class=\"meta\">Names are those the clients \
         resolved (Route 53 Resolver query logs) to each remote address shortly before the \
         flow; bytes are the clients' own rows.</p>\n<table id=\"{id}-table\">",
        esc(title)
    );
    h.push_str(&head(&fmt::NAME_COLUMNS));
    h.push_str("<tbody>\n");
    if rows.is_empty() {
        put!(
            h,
            "<tr><td colspan=\"{}\">None.</td></tr>\n",
            fmt::NAME_COLUMNS.len()
        );
    }
    for n in rows {
        h.push_str("<tr>");
        for v in [&n.account_id, &n.region, &n.name, &n.service] {
            h.push_str(&text_cell(v));
        }
        for b in [
            n.bytes.sent_via_nat_gateway,
            n.bytes.internet_gateway,
            n.bytes.public_unresolved,
            n.bytes.endpoint,
        ] {
            h.push_str(&bytes_cell(b));
        }
        h.push_str(&money_cell(n.nat_cost_month, cur));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn charge_back_table(h: &mut String, r: &Report, cur: &str) {
    h.push_str(
        "<section id=\"charge-back\">\n<h2>Centralised egress charge-back, per month</h2>\n\
         <p class=\"meta\">From the transit gateway flow logs: each spoke VPC's bytes to and \
         from public addresses through the hub (egress) VPC, counted once where they entered \
         the transit gateway, priced as the hub's NAT gateway and the transit gateway's data \
         processing. A hub endpoint is a shared interface endpoint: its hours are paid once \
         and are not in the rows.</p>\n<div class=\"scroll\"><table id=\"charge-back-table\">",
    );
    h.push_str(&head(&fmt::CHARGE_BACK_COLUMNS));
    h.push_str("<tbody>\n");
    if r.charge_back.is_empty() {
        h.push_str("<tr><td colspan=\"12\">No traffic through a central egress VPC.</td></tr>\n");
    }
    for c in &r.charge_back {
        put!(
            h,
            "<tr data-spoke=\"{}\" data-service=\"{}\">",
            esc(opt(c.spoke_vpc_id.as_deref())),
            esc(&c.service)
        );
        for v in [
            opt(c.spoke_account_id.as_deref()),
            opt(c.spoke_vpc_id.as_deref()),
            opt(c.hub_vpc_id.as_deref()),
            c.region.as_str(),
            c.service.as_str(),
        ] {
            h.push_str(&text_cell(v));
        }
        h.push_str(&bytes_cell(c.monthly_bytes));
        h.push_str(&money_cell(c.nat_cost_month, cur));
        h.push_str(&money_cell(c.transit_gateway_cost_month, cur));
        h.push_str(&text_cell(super::text::charge_back_endpoint(c)));
        for m in [c.spoke_endpoint_saving_month, c.hub_endpoint_saving_month] {
            match m {
                Some(m) => h.push_str(&money_cell(m, cur)),
                None => h.push_str(&text_cell("-")),
            }
        }
        h.push_str(&text_cell(c.matched_by));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn savings_table(h: &mut String, r: &Report, cur: &str) {
    put!(
        h,
        "<section id=\"savings\">\n<h2>NAT data processing an endpoint would replace, per \
         month</h2>\n<p class=\"meta\">S3 and DynamoDB in the NAT gateway's region: a gateway \
         endpoint, no charge, except from a hub VPC (its NAT gateway carries other VPCs' \
         traffic, which a gateway endpoint does not serve): an interface endpoint there. Other \
         services in that region: an interface endpoint in {} AZs, hourly plus per GB; its saving is negative when it costs more than the NAT data \
         processing it replaces. Other regions: no endpoint saving.</p>\n\
         <table id=\"savings-table\">",
        r.interface_endpoint_azs
    );
    h.push_str(&head(&fmt::SAVINGS_COLUMNS));
    h.push_str("<tbody>\n");
    if r.savings.is_empty() {
        h.push_str("<tr><td colspan=\"10\">No NAT gateway traffic to AWS services.</td></tr>\n");
    }
    for s in &r.savings {
        put!(
            h,
            "<tr data-vpc=\"{}\" data-service=\"{}\">",
            esc(opt(s.vpc_id.as_deref())),
            esc(&s.service)
        );
        for v in [
            s.account_id.as_str(),
            s.region.as_str(),
            opt(s.vpc_id.as_deref()),
            s.service.as_str(),
            opt(s.service_region.as_deref()),
            endpoint_name(s.endpoint),
        ] {
            h.push_str(&text_cell(v));
        }
        h.push_str(&bytes_cell(s.monthly_bytes));
        h.push_str(&money_cell(s.nat_cost_month, cur));
        match s.endpoint_cost_month {
            Some(c) => h.push_str(&money_cell(c, cur)),
            None => h.push_str("<td class=\"num\">-</td>"),
        }
        h.push_str(&money_cell(s.saving_month, cur));
        h.push_str("</tr>\n");
    }
    let st = r.savings_total;
    h.push_str("</tbody><tfoot><tr data-vpc=\"total\"><td colspan=\"7\">total</td>");
    h.push_str(&money_cell(st.nat_cost_month, cur));
    h.push_str(&money_cell(st.endpoint_cost_month, cur));
    h.push_str(&money_cell(st.saving_month, cur));
    h.push_str("</tr></tfoot></table>\n</section>\n");
}

/// A horizontal bar per VPC: its monthly saving, negative to the left of zero.
fn savings_chart(h: &mut String, r: &Report, cur: &str) {
    const AREA: f64 = 520.0;
    const VALUE: f64 = 110.0;
    const ROW: f64 = 28.0;
    const TOP: f64 = 10.0;
    if r.savings_by_vpc.is_empty() {
        h.push_str("<p>No NAT gateway traffic to AWS services.</p>\n");
        return;
    }
    let values: Vec<f64> = r
        .savings_by_vpc
        .iter()
        .map(|v| v.saving_month.cents())
        .collect();
    let name_of = |v: &super::model::VpcSaving| {
        format!(
            "{} ({}, {})",
            opt(v.vpc_id.as_deref()),
            v.region,
            v.account_id
        )
    };
    // Room for the longest label, so that none is cut at the left.
    let longest = r
        .savings_by_vpc
        .iter()
        .map(|v| name_of(v).chars().count())
        .max()
        .unwrap_or(0);
    let label = (longest as f64 * LABEL_CHAR + 16.0).max(160.0);
    let lo = values.iter().copied().fold(0.0_f64, f64::min);
    let hi = values.iter().copied().fold(0.0_f64, f64::max);
    let range = if hi - lo > 0.0 { hi - lo } else { 1.0 };
    let x0 = label + AREA * (-lo) / range;
    let height = TOP * 2.0 + ROW * values.len() as f64 + 20.0;
    let width = label + AREA + VALUE;
    put!(
        h,
        "<svg id=\"savings-chart\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-labelledby=\"savings-chart-title\"><title id=\"savings-chart-title\">Monthly \
         saving by VPC</title>"
    );
    for (i, (v, value)) in r.savings_by_vpc.iter().zip(&values).enumerate() {
        let y = TOP + ROW * i as f64;
        let name = name_of(v);
        // A saving or loss too small to see still shows: at least MIN_MARK wide.
        let w = if *value == 0.0 {
            0.0
        } else {
            (AREA * value.abs() / range).max(MIN_MARK)
        };
        let (x, class, colour) = if *value < 0.0 {
            (x0 - w, "bar loss", "#b2182b")
        } else {
            (x0, "bar saving", "#1b9e77")
        };
        let amount = money(v.saving_month, cur);
        put!(
            h,
            "<text class=\"vpc-label\" x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{n}</text>\
             <rect class=\"{class}\" data-vpc=\"{vpc}\" data-saving=\"{value:.2}\" x=\"{x:.1}\" \
             y=\"{y:.1}\" width=\"{w:.1}\" height=\"{bh}\" fill=\"{colour}\"><title>{n}: saving \
             {a} per month (NAT data processing {nat}, endpoints {ep}; gateway endpoints {g}, \
             interface endpoints {itf})</title></rect>\
             <text class=\"value\" x=\"{vx:.1}\" y=\"{ty:.1}\">{a}</text>",
            lx = label - 8.0,
            ty = y + ROW / 2.0 + 4.0,
            n = esc(&name),
            vpc = esc(opt(v.vpc_id.as_deref())),
            bh = ROW - 8.0,
            a = esc(&amount),
            nat = esc(&money(v.nat_cost_month, cur)),
            ep = esc(&money(v.endpoint_cost_month, cur)),
            g = esc(&money(v.gateway_saving_month, cur)),
            itf = esc(&money(v.interface_saving_month, cur)),
            vx = label + AREA + 6.0,
        );
    }
    put!(
        h,
        "<line class=\"axis\" x1=\"{x0:.1}\" x2=\"{x0:.1}\" y1=\"{TOP}\" y2=\"{y2:.1}\"/>\
         <text x=\"{x0:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">0</text></svg>\n",
        y2 = height - 20.0,
        ly = height - 6.0,
    );
}

fn notes(h: &mut String, r: &Report) {
    h.push_str(
        "<section id=\"notes\">\n<h2>How this is counted</h2>\n<ul>\n\
         <li>NAT gateway bytes are the rows logged on the NAT gateway's own interface \
         (path nat_gateway). Rows with path via_nat_gateway are the same bytes seen from the \
         sender and are never added.</li>\n\
         <li>Endpoint bytes are gateway_endpoint and interface_endpoint rows of the clients' \
         interfaces; rows logged on the endpoint's own interface repeat them and count \
         nowhere.</li>\n\
         <li>Public, unresolved: paths public and internet_gateway_or_gateway_endpoint (the \
         flow log alone cannot tell). Other: every other path (intra-VPC, peering, transit \
         gateway, virtual private gateway, unknown).</li>\n\
         <li>Monthly figures scale the bytes of the days present to 30 days; costs are list \
         prices of the price table, to be checked against the AWS pricing pages.</li>\n",
    );
    for n in &r.prices.notes {
        put!(h, "<li>Prices: {}</li>\n", esc(n));
    }
    h.push_str("</ul>\n<p>See docs/report.md in the flowpath sources.</p>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Options, Tally, build};
    use crate::report::prices::PriceTable;
    use flowpath_core::output::Row;

    #[test]
    fn text_from_the_data_is_escaped_everywhere() {
        let row = Row {
            account_id: String::new(),
            region: String::new(),
            day: String::new(),
            window_start: Some(1_787_356_800),
            vpc_id: Some("vpc-<img src=x>".into()),
            subnet_id: None,
            interface_id: None,
            interface_kind: Some("nat_gateway".into()),
            direction: "egress".into(),
            path: "nat_gateway".into(),
            attribution: "inventory".into(),
            gateway_id: Some("nat-\"&".into()),
            remote_service: Some("S3'><script>x</script>".into()),
            remote_region: Some("us-east-1".into()),
            action: None,
            protocol: None,
            flows: 1,
            packets: Some(1),
            bytes: Some(1 << 30),
            ..Row::default()
        };
        let mut t = Tally::default();
        t.add("<acct>", "us-east-1", "2026-08-22", &row);
        let prices = PriceTable::embedded().unwrap();
        let r = build(
            t,
            &Options {
                prices: &prices,
                prices_file: Some("<p>.json".into()),
                azs: 2,
                top: 10,
                output_dir: "<out>".into(),
                from: None,
                to: None,
                by_interface: false,
                by_tags: Vec::new(),
            },
        )
        .unwrap();
        let page = render(&r);
        for raw in ["<img", "<script", "<acct>", "<out>", "<p>.json", "nat-\"&"] {
            assert!(!page.contains(raw), "{raw} unescaped");
        }
        assert!(page.contains("vpc-&lt;img src=x&gt;"));
        assert!(page.contains("S3&#39;&gt;&lt;script&gt;x&lt;/script&gt;"));
        assert!(page.contains("nat-&quot;&amp;"));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(slug("ECR.API"), "ecr-api");
    }
}
