//! Cache prefetches: a hint that a value will be read soon, so that its cache line
//! comes while other work runs. A prefetch holds nothing up, where a load of a line
//! that is not in cache holds up every instruction after it once the core runs out of
//! room to look ahead; it never faults, and it changes no result.
//!
//! x86-64 only (through `safe_arch`, which wraps the intrinsic safely); elsewhere a
//! prefetch does nothing.

/// Starts fetching the cache line that holds `value`.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    safe_arch::prefetch_t0(value);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
