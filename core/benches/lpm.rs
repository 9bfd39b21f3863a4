//! Longest-prefix match over AWS's ip-ranges.json: the flat tables behind
//! `Ranges::lookup_v4` / `lookup_v6`, against `prefix-trie`'s `get_lpm` plus the
//! attribution rule applied per lookup (the obvious way to do it with a crate).
//!
//! Query sets, from a seeded RNG, `BATCH` addresses per iteration:
//! - `ipv4_inside_aws`: a uniformly chosen listed IPv4 prefix plus random host bits;
//! - `ipv4_uniform`: uniform random IPv4 (about 2.4% land in AWS space);
//! - `ipv6_inside_aws`: the same as the first, for IPv6;
//! - `ipv6_global`: uniform random in 2000::/3.
//!
//! The table is the newest snapshot in `../shared/aws-ip-ranges/` when that directory
//! exists, else the embedded one; the bench prints which. `build` times
//! `Ranges::from_json` on the same file.
//!
//! Run: `cargo bench -p flowpath-core --bench lpm -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use flate2::read::MultiGzDecoder;
use flowpath_core::ranges::Ranges;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const SEED: u64 = 0x5EED_1B4D;
const BATCH: usize = 4096;

/// The JSON to benchmark on: the newest shared snapshot, else the embedded copy.
fn snapshot() -> (String, Vec<u8>) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = manifest.join("../../shared/aws-ip-ranges");
    let newest: Option<PathBuf> = std::fs::read_dir(&dir).ok().and_then(|entries| {
        entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .max()
    });
    if let Some(path) = newest {
        let bytes = std::fs::read(&path).expect("read the shared snapshot");
        let path = path.canonicalize().unwrap_or(path);
        return (path.display().to_string(), bytes);
    }
    let gz =
        std::fs::read(manifest.join("data/ip-ranges.json.gz")).expect("read the embedded copy");
    let mut json = Vec::new();
    MultiGzDecoder::new(&gz[..])
        .read_to_end(&mut json)
        .expect("the embedded copy is gzip");
    (
        "core/data/ip-ranges.json.gz (embedded; ../shared is absent)".to_owned(),
        json,
    )
}

/// The baseline's rule, per lookup: a service other than AMAZON/EC2 (CLOUDFRONT_ORIGIN_FACING
/// over CLOUDFRONT, else byte order), else EC2, else AMAZON. `services` is sorted.
fn primary(services: &[String]) -> &str {
    let origin = services.iter().any(|s| s == "CLOUDFRONT_ORIGIN_FACING");
    services
        .iter()
        .find(|s| match s.as_str() {
            "AMAZON" | "EC2" => false,
            "CLOUDFRONT" => !origin,
            _ => true,
        })
        .map_or_else(
            || {
                if services.iter().any(|s| s == "EC2") {
                    "EC2"
                } else {
                    "AMAZON"
                }
            },
            String::as_str,
        )
}

/// Random addresses inside random listed prefixes: (first address, host mask) pairs.
fn inside<T>(spans: &[(T, T)], rng: &mut SmallRng, bits: impl Fn(&mut SmallRng) -> T) -> Vec<T>
where
    T: Copy + std::ops::BitOr<Output = T> + std::ops::BitAnd<Output = T>,
{
    (0..BATCH)
        .map(|_| {
            let (first, host) = spans[rng.random_range(0..spans.len())];
            first | (bits(rng) & host)
        })
        .collect()
}

fn bench_lpm(c: &mut Criterion) {
    let (source, json) = snapshot();
    let ranges = Ranges::from_json(&json).expect("the snapshot parses");
    #[expect(clippy::print_stderr, reason = "say which table is measured")]
    {
        eprintln!(
            "lpm: {source}: syncToken {}, {} entries, {} labels",
            ranges.sync_token(),
            ranges.entries().len(),
            ranges.labels().len()
        );
    }

    // The baseline: listed prefixes → sorted services, one prefix-trie map per family.
    let mut trie4: PrefixMap<Ipv4Net, Vec<String>> = PrefixMap::new();
    let mut trie6: PrefixMap<Ipv6Net, Vec<String>> = PrefixMap::new();
    for e in ranges.entries() {
        let services = match e.prefix {
            IpNet::V4(p) => trie4.entry(p).or_default(),
            IpNet::V6(p) => trie6.entry(p).or_default(),
        };
        services.push(e.service.clone()); // entries are sorted, so services are too
    }
    let spans4: Vec<(u32, u32)> = trie4
        .keys()
        .map(|p| (p.network().to_bits(), p.hostmask().to_bits()))
        .collect();
    let spans6: Vec<(u128, u128)> = trie6
        .keys()
        .map(|p| (p.network().to_bits(), p.hostmask().to_bits()))
        .collect();

    let mut rng = SmallRng::seed_from_u64(SEED);
    let v4_inside = inside(&spans4, &mut rng, |r| r.random::<u32>());
    let v4_uniform: Vec<u32> = (0..BATCH).map(|_| rng.random()).collect();
    let v6_inside = inside(&spans6, &mut rng, |r| r.random::<u128>());
    let v6_global: Vec<u128> = (0..BATCH)
        .map(|_| (rng.random::<u128>() >> 3) | (1u128 << 125))
        .collect();

    for (name, addrs) in [
        ("ipv4_inside_aws", &v4_inside),
        ("ipv4_uniform", &v4_uniform),
    ] {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(BATCH as u64));
        group.bench_function("ranges", |b| {
            b.iter(|| {
                for &a in black_box(addrs) {
                    black_box(ranges.lookup_v4(a));
                }
            });
        });
        group.bench_function("prefix_trie", |b| {
            b.iter(|| {
                for &a in black_box(addrs) {
                    let hit = trie4.get_lpm(&Ipv4Net::from(std::net::Ipv4Addr::from_bits(a)));
                    black_box(hit.map(|(_, s)| primary(s)));
                }
            });
        });
        group.finish();
    }
    for (name, addrs) in [("ipv6_inside_aws", &v6_inside), ("ipv6_global", &v6_global)] {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(BATCH as u64));
        group.bench_function("ranges", |b| {
            b.iter(|| {
                for &a in black_box(addrs) {
                    black_box(ranges.lookup_v6(a));
                }
            });
        });
        group.bench_function("prefix_trie", |b| {
            b.iter(|| {
                for &a in black_box(addrs) {
                    let hit = trie6.get_lpm(&Ipv6Net::from(std::net::Ipv6Addr::from_bits(a)));
                    black_box(hit.map(|(_, s)| primary(s)));
                }
            });
        });
        group.finish();
    }

    let mut group = c.benchmark_group("build");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    group.bench_function("from_json", |b| {
        b.iter(|| Ranges::from_json(black_box(&json)))
    });
    group.finish();
}

criterion_group!(benches, bench_lpm);
criterion_main!(benches);
