//! One cold start: spawn a process against the fake Runtime API, time spawn → first response,
//! and read what the process cost.
//!
//! The wall time runs from just before `spawn` to the moment the runtime API has read the
//! response body, so it covers exec, dynamic loading, init and the first invocation. Peak RSS is
//! the child's own `VmHWM` from `/proc`, read after it answered and before it is killed (the
//! `ru_maxrss` of a vfork-spawned child can report the parent's peak instead). CPU time is user +
//! system time of the whole process (all threads) from `wait4`'s rusage after the kill.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::runtime_api::{Outcome, RuntimeApi};

/// How to start one kind of process (a function binary or the Python baseline).
#[derive(Debug, Clone)]
pub struct Launch {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// What one cold start measured.
#[derive(Debug, Clone)]
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
    pub peak_rss_kib: u64,
    pub response: Vec<u8>,
}

static RUN: AtomicU64 = AtomicU64::new(0);

/// Cold-starts `launch` once with `event`; `log` receives the process's stdout and stderr.
pub fn cold_start(
    api: &RuntimeApi,
    launch: &Launch,
    function: &str,
    event: Arc<Vec<u8>>,
    log: &mut File,
    timeout: Duration,
) -> Result<Sample, String> {
    let request_id = format!(
        "coldstart-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    );
    log.set_len(0)
        .map_err(|e| format!("cannot truncate the process log: {e}"))?;
    log.seek(SeekFrom::Start(0))
        .map_err(|e| format!("cannot rewind the process log: {e}"))?;
    let out = log
        .try_clone()
        .map_err(|e| format!("cannot share the process log: {e}"))?;
    let err = log
        .try_clone()
        .map_err(|e| format!("cannot share the process log: {e}"))?;
    let mut cmd = Command::new(&launch.program);
    cmd.args(&launch.args)
        .env_clear()
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .env("AWS_LAMBDA_RUNTIME_API", api.address())
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));

    let rx = api.arm(&request_id, function, event);
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", launch.program))?;
    let result = wait_for_answer(&rx, &mut child, start, timeout);
    // The child answered (or failed): read its peak memory while it still exists, then kill it.
    let peak_rss_kib = peak_rss_kib(child.id());
    let _ = child.kill();
    let reaped = reap(child.id());
    api.disarm();
    let (at, response) = match result {
        Ok(answer) => answer,
        Err(e) => return Err(format!("{e}\n--- output of {} ---\n{}", launch.program, tail(log))),
    };
    let cpu = reaped.map_err(|e| format!("cannot collect {}: {e}", launch.program))?;
    let peak_rss_kib = peak_rss_kib.map_err(|e| format!("cannot read the peak RSS of {}: {e}", launch.program))?;
    Ok(Sample {
        wall: at.duration_since(start),
        cpu,
        peak_rss_kib,
        response,
    })
}

fn wait_for_answer(
    rx: &std::sync::mpsc::Receiver<Outcome>,
    child: &mut Child,
    start: Instant,
    timeout: Duration,
) -> Result<(Instant, Vec<u8>), String> {
    loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(Outcome::Response { at, body }) => return Ok((at, body)),
            Ok(Outcome::Error { kind, body }) => {
                return Err(format!("reported an {kind}: {}", String::from_utf8_lossy(&body)));
            }
            Err(RecvTimeoutError::Disconnected) => return Err("the runtime API stopped".into()),
            Err(RecvTimeoutError::Timeout) => {}
        }
        // Polling `try_wait` here would reap the child and lose its rusage; /proc tells
        // whether it is a zombie without reaping it.
        if exited(child.id()) {
            return Err("exited before answering".into());
        }
        if start.elapsed() > timeout {
            return Err(format!("no answer within {} s", timeout.as_secs()));
        }
    }
}

/// Whether `pid` has exited (a zombie waiting to be reaped) or is gone.
fn exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name, which may itself contain spaces.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state == "Z" || state == "X"),
        Err(_) => true,
    }
}

fn peak_rss_kib(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM line in /proc status".to_string())
}

/// Waits for `pid` with `wait4` and returns its user + system CPU time.
fn reap(pid: u32) -> Result<Duration, String> {
    let pid = libc::pid_t::try_from(pid).map_err(|e| e.to_string())?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid for writes for the duration of the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4: {err}"));
        }
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    Ok(tv(usage.ru_utime) + tv(usage.ru_stime))
}

/// The last lines of a process log, for a failure message.
fn tail(log: &mut File) -> String {
    let mut bytes = Vec::new();
    if log.seek(SeekFrom::Start(0)).is_err() || log.read_to_end(&mut bytes).is_err() {
        return "(unreadable)".into();
    }
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
