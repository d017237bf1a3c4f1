//! The `serge` binary: parse the command line, run, print errors on one line.

use std::process::ExitCode;

/// mimalloc, with `--features mimalloc`: indexing allocates and frees many small strings and
/// vectors on several threads and runs about 15% faster with it, but its start-up costs about
/// 0.5 ms, a quarter of a whole `serge search` on the bundled corpus; so it is opt-in.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match serge::cli::run() {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
