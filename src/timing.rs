//! Where a build spends its time, stage by stage: wall time, and the CPU
//! time of the whole process during the stage (all threads; Linux only, from
//! `/proc/self/stat`). `maillage build --timings` prints them and the
//! benchmark (bench/bench.py) reads them. CPU time matters on a shared
//! machine: wall time then depends on the other processes, CPU time hardly.

use std::time::{Duration, Instant};

/// One stage's times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageTime {
    pub stage: &'static str,
    pub wall: Duration,
    /// User + system time of the process during the stage, where known.
    pub cpu: Option<Duration>,
    /// Peak resident memory of the process so far, in bytes, where known:
    /// the stage that raises it is the one holding the most.
    pub peak_rss: Option<u64>,
    /// Resident memory at the end of the stage, in bytes, where known: what
    /// the stage's output holds (plus what the allocator keeps).
    pub rss: Option<u64>,
}

/// The stages of a build, in pipeline order.
pub type Timings = Vec<StageTime>;

/// Runs `f`, recording its times under `stage`.
pub fn timed<T>(timings: &mut Timings, stage: &'static str, f: impl FnOnce() -> T) -> T {
    let cpu_before = process_cpu();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed();
    let cpu = match (cpu_before, process_cpu()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    timings.push(StageTime {
        stage,
        wall,
        cpu,
        peak_rss: memory("VmHWM:"),
        rss: memory("VmRSS:"),
    });
    out
}

/// `stage wall/cpu` pairs in seconds, for one line of output.
pub fn format(timings: &[StageTime]) -> String {
    timings
        .iter()
        .map(|t| match t.cpu {
            Some(cpu) => format!(
                "{} {:.3}/{:.3}",
                t.stage,
                t.wall.as_secs_f64(),
                cpu.as_secs_f64()
            ),
            None => format!("{} {:.3}", t.stage, t.wall.as_secs_f64()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `stage peak/now` pairs in MiB: the peak resident memory so far and the
/// resident memory at the end of each stage.
pub fn format_memory(timings: &[StageTime]) -> String {
    let mib = |b: u64| b / (1024 * 1024);
    timings
        .iter()
        .filter_map(|t| Some(format!("{} {}/{}", t.stage, mib(t.peak_rss?), mib(t.rss?))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A memory figure of this process (`VmHWM:` or `VmRSS:`), in bytes.
fn memory(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// User + system CPU time of this process so far.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces), from field 3.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // Clock ticks: 100 a second on every Linux configuration Rust targets
    // by default (USER_HZ); without libc there is no sysconf to ask.
    Some(Duration::from_millis((utime + stime) * 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_recorded_in_order() {
        let mut t = Timings::new();
        assert_eq!(timed(&mut t, "a", || 1), 1);
        timed(&mut t, "b", || ());
        let names: Vec<&str> = t.iter().map(|s| s.stage).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(format(&t).starts_with("a 0.0"));
    }
}
