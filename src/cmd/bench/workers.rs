//! `mq bench conn --workers N`: past one process's file descriptor limit, N processes of mq
//! itself each connect their share of the clients (`--worker K/N`: a contiguous range of client
//! numbers, so ids, brokers and source addresses are those a single process would use) and
//! print their `--json` result; this process merges them as `mq bench merge` does.
//!
//! The workers run in their own process group, so a Ctrl-C reaches this process alone: it
//! passes one SIGINT to each worker, which stops and prints its result, and the merged summary
//! is still printed. A worker dies with this process (PR_SET_PDEATHSIG).

use super::stats::{self, Summary};
use super::Plan;
use crate::exit::{Code, Error, Result};
use std::process::Stdio;
use tokio::io::AsyncReadExt;

/// Run the plan's clients in `n` worker processes; returns the merged summary and whether
/// Ctrl-C cut the run short.
pub async fn run(plan: &Plan, n: u32) -> Result<(Summary, bool)> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::runtime(format!("finding mq's own executable: {e}")))?;
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let mut children = Vec::new();
    for k in 0..n {
        let mut cmd = tokio::process::Command::new(&exe);
        cmd.args(&args)
            .arg("--worker")
            .arg(format!("{k}/{n}"))
            .args(["--prefix", &plan.prefix, "--json", "--quiet"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        // SAFETY: prctl is async-signal-safe; it only asks the kernel to signal this child
        // when its parent dies.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .map_err(|e| Error::runtime(format!("starting worker {k} ({}): {e}", exe.display())))?;
        children.push(child);
    }
    if !plan.quiet {
        crate::output::note(&format!(
            "mq bench: {n} worker processes of about {} clients each; their results are merged when they end",
            plan.publishers.div_ceil(n)
        ));
    }
    let pids: Vec<Option<u32>> = children.iter().map(|c| c.id()).collect();
    let handles: Vec<_> = children
        .into_iter()
        .enumerate()
        .map(|(k, mut child)| {
            tokio::spawn(async move {
                let (mut out, mut err) = (Vec::new(), Vec::new());
                let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
                let read_out = async {
                    if let Some(mut s) = stdout {
                        let _ = s.read_to_end(&mut out).await;
                    }
                };
                let read_err = async {
                    if let Some(mut s) = stderr {
                        let _ = s.read_to_end(&mut err).await;
                    }
                };
                tokio::join!(read_out, read_err);
                let code = child.wait().await.ok().and_then(|s| s.code());
                (k, code, out, err)
            })
        })
        .collect();
    let all = async {
        let mut results = Vec::new();
        for h in handles {
            if let Ok(r) = h.await {
                results.push(r);
            }
        }
        results
    };
    tokio::pin!(all);
    let mut interrupted = false;
    let results = loop {
        tokio::select! {
            r = &mut all => break r,
            s = tokio::signal::ctrl_c(), if !interrupted => {
                if s.is_ok() {
                    interrupted = true;
                    for pid in pids.iter().flatten() {
                        // SAFETY: kill has no memory-safety preconditions; the pid is our
                        // child's, not yet reaped (we still wait for it).
                        unsafe { libc::kill(*pid as libc::pid_t, libc::SIGINT) };
                    }
                }
            }
        }
    };
    let mut parts = Vec::new();
    let mut failed = Vec::new();
    for (k, code, out, err) in results {
        match serde_json::from_slice::<Summary>(&out) {
            Ok(s) => parts.push(s),
            Err(_) => {
                let why = String::from_utf8_lossy(&err);
                let why = why.lines().last().unwrap_or("").trim();
                let why = why.strip_prefix("mq: ").unwrap_or(why);
                failed.push((k, code, why.to_string()));
            }
        }
    }
    if parts.is_empty() {
        let (k, code, why) = failed.into_iter().next().unwrap_or_default();
        return Err(Error::new(
            Code::ALL
                .iter()
                .copied()
                .find(|c| code == Some(*c as i32))
                .unwrap_or(Code::Runtime),
            format!("worker {k} of {n} failed: {why}"),
        ));
    }
    let mut merged = stats::merge(&parts)?;
    merged.mode = "conn".into();
    merged.runs = 1;
    merged.workers = u64::from(n);
    for (k, code, why) in failed {
        let e = format!(
            "worker {k} failed (exit {}): {why}",
            code.map_or("-".into(), |c| c.to_string())
        );
        merged.errors += 1;
        merged.first_error.get_or_insert(e);
    }
    Ok((merged, interrupted))
}
