//! `flowpath explain HOST_OR_IP`: where the addresses of a name go, the quick check of
//! whether private DNS for an interface endpoint is in effect where this runs.
//!
//! A host name is resolved with the system resolver (`getaddrinfo`, as `nslookup` or
//! `curl` would); an address is taken as it is. Each address is then one of:
//! - **interface endpoint**: an address of an interface endpoint's ENI in the
//!   `--inventory` (the endpoint, its service, VPC and subnet);
//! - **private**: private or special space, or inside a VPC of the inventory (with the
//!   ENI that owns it, when the inventory has one);
//! - **AWS public range**: in AWS's ranges (service, region, border group, prefix):
//!   traffic to it from a VPC leaves through an internet or NAT gateway, or a gateway
//!   endpoint for S3 and DynamoDB;
//! - **an ENI's public address** (an Elastic IP in the inventory), with its range;
//! - **internet**: in no published range.
//!
//! For a name under `amazonaws.com` whose addresses are all public, the verdict says
//! that private DNS for an interface endpoint is not in effect from here.

use std::io::{self, Write};
use std::net::{IpAddr, ToSocketAddrs};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use flowpath_core::inventory::Inventory;
use flowpath_core::ranges::{self, Ranges};
use serde::Serialize;

use crate::cli::{RangesSource, S3Args};
use crate::fsutil::load_ranges;

/// Arguments of `flowpath explain`.
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// A host name (resolved with the system resolver) or an IPv4/IPv6 address.
    #[arg(value_name = "HOST_OR_IP")]
    pub(crate) target: String,
    #[command(flatten)]
    pub(crate) ranges: RangesSource,
    /// VPC inventory (as for `summarize`), to name the interface endpoint or ENI that
    /// owns a private address.
    #[arg(long, value_name = "FILE|DIR|S3URI")]
    pub(crate) inventory: Vec<String>,
    /// Route 53 Resolver query logs (as for `summarize`): which names the VPCs'
    /// clients resolved to each address, and, for a host name, the addresses they got
    /// for it (instead of this machine's resolver).
    #[arg(long, value_name = "FILE|DIR|S3URI")]
    pub(crate) resolver_logs: Vec<String>,
    #[command(flatten)]
    pub(crate) s3: S3Args,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Serialize)]
struct Explanation {
    target: String,
    /// Whether the target was a name the resolver answered for.
    resolved: bool,
    addresses: Vec<AddressInfo>,
    verdict: String,
}

#[derive(Serialize)]
struct AddressInfo {
    address: IpAddr,
    /// `interface_endpoint`, `private`, `eni_public` (an ENI's Elastic IP), `aws` or
    /// `internet`.
    kind: &'static str,
    service: Option<String>,
    region: Option<String>,
    network_border_group: Option<String>,
    prefix: Option<String>,
    eni: Option<String>,
    interface_kind: Option<String>,
    vpc_id: Option<String>,
    subnet_id: Option<String>,
    endpoint_id: Option<String>,
    endpoint_service_name: Option<String>,
    /// With `--resolver-logs`: the queries that resolved to this address.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved_by: Option<Vec<Resolution>>,
}

/// A query that answered with an address.
#[derive(Serialize)]
struct Resolution {
    name: String,
    vpc_id: String,
    client: IpAddr,
    /// `query_timestamp`, ISO 8601 UTC.
    time: String,
}

/// Runs `flowpath explain`.
pub(crate) fn run(args: &ExplainArgs) -> Result<ExitCode> {
    let (ranges, _) = load_ranges(args.ranges.ranges.as_deref())?;
    let inventory = crate::inventory_source::load(&args.inventory, &args.s3)?
        .map(|l| l.inventory)
        .unwrap_or_default();
    let queries = (!args.resolver_logs.is_empty())
        .then(|| crate::resolver_source::load_queries(&args.resolver_logs, &args.s3))
        .transpose()?;
    let target = args.target.trim();
    let from_logs = queries
        .as_deref()
        .map(|q| flowpath_core::names::addresses_of(q, target))
        .unwrap_or_default();
    let (resolved, addresses) = match target.parse::<IpAddr>() {
        Ok(address) => (false, vec![address]),
        // The addresses the VPCs' clients got, when the query logs have the name.
        Err(_) if !from_logs.is_empty() => (true, from_logs),
        Err(_) => (true, resolve(target)?),
    };
    let infos: Vec<AddressInfo> = addresses
        .iter()
        .map(|&a| {
            let mut info = describe(a, &ranges, &inventory);
            info.resolved_by = queries.as_deref().map(|q| {
                flowpath_core::names::resolved_to(q, a)
                    .into_iter()
                    .map(|q| Resolution {
                        name: q.name.clone(),
                        vpc_id: q.vpc_id.clone(),
                        client: q.client,
                        time: iso_time(q.time),
                    })
                    .collect()
            });
            info
        })
        .collect();
    let explanation = Explanation {
        target: target.to_owned(),
        resolved,
        verdict: verdict(target, &infos, !inventory.is_empty()),
        addresses: infos,
    };
    let mut out = io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &explanation)?;
        writeln!(out)?;
    } else {
        write_text(&explanation, &mut out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Unix seconds as ISO 8601 UTC (`2026-08-22T10:00:01Z`).
fn iso_time(t: i64) -> String {
    let secs = t.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        flowpath_core::output::layout::utc_day(t),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The addresses the system resolver gives for `host`, without duplicates, IPv4 first.
fn resolve(host: &str) -> Result<Vec<IpAddr>> {
    let mut addresses: Vec<IpAddr> = (host, 0)
        .to_socket_addrs()
        .with_context(|| {
            // The resolver's own words ("Name or service not known") do not say that
            // this machine may simply have no DNS, or not the one the workload uses.
            format!(
                "cannot resolve {host} with this machine's resolver (no DNS here, or not \
                 the VPC's: private DNS of an endpoint answers only inside the VPC). Run \
                 `flowpath explain` where the workload runs, or give the addresses it \
                 resolves there (`flowpath explain 10.0.1.200 --inventory ...`)"
            )
        })?
        .map(|s| s.ip())
        .collect();
    addresses.sort_by_key(|a| (a.is_ipv6(), *a));
    addresses.dedup();
    Ok(addresses)
}

fn describe(address: IpAddr, ranges: &Ranges, inventory: &Inventory) -> AddressInfo {
    let mut info = AddressInfo {
        address,
        kind: "internet",
        service: None,
        region: None,
        network_border_group: None,
        prefix: None,
        eni: None,
        interface_kind: None,
        vpc_id: None,
        subnet_id: None,
        endpoint_id: None,
        endpoint_service_name: None,
        resolved_by: None,
    };
    if let Some(eni) = inventory.eni_at(address) {
        info.kind = "private";
        info.eni = Some(eni.id.clone());
        info.interface_kind = Some(eni.kind.clone());
        info.vpc_id.clone_from(&eni.vpc_id);
        info.subnet_id.clone_from(&eni.subnet_id);
        if let Some(endpoint) = inventory.endpoint_of(eni) {
            info.kind = "interface_endpoint";
            info.service = Some(endpoint.service.clone());
            info.region = (!endpoint.region.is_empty()).then(|| endpoint.region.clone());
            info.endpoint_id = Some(endpoint.id.clone());
            info.endpoint_service_name = Some(endpoint.service_name.clone());
            return info;
        }
        if ranges.lookup(address) == ranges::PRIVATE {
            return info;
        }
        // A public address of an ENI (an Elastic IP): also say whose range it is in.
        info.kind = "eni_public";
    }
    let label = ranges.label(ranges.lookup(address));
    if label.is_aws() {
        if info.eni.is_none() {
            info.kind = "aws";
        }
        info.service = Some(label.service.clone());
        info.region.clone_from(&label.region);
        info.network_border_group.clone_from(&label.border_group);
        info.prefix = ranges.matched_prefix(address).map(|p| p.to_string());
    } else if ranges.lookup(address) == ranges::PRIVATE || inventory.in_any_vpc(address) {
        info.kind = "private";
    }
    info
}

fn verdict(target: &str, infos: &[AddressInfo], with_inventory: bool) -> String {
    let endpoints: Vec<&AddressInfo> = infos
        .iter()
        .filter(|i| i.kind == "interface_endpoint")
        .collect();
    let aws_name = target
        .trim_end_matches('.')
        .to_ascii_lowercase()
        .ends_with(".amazonaws.com");
    if infos.is_empty() {
        return format!("{target} has no addresses");
    }
    if !endpoints.is_empty() && endpoints.len() == infos.len() {
        let ids: Vec<&str> = endpoints
            .iter()
            .filter_map(|e| e.endpoint_id.as_deref())
            .collect();
        return format!(
            "every address is an interface endpoint's ({}): traffic to {target} stays private",
            ids.join(", ")
        );
    }
    if infos.iter().all(|i| i.kind == "private") {
        return if with_inventory {
            "every address is private, but none belongs to an interface endpoint in the inventory"
                .to_owned()
        } else {
            "every address is private: with --inventory, flowpath names the interface endpoint"
                .to_owned()
        };
    }
    if infos.iter().all(|i| i.kind == "aws") {
        let services: Vec<String> = infos
            .iter()
            .filter_map(|i| {
                Some(format!(
                    "{} {}",
                    i.service.as_deref()?,
                    i.region.as_deref().unwrap_or("-")
                ))
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut v = format!(
            "every address is in AWS's public ranges ({}): from a VPC, traffic to {target} goes \
             through an internet or NAT gateway, or a gateway endpoint for S3 and DynamoDB",
            services.join(", ")
        );
        if aws_name {
            v.push_str("; private DNS for an interface endpoint is not in effect where this ran");
        }
        return v;
    }
    if infos.iter().all(|i| i.kind == "eni_public") {
        return "every address is a public address (Elastic IP) of an ENI in the inventory"
            .to_owned();
    }
    if infos.iter().all(|i| i.kind == "internet") {
        return format!("{target} is outside AWS's published ranges");
    }
    "the addresses differ in kind: see each".to_owned()
}

fn write_text(e: &Explanation, w: &mut impl Write) -> io::Result<()> {
    if e.resolved {
        let list: Vec<String> = e.addresses.iter().map(|a| a.address.to_string()).collect();
        writeln!(w, "{} resolves to {}", e.target, list.join(", "))?;
    }
    for a in &e.addresses {
        let mut line = format!("{}: ", a.address);
        match a.kind {
            "interface_endpoint" => line.push_str(&format!(
                "interface endpoint {} ({}), ENI {} in {} / {}",
                a.endpoint_id.as_deref().unwrap_or("-"),
                a.endpoint_service_name.as_deref().unwrap_or("-"),
                a.eni.as_deref().unwrap_or("-"),
                a.vpc_id.as_deref().unwrap_or("-"),
                a.subnet_id.as_deref().unwrap_or("-"),
            )),
            "aws" => line.push_str(&format!(
                "AWS public range: {} in {} (border group {}), prefix {}",
                a.service.as_deref().unwrap_or("-"),
                a.region.as_deref().unwrap_or("-"),
                a.network_border_group.as_deref().unwrap_or("-"),
                a.prefix.as_deref().unwrap_or("-"),
            )),
            "eni_public" => line.push_str(&format!(
                "public address of ENI {} ({}) in {} / {}; in {}'s range {}",
                a.eni.as_deref().unwrap_or("-"),
                a.interface_kind.as_deref().unwrap_or("-"),
                a.vpc_id.as_deref().unwrap_or("-"),
                a.subnet_id.as_deref().unwrap_or("-"),
                a.service.as_deref().unwrap_or("INTERNET"),
                a.prefix.as_deref().unwrap_or("-"),
            )),
            "private" => match &a.eni {
                Some(eni) => line.push_str(&format!(
                    "private, ENI {eni} ({}) in {} / {}",
                    a.interface_kind.as_deref().unwrap_or("-"),
                    a.vpc_id.as_deref().unwrap_or("-"),
                    a.subnet_id.as_deref().unwrap_or("-"),
                )),
                None => line.push_str("private address"),
            },
            _ => line.push_str("internet: in no AWS range"),
        }
        writeln!(w, "{line}")?;
        match a.resolved_by.as_deref() {
            None => {}
            Some([]) => writeln!(w, "  no query in the Resolver query logs resolved to it")?,
            Some(list) => {
                for r in list {
                    writeln!(
                        w,
                        "  resolved as {} by {} in {} at {}",
                        r.name, r.client, r.vpc_id, r.time
                    )?;
                }
            }
        }
    }
    writeln!(w, "{}", e.verdict)
}
