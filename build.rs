//! Links the `serge` binary as a position-dependent executable on Linux with glibc.
//!
//! A search is a short process, and start-up is a large part of it: a position-independent
//! executable has every pointer in its read-only data relocated by the dynamic loader at each
//! start (about 17,000 relocations here), each page of them copied on write. Linked at a fixed
//! address, `serge --version` starts in 1.0 ms instead of 1.2 ms on the 2-core VM of README's
//! figures, and a search of the bundled corpus takes about 0.15 ms less. The cost is that the
//! executable's own code is not placed at a random address (ASLR still applies to the
//! libraries, heap and stack). `SERGE_PIE=1 cargo build --release` builds the usual PIE.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SERGE_PIE");
    let var = |name| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && std::env::var_os("SERGE_PIE").is_none()
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
