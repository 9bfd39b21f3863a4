//! Resource tags: which team's traffic a summary row is.
//!
//! The inventory keeps the tags of every resource it loads, as the AWS CLI prints
//! them: `TagSet` on ENIs (`describe-network-interfaces`), `Tags` on VPCs, subnets,
//! NAT gateways, VPC endpoints and instances (`describe-instances`, whose instances
//! also list their ENIs). A row asks for a key with its own interface, subnet and VPC
//! ([`TagSite`]), and gets the value of the most specific resource that carries the
//! key ([`Inventory::tag`]):
//!
//! 1. the instance the ENI is attached to (its `Attachment`, else the instance that
//!    lists the ENI), or the NAT gateway or VPC endpoint the ENI belongs to;
//! 2. the ENI;
//! 3. the subnet (the row's, else the ENI's);
//! 4. the VPC (the row's, else the ENI's, else the subnet's).
//!
//! Key rules ([`TagKeys`]): tag keys are case-sensitive in AWS and here: `--tag Team`
//! matches the key `Team`, not `team`. A key's column ([`column_of`]) is `tag_`
//! followed by the key in lower case, with every character other than `a`–`z` and
//! `0`–`9` made `_` (Athena's column names are lower case, letters, digits and `_`):
//! `Team` → `tag_team`, `aws:cloudformation:stack-name` →
//! `tag_aws_cloudformation_stack_name`. Two keys that make the same column are
//! refused, naming both. A tag with an empty value is a value (`""`), not null.
//!
//! Invariant: a key no resource of the row carries is null, never another key's
//! value; when two documents tag the same resource, the later one's tags replace the
//! earlier ones' whole (as a re-run `describe-*` would).

use super::Inventory;

/// The most tag keys one run may ask for: each is a column of every summary file.
pub const MAX_TAG_KEYS: usize = 50;

/// Why a set of `--tag` keys was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TagKeyError {
    /// A key AWS would not accept: empty, or longer than 128 characters.
    #[error("tag key {key:?}: {why}")]
    Bad {
        /// The key.
        key: String,
        /// Why.
        why: &'static str,
    },
    /// Two keys whose columns are the same (they differ only in case or punctuation).
    #[error(
        "tag keys {first:?} and {second:?} both make the column {column}: \
         columns are lower case, with `_` for other characters; ask for one of them"
    )]
    SameColumn {
        /// The first key.
        first: String,
        /// The second key.
        second: String,
        /// Their column.
        column: String,
    },
    /// More keys than [`MAX_TAG_KEYS`].
    #[error("{count} tag keys: at most {MAX_TAG_KEYS}, each is a column of every summary file")]
    TooMany {
        /// How many were asked for.
        count: usize,
    },
}

/// The tag keys asked for, each with its column, in the order given (the columns'
/// order in the files). Validated: see the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagKeys {
    keys: Vec<(String, String)>,
}

impl TagKeys {
    /// The keys, checked; a key given twice counts once.
    pub fn new<S: AsRef<str>>(keys: impl IntoIterator<Item = S>) -> Result<Self, TagKeyError> {
        let mut out: Vec<(String, String)> = Vec::new();
        for key in keys {
            let key = key.as_ref();
            if key.is_empty() {
                return Err(TagKeyError::Bad {
                    key: key.to_owned(),
                    why: "empty",
                });
            }
            if key.chars().count() > 128 {
                return Err(TagKeyError::Bad {
                    key: key.to_owned(),
                    why: "longer than AWS's 128 characters",
                });
            }
            let column = column_of(key);
            match out.iter().find(|(_, c)| *c == column) {
                Some((first, _)) if first == key => continue,
                Some((first, _)) => {
                    return Err(TagKeyError::SameColumn {
                        first: first.clone(),
                        second: key.to_owned(),
                        column,
                    });
                }
                None => out.push((key.to_owned(), column)),
            }
        }
        if out.len() > MAX_TAG_KEYS {
            return Err(TagKeyError::TooMany { count: out.len() });
        }
        Ok(TagKeys { keys: out })
    }

    /// Whether no key was asked for.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// (key, column), in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.keys.iter().map(|(k, c)| (k.as_str(), c.as_str()))
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(k, _)| k.as_str())
    }
}

/// The column of tag key `key`: `tag_`, then the key in lower case with every
/// character other than `a`–`z` and `0`–`9` made `_`.
pub fn column_of(key: &str) -> String {
    let mut column = String::with_capacity(4 + key.len());
    column.push_str("tag_");
    column.extend(key.chars().map(|c| {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '_'
        }
    }));
    column
}

/// Where a summary row is: the interface, subnet and VPC its records name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TagSite<'a> {
    /// `interface-id`.
    pub interface_id: Option<&'a str>,
    /// `subnet-id`.
    pub subnet_id: Option<&'a str>,
    /// `vpc-id`.
    pub vpc_id: Option<&'a str>,
}

impl Inventory {
    /// A resource's tags (key, value), as loaded; empty when it has none or is
    /// unknown.
    pub fn tags_of(&self, resource_id: &str) -> &[(String, String)] {
        self.tags.get(resource_id).map_or(&[], Vec::as_slice)
    }

    /// The instance an ENI is attached to: its `Attachment`, else the instance
    /// `describe-instances` lists it under.
    pub fn instance_of(&self, eni_id: &str) -> Option<&str> {
        self.eni(eni_id)
            .and_then(|e| e.instance_id.as_deref())
            .or_else(|| self.instance_by_eni.get(eni_id).map(String::as_str))
    }

    /// The value of tag `key` on the most specific resource of `site` that carries
    /// it (see the module documentation); `None` when none does.
    pub fn tag(&self, key: &str, site: TagSite<'_>) -> Option<&str> {
        let eni = site.interface_id.and_then(|id| self.eni(id));
        let owner = eni.and_then(|e| {
            self.nat_of(e)
                .map(|n| n.id.as_str())
                .or_else(|| self.endpoint_of(e).map(|p| p.id.as_str()))
        });
        let subnet = site
            .subnet_id
            .or_else(|| eni.and_then(|e| e.subnet_id.as_deref()));
        let vpc = site
            .vpc_id
            .or_else(|| eni.and_then(|e| e.vpc_id.as_deref()))
            .or_else(|| subnet.and_then(|s| self.subnet_vpc(s)));
        let chain = [
            site.interface_id.and_then(|id| self.instance_of(id)),
            owner,
            site.interface_id,
            subnet,
            vpc,
        ];
        chain.into_iter().flatten().find_map(|id| {
            self.tags_of(id)
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lower_case_letters_digits_and_underscores() {
        assert_eq!(column_of("Team"), "tag_team");
        assert_eq!(
            column_of("aws:cloudformation:stack-name"),
            "tag_aws_cloudformation_stack_name"
        );
        assert_eq!(column_of("Cost Center"), "tag_cost_center");
        assert_eq!(column_of("équipe"), "tag__quipe");
    }

    #[test]
    fn keys_that_make_one_column_are_refused_naming_both() {
        let err = TagKeys::new(["Team", "team"]).unwrap_err();
        assert_eq!(
            err,
            TagKeyError::SameColumn {
                first: "Team".into(),
                second: "team".into(),
                column: "tag_team".into()
            }
        );
        assert!(err.to_string().contains("\"Team\" and \"team\""), "{err}");
        let keys = TagKeys::new(["Team", "Team", "CostCenter"]).unwrap();
        assert_eq!(keys.keys().collect::<Vec<_>>(), ["Team", "CostCenter"]);
        assert!(matches!(
            TagKeys::new([""]),
            Err(TagKeyError::Bad { why: "empty", .. })
        ));
        assert!(matches!(
            TagKeys::new(["k".repeat(129)]),
            Err(TagKeyError::Bad { .. })
        ));
        let many: Vec<String> = (0..=MAX_TAG_KEYS).map(|i| format!("k{i}")).collect();
        assert_eq!(
            TagKeys::new(&many),
            Err(TagKeyError::TooMany {
                count: MAX_TAG_KEYS + 1
            })
        );
    }

    fn inventory() -> Inventory {
        let mut inv = Inventory::new();
        inv.load(
            "vpcs",
            br#"{"Vpcs":[{"VpcId":"vpc-1","CidrBlock":"10.0.0.0/16",
                "Tags":[{"Key":"Team","Value":"platform"},{"Key":"Env","Value":"prod"}]}]}"#,
        )
        .unwrap();
        inv.load(
            "subnets",
            br#"{"Subnets":[{"SubnetId":"subnet-1","VpcId":"vpc-1","CidrBlock":"10.0.1.0/24",
                "Tags":[{"Key":"Tier","Value":"private"}]}]}"#,
        )
        .unwrap();
        inv.load(
            "enis",
            br#"{"NetworkInterfaces":[
                {"NetworkInterfaceId":"eni-a","InterfaceType":"interface","VpcId":"vpc-1",
                 "SubnetId":"subnet-1","PrivateIpAddress":"10.0.1.5",
                 "Attachment":{"InstanceId":"i-a"},
                 "TagSet":[{"Key":"Tier","Value":"web"}]},
                {"NetworkInterfaceId":"eni-b","InterfaceType":"interface","VpcId":"vpc-1",
                 "SubnetId":"subnet-1","PrivateIpAddress":"10.0.1.6","TagSet":[]},
                {"NetworkInterfaceId":"eni-nat","InterfaceType":"nat_gateway","VpcId":"vpc-1",
                 "SubnetId":"subnet-1","PrivateIpAddress":"10.0.1.7"}]}"#,
        )
        .unwrap();
        inv.load(
            "instances",
            br#"{"Reservations":[{"Instances":[
                {"InstanceId":"i-a","Tags":[{"Key":"Team","Value":"checkout"}],
                 "NetworkInterfaces":[{"NetworkInterfaceId":"eni-a"}]},
                {"InstanceId":"i-b","Tags":[{"Key":"Team","Value":"search"},{"Key":"Empty"}],
                 "NetworkInterfaces":[{"NetworkInterfaceId":"eni-b"}]}]}]}"#,
        )
        .unwrap();
        inv.load(
            "nats",
            br#"{"NatGateways":[{"NatGatewayId":"nat-1","VpcId":"vpc-1","SubnetId":"subnet-1",
                "NatGatewayAddresses":[{"NetworkInterfaceId":"eni-nat","PrivateIp":"10.0.1.7"}],
                "Tags":[{"Key":"Team","Value":"network"}]}]}"#,
        )
        .unwrap();
        inv
    }

    #[test]
    fn the_most_specific_resource_that_carries_the_key_gives_its_value() {
        let inv = inventory();
        let at = |eni: Option<&'static str>| TagSite {
            interface_id: eni,
            subnet_id: Some("subnet-1"),
            vpc_id: Some("vpc-1"),
        };
        // Instance over VPC; through the ENI's attachment, and through
        // describe-instances' own list when the ENI has no attachment.
        assert_eq!(inv.tag("Team", at(Some("eni-a"))), Some("checkout"));
        assert_eq!(inv.tag("Team", at(Some("eni-b"))), Some("search"));
        assert_eq!(inv.instance_of("eni-b"), Some("i-b"));
        // The NAT gateway's tags for its ENI.
        assert_eq!(inv.tag("Team", at(Some("eni-nat"))), Some("network"));
        // ENI over subnet; subnet when the ENI lacks the key; VPC after that.
        assert_eq!(inv.tag("Tier", at(Some("eni-a"))), Some("web"));
        assert_eq!(inv.tag("Tier", at(Some("eni-b"))), Some("private"));
        assert_eq!(inv.tag("Env", at(Some("eni-a"))), Some("prod"));
        // Case-sensitive keys; a key nobody carries is null; an empty value is "".
        assert_eq!(inv.tag("team", at(Some("eni-a"))), None);
        assert_eq!(inv.tag("Owner", at(Some("eni-a"))), None);
        assert_eq!(inv.tag("Empty", at(Some("eni-b"))), Some(""));
        // A row with only its interface finds its subnet and VPC through the ENI.
        let bare = TagSite {
            interface_id: Some("eni-b"),
            ..TagSite::default()
        };
        assert_eq!(inv.tag("Env", bare), Some("prod"));
        // An unknown ENI still gets its subnet's and VPC's tags.
        assert_eq!(inv.tag("Team", at(Some("eni-unknown"))), Some("platform"));
    }

    #[test]
    fn a_later_document_replaces_a_resources_tags_whole() {
        let mut inv = inventory();
        inv.load(
            "vpcs again",
            br#"{"Vpcs":[{"VpcId":"vpc-1","CidrBlock":"10.0.0.0/16",
                "Tags":[{"Key":"Team","Value":"infra"}]}]}"#,
        )
        .unwrap();
        let site = TagSite {
            vpc_id: Some("vpc-1"),
            ..TagSite::default()
        };
        assert_eq!(inv.tag("Team", site), Some("infra"));
        assert_eq!(inv.tag("Env", site), None);
    }
}
