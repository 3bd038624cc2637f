// mimalloc: hindsight allocates many small strings on every core, and glibc's malloc
// was a third of a build's CPU time (10,000 incidents: 12.1 s -> 8.2 s of user time;
// 100,000: 87 s -> 72 s wall). `--no-default-features` builds with the system
// allocator, for heap profilers that hook malloc (heaptrack, valgrind).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    hindsight::cli::main()
}
