//! Nothing but dependencies: depending on this crate gives the shared dependencies the
//! features the whole workspace's test build gives them, so that `cargo run -p flowpath`
//! (the quick start) and `cargo test --workspace` (the test suite) compile each of them
//! once, with the same features, and the second reuses what the first built. The list
//! is in `Cargo.toml`; `tools/tests/build.rs` checks it and prints what it should be.
