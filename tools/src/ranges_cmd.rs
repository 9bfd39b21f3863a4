//! `flowpath lookup` and `flowpath ranges list|diff|update`: the everyday questions
//! about AWS's published ranges.

use std::io::{self, Write};
use std::net::IpAddr;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use flowpath_core::ranges::{self, Entry, Ranges};
use serde::Serialize;

use crate::cli::{DiffArgs, ListArgs, LookupArgs, RangesCommand, UpdateArgs};
use crate::fsutil::{load_ranges, read_ranges, write_atomic};

pub(crate) fn run(cmd: RangesCommand) -> Result<ExitCode> {
    match cmd {
        RangesCommand::List(args) => list(&args),
        RangesCommand::Diff(args) => diff(&args),
        RangesCommand::Update(args) => update(&args),
    }
}

/// An entry as JSON, with AWS's own key names.
#[derive(Serialize)]
struct EntryJson {
    prefix: String,
    service: String,
    region: String,
    network_border_group: String,
}

impl From<&Entry> for EntryJson {
    fn from(e: &Entry) -> Self {
        EntryJson {
            prefix: e.prefix.to_string(),
            service: e.service.clone(),
            region: e.region.clone(),
            network_border_group: e.border_group.clone(),
        }
    }
}

fn json_entries<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Vec<EntryJson> {
    entries.into_iter().map(EntryJson::from).collect()
}

#[derive(Serialize)]
struct LookupResult {
    address: IpAddr,
    service: String,
    services: Vec<String>,
    region: Option<String>,
    network_border_group: Option<String>,
    matched_prefix: Option<String>,
    covering: Vec<EntryJson>,
}

pub(crate) fn lookup(args: &LookupArgs) -> Result<ExitCode> {
    let (ranges, _) = load_ranges(args.ranges.ranges.as_deref())?;
    let mut results = Vec::with_capacity(args.addresses.len());
    for &address in &args.addresses {
        let label = ranges.label(ranges.lookup(address));
        results.push(LookupResult {
            address,
            service: label.service.clone(),
            services: label.services.clone(),
            region: label.region.clone(),
            network_border_group: label.border_group.clone(),
            matched_prefix: ranges.matched_prefix(address).map(|p| p.to_string()),
            covering: json_entries(ranges.covering(address)),
        });
    }
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &results)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "# AWS ranges createDate {} (syncToken {})",
        ranges.create_date(),
        ranges.sync_token()
    )?;
    for r in &results {
        writeln!(out, "{}", r.address)?;
        let listed = if r.services.len() > 1 {
            format!(" (listed: {})", r.services.join(", "))
        } else {
            String::new()
        };
        writeln!(out, "  service:       {}{listed}", r.service)?;
        writeln!(
            out,
            "  region:        {}",
            r.region.as_deref().unwrap_or("-")
        )?;
        writeln!(
            out,
            "  border group:  {}",
            r.network_border_group.as_deref().unwrap_or("-")
        )?;
        writeln!(
            out,
            "  prefix:        {}",
            r.matched_prefix
                .as_deref()
                .unwrap_or("- (not in AWS's ranges)")
        )?;
        for e in &r.covering {
            writeln!(
                out,
                "  covered by:    {} {} {} {}",
                e.prefix, e.service, e.region, e.network_border_group
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list(args: &ListArgs) -> Result<ExitCode> {
    let (ranges, _) = load_ranges(args.ranges.ranges.as_deref())?;
    let entries = matching(&ranges, args);
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &json_entries(entries.iter().copied()))?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut prefixes: Vec<_> = entries.iter().map(|e| e.prefix).collect();
    prefixes.sort();
    prefixes.dedup();
    if prefixes.is_empty() {
        bail!(
            "no {} prefixes match (service {}, region {})",
            if args.ipv6 { "IPv6" } else { "IPv4" },
            args.service.as_deref().unwrap_or("any"),
            args.region.as_deref().unwrap_or("any")
        );
    }
    if args.bpf {
        let terms: Vec<String> = prefixes.iter().map(|p| format!("dst net {p}")).collect();
        writeln!(out, "{}", terms.join(" or "))?;
    } else {
        for p in prefixes {
            writeln!(out, "{p}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn matching<'a>(ranges: &'a Ranges, args: &ListArgs) -> Vec<&'a Entry> {
    ranges
        .entries()
        .iter()
        .filter(|e| e.prefix.addr().is_ipv6() == args.ipv6)
        .filter(|e| {
            args.service
                .as_ref()
                .is_none_or(|s| e.service.eq_ignore_ascii_case(s))
        })
        .filter(|e| {
            args.region
                .as_ref()
                .is_none_or(|r| e.region.eq_ignore_ascii_case(r))
        })
        .collect()
}

#[derive(Serialize)]
struct DiffReport<'a> {
    old: Snapshot<'a>,
    new: Snapshot<'a>,
    added: Vec<EntryJson>,
    removed: Vec<EntryJson>,
    changed: Vec<ChangeReport>,
}

#[derive(Serialize)]
struct Snapshot<'a> {
    create_date: &'a str,
    sync_token: &'a str,
}

#[derive(Serialize)]
struct ChangeReport {
    prefix: String,
    old: Vec<EntryJson>,
    new: Vec<EntryJson>,
}

fn diff(args: &DiffArgs) -> Result<ExitCode> {
    let old = read_ranges(&args.old)?;
    let new = read_ranges(&args.new)?;
    let d = ranges::diff(&old, &new);
    let mut out = io::stdout().lock();
    if args.json {
        let report = DiffReport {
            old: Snapshot {
                create_date: old.create_date(),
                sync_token: old.sync_token(),
            },
            new: Snapshot {
                create_date: new.create_date(),
                sync_token: new.sync_token(),
            },
            added: json_entries(&d.added),
            removed: json_entries(&d.removed),
            changed: d
                .changed
                .iter()
                .map(|c| ChangeReport {
                    prefix: c.prefix.to_string(),
                    old: json_entries(&c.old),
                    new: json_entries(&c.new),
                })
                .collect(),
        };
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "--- {} (createDate {})",
        args.old.display(),
        old.create_date()
    )?;
    writeln!(
        out,
        "+++ {} (createDate {})",
        args.new.display(),
        new.create_date()
    )?;
    let show = |e: &Entry| format!("{} {} {} {}", e.prefix, e.service, e.region, e.border_group);
    for e in &d.added {
        writeln!(out, "+ {}", show(e))?;
    }
    for e in &d.removed {
        writeln!(out, "- {}", show(e))?;
    }
    for c in &d.changed {
        let side = |es: &[Entry]| {
            es.iter()
                .map(|e| format!("{} {} {}", e.service, e.region, e.border_group))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "~ {}: {} -> {}", c.prefix, side(&c.old), side(&c.new))?;
    }
    let added = d.added_prefixes().len();
    writeln!(
        out,
        "{added} {} added, {} removed, {} changed",
        if added == 1 { "prefix" } else { "prefixes" },
        d.removed_prefixes().len(),
        d.changed.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn update(args: &UpdateArgs) -> Result<ExitCode> {
    let mut response = ureq::get(&args.url)
        .call()
        .with_context(|| format!("cannot download {}", args.url))?;
    let body = response
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_vec()
        .with_context(|| format!("cannot read the response from {}", args.url))?;
    let ranges = Ranges::from_json(&body)
        .with_context(|| format!("{} did not return a valid ip-ranges.json", args.url))?;
    write_atomic(&args.out, |w| Ok(w.write_all(&body)?))?;
    let v4 = ranges
        .entries()
        .iter()
        .filter(|e| e.prefix.addr().is_ipv4())
        .count();
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "saved {} (createDate {}, syncToken {}, {} IPv4 and {} IPv6 entries)",
        args.out.display(),
        ranges.create_date(),
        ranges.sync_token(),
        v4,
        ranges.entries().len() - v4
    )?;
    Ok(ExitCode::SUCCESS)
}
