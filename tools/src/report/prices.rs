//! The price table the report's costs come from: per region, the NAT gateway's
//! data-processing price and an interface endpoint's hourly (per AZ) and per-GB
//! prices, with the date the prices were taken and their source.
//!
//! The embedded table is `tools/data/prices.json`; `--prices FILE` replaces it with a
//! file of the same shape. A region missing from the table takes the table's
//! `default` row when it has one (the embedded table has none), else the report fails
//! naming the region: a cost is never computed from a guessed price.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// The embedded table.
const EMBEDDED: &str = include_str!("../../data/prices.json");

/// Bytes in one billed GB (AWS bills data in units of 2^30 bytes).
pub(crate) const GB: f64 = 1_073_741_824.0;

/// The prices of one region.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegionPrices {
    /// NAT gateway data processing, per GB.
    pub(crate) nat_gateway_per_gb: f64,
    /// An interface endpoint, per Availability Zone and hour.
    pub(crate) interface_endpoint_per_az_hour: f64,
    /// Interface endpoint data processing, per GB (first tier).
    pub(crate) interface_endpoint_per_gb: f64,
    /// Transit gateway data processing, per GB sent to the gateway (the charge-back
    /// table needs it; a table without it can price everything else).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) transit_gateway_per_gb: Option<f64>,
}

/// A price table, as in `tools/data/prices.json`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PriceTable {
    /// Where the prices come from.
    pub(crate) source: String,
    /// When they were taken (YYYY-MM-DD).
    pub(crate) taken: String,
    /// The currency of every price.
    pub(crate) currency: String,
    /// Free text: what each price covers.
    #[serde(default)]
    pub(crate) notes: Vec<String>,
    /// Prices per region code.
    pub(crate) regions: BTreeMap<String, RegionPrices>,
    /// Prices for regions not in `regions`, if any.
    #[serde(default)]
    pub(crate) default: Option<RegionPrices>,
}

impl PriceTable {
    /// The embedded table.
    pub(crate) fn embedded() -> Result<PriceTable> {
        PriceTable::parse(EMBEDDED).context("the embedded price table is invalid (a bug)")
    }

    /// The table in `path`.
    pub(crate) fn from_file(path: &Path) -> Result<PriceTable> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read price table {}", path.display()))?;
        PriceTable::parse(&text).with_context(|| format!("bad price table {}", path.display()))
    }

    /// Parses and checks a table: every price finite and not negative.
    pub(crate) fn parse(text: &str) -> Result<PriceTable> {
        let table: PriceTable = serde_json::from_str(text)?;
        if table.taken.trim().is_empty() || table.source.trim().is_empty() {
            bail!("\"taken\" and \"source\" must say when and where the prices were taken");
        }
        let rows = table
            .regions
            .iter()
            .map(|(r, p)| (r.as_str(), p))
            .chain(table.default.as_ref().map(|p| ("default", p)));
        for (region, p) in rows {
            for (name, v) in [
                ("nat_gateway_per_gb", p.nat_gateway_per_gb),
                (
                    "interface_endpoint_per_az_hour",
                    p.interface_endpoint_per_az_hour,
                ),
                ("interface_endpoint_per_gb", p.interface_endpoint_per_gb),
                (
                    "transit_gateway_per_gb",
                    p.transit_gateway_per_gb.unwrap_or(0.0),
                ),
            ] {
                if !v.is_finite() || v < 0.0 {
                    bail!("{region}: {name} is {v}: a price is a number, 0 or more");
                }
            }
        }
        Ok(table)
    }

    /// The prices of `region`, or the default row.
    pub(crate) fn region(&self, region: &str) -> Result<RegionPrices> {
        if let Some(p) = self.regions.get(region).or(self.default.as_ref()) {
            return Ok(*p);
        }
        let known: Vec<&str> = self.regions.keys().map(String::as_str).collect();
        bail!(
            "no prices for region {region:?} in the price table (it has {}); pass \
             --prices FILE with a row for it, or a \"default\" row (see docs/report.md)",
            known.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_has_the_well_known_us_east_1_prices() {
        let t = PriceTable::embedded().unwrap();
        let p = t.region("us-east-1").unwrap();
        assert_eq!(p.nat_gateway_per_gb, 0.045);
        assert_eq!(p.interface_endpoint_per_az_hour, 0.01);
        assert_eq!(p.interface_endpoint_per_gb, 0.01);
        assert_eq!(p.transit_gateway_per_gb, Some(0.02));
        assert_eq!(t.taken, "2026-11-26");
        assert_eq!(t.currency, "USD");
        assert!(t.default.is_none());
    }

    #[test]
    fn the_user_documentation_shows_the_embedded_table() {
        let doc = include_str!("../../../docs/report.md");
        let t = PriceTable::embedded().unwrap();
        assert!(doc.contains(&format!("as of {}**", t.taken)));
        for (region, p) in &t.regions {
            let row = format!(
                "| `{region}` | {} | {} | {} | {} |",
                p.nat_gateway_per_gb,
                p.interface_endpoint_per_az_hour,
                p.interface_endpoint_per_gb,
                p.transit_gateway_per_gb
                    .map_or("-".to_owned(), |v| v.to_string())
            );
            assert!(doc.contains(&row), "docs/report.md lacks {row}");
        }
        let start = doc.find("| region | NAT gateway per GB").unwrap();
        let table = &doc[start..start + doc[start..].find("\n\n").unwrap()];
        assert_eq!(
            table.lines().count(),
            2 + t.regions.len(),
            "a region too many"
        );
    }

    #[test]
    fn an_unknown_region_is_an_error_naming_it() {
        let t = PriceTable::embedded().unwrap();
        let err = t.region("xx-nowhere-1").unwrap_err().to_string();
        assert!(err.contains("\"xx-nowhere-1\""), "{err}");
        assert!(err.contains("--prices"), "{err}");
    }

    #[test]
    fn a_default_row_covers_other_regions() {
        let t = PriceTable::parse(
            r#"{"source": "mine", "taken": "2026-01-01", "currency": "EUR", "regions": {},
                "default": {"nat_gateway_per_gb": 0.1, "interface_endpoint_per_az_hour": 0.02,
                            "interface_endpoint_per_gb": 0.005}}"#,
        )
        .unwrap();
        assert_eq!(t.region("anywhere").unwrap().nat_gateway_per_gb, 0.1);
    }

    #[test]
    fn bad_tables_are_refused() {
        let negative = r#"{"source": "s", "taken": "d", "currency": "USD", "regions": {"r":
            {"nat_gateway_per_gb": -1, "interface_endpoint_per_az_hour": 0, "interface_endpoint_per_gb": 0}}}"#;
        let err = PriceTable::parse(negative).unwrap_err().to_string();
        assert!(err.contains("r: nat_gateway_per_gb is -1"), "{err}");
        let typo = r#"{"source": "s", "taken": "d", "currency": "USD", "regions": {"r":
            {"nat_per_gb": 1, "interface_endpoint_per_az_hour": 0, "interface_endpoint_per_gb": 0}}}"#;
        assert!(PriceTable::parse(typo).is_err());
        let undated = r#"{"source": "s", "taken": " ", "currency": "USD", "regions": {}}"#;
        assert!(PriceTable::parse(undated).is_err());
    }
}
