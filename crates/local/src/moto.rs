//! Starting moto as a child process.
//!
//! The launcher (`moto/moto_server.py`) prints `READY <port>` once it listens and exits by itself
//! if this process goes away; the child is also killed when its handle is dropped, so neither
//! Ctrl-C nor a panicking test leaves a moto running.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct Moto {
    pub endpoint: String,
    pub port: u16,
    child: Child,
}

/// The launcher script shipped in this crate.
pub fn launcher_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("moto")
        .join("moto_server.py")
}

impl Moto {
    /// The moto process's id (a benchmark reads its CPU time to tell what moto itself can serve).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Starts moto on `port` (0 = any free port) with the given Python interpreter.
    pub async fn start(python: &Path, port: u16) -> anyhow::Result<Moto> {
        let mut child = Command::new(python)
            .arg(launcher_script())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!(
                    "cannot start moto with {} (run `make dev` to set it up)",
                    python.display()
                )
            })?;
        let stdout = child.stdout.take().context("moto stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await;
        let port = match ready {
            Ok(Ok(Some(line))) if line.starts_with("READY ") => line[6..].trim().parse::<u16>().context("moto port")?,
            Ok(Ok(other)) => bail!("moto did not start (said {other:?}); is port {port} already in use?"),
            Ok(Err(e)) => bail!("moto did not start: {e}"),
            Err(_) => bail!("moto did not become ready within 60 s"),
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            child,
        })
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
