//! The operators of the step entry bench: each at their tablet with a connection of
//! their own, making entries with their signature on a schedule, or all signing at one
//! instant.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Barrier, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use vplant_server::auth::csrf;

use super::http::Http;
use super::measure::{BenchResult, Latencies, sleep_until};
use super::records::{CHECKS, PASSWORD, SITE, batch_number, operator_name, step_id};
use super::server::Bench;

/// One operator at their tablet: a connection from an address of their own, signed
/// in, at the next step of their batch.
pub struct Operator {
    pub username: String,
    pub record: String,
    pub http: Http,
    pub next_step: usize,
}

/// The times of one entry with its signature.
pub struct Timed {
    pub entry: Duration,
    pub head: Duration,
    pub signature: Duration,
    /// From sending the entry to the last byte of the signature's answer.
    pub whole: Duration,
}

fn json_of(bytes: &[u8]) -> BenchResult<Value> {
    Ok(serde_json::from_slice(bytes)?)
}

impl Operator {
    /// Every operator signed in (the sign-ins run at once, as the server allows) and
    /// connected to `server` from a loopback address of their own, 127.0.1.1 on.
    pub fn sign_in_all(
        bench: &Bench,
        server: SocketAddr,
        count: usize,
    ) -> BenchResult<Vec<Operator>> {
        let sessions: Vec<_> = (0..count)
            .map(|n| {
                let app = bench.app.clone();
                bench
                    .rt
                    .spawn(async move { app.sign_in(&operator_name(n), PASSWORD, "bench").await })
            })
            .collect();
        let mut operators = Vec::new();
        for (n, session) in sessions.into_iter().enumerate() {
            let token = bench.rt.block_on(session)??.token;
            let from = Ipv4Addr::new(127, 0, 1 + (n / 250) as u8, 1 + (n % 250) as u8);
            operators.push(Operator {
                username: operator_name(n),
                record: format!("{SITE}/{}", batch_number(n)),
                http: Http::connect_from(
                    Some(IpAddr::V4(from)),
                    server,
                    &token,
                    Some(csrf::token_for(&token)),
                )?,
                next_step: 0,
            });
        }
        Ok(operators)
    }

    fn entries(&self) -> String {
        format!("/api/v1/ebrs/{}/entries", self.record)
    }

    fn signatures(&self) -> String {
        format!("/api/v1/ebrs/{}/signatures", self.record)
    }

    /// Posts the next step's reading; checks it was recorded, in limits.
    pub fn enter(&mut self) -> BenchResult<Duration> {
        let step = step_id(self.next_step);
        let check = &CHECKS[self.next_step % CHECKS.len()];
        let reading = check.readings[self.next_step / CHECKS.len() % check.readings.len()];
        let body =
            json!({ "step": step, "value": reading, "device": format!("TAB-{}", self.username) })
                .to_string();
        let key = format!("{}-{}-{step}", self.username, self.record);
        let sent = Instant::now();
        let answer = self
            .http
            .post_json(&self.entries(), &body, &[("Idempotency-Key", &key)])?;
        let took = sent.elapsed();
        let answer = json_of(&answer)?;
        if !answer["entry"].is_u64() || !answer["refused"].is_null() || answer["replayed"] == true {
            return Err(format!("entry {step} of {} not recorded: {answer}", self.record).into());
        }
        Ok(took)
    }

    /// Reads the head a signature is bound to: (version, hash).
    pub fn head(&mut self) -> BenchResult<(Duration, u64, String)> {
        let sent = Instant::now();
        let answer = self.http.get(&self.signatures())?;
        let took = sent.elapsed();
        let answer = json_of(&answer)?;
        let version = answer["head"]["version"]
            .as_u64()
            .ok_or("the head has no version")?;
        let hash = answer["head"]["hash"]
            .as_str()
            .ok_or("the head has no hash")?
            .to_owned();
        Ok((took, version, hash))
    }

    /// Signs the step as performed; checks the step is done. Returns when the
    /// signature was sent and how long it took.
    pub fn sign(&mut self, version: u64, hash: &str) -> BenchResult<(Instant, Duration)> {
        let step = step_id(self.next_step);
        let body = json!({
            "subject": step, "meaning": "performed",
            "record_version": version, "record_hash": hash,
            "username": self.username, "password": PASSWORD,
        })
        .to_string();
        let sent = Instant::now();
        let answer = self.http.post_json(&self.signatures(), &body, &[])?;
        let took = sent.elapsed();
        let sheet = json_of(&answer)?;
        let done = sheet["steps"][self.next_step]["status"] == "done";
        if !done {
            return Err(format!("step {step} of {} is not done: {sheet}", self.record).into());
        }
        self.next_step += 1;
        Ok((sent, took))
    }

    /// An entry with its signature, as a tablet sends them.
    pub fn entry_with_signature(&mut self) -> BenchResult<Timed> {
        let started = Instant::now();
        let entry = self.enter()?;
        let (head, version, hash) = self.head()?;
        let (_, signature) = self.sign(version, &hash)?;
        Ok(Timed {
            entry,
            head,
            signature,
            whole: started.elapsed(),
        })
    }

    /// The baseline: the batch record as a sheet.
    /// Returns how long it took and the sheet's size in bytes.
    pub fn read(&mut self) -> BenchResult<(Duration, usize)> {
        let sent = Instant::now();
        let path = format!("/api/v1/ebrs/{}", self.record);
        let answer = self.http.get(&path)?;
        let took = sent.elapsed();
        if json_of(&answer)?["steps"]
            .as_array()
            .is_none_or(Vec::is_empty)
        {
            return Err(format!("the sheet of {} has no steps", self.record).into());
        }
        Ok((took, answer.len()))
    }
}

/// Runs `work` for every operator on their own thread, operator `n` at
/// `from + period × n / operators + period × k` for k = 0, 1, … while that is before
/// `to`: one every `period` each, spread evenly. Returns what each call returned, in
/// no particular order, and how late each was started after it was due.
pub fn paced<T: Send>(
    operators: &mut [Operator],
    period: Duration,
    from: Instant,
    to: Instant,
    work: impl Fn(&mut Operator) -> BenchResult<T> + Sync,
) -> BenchResult<(Vec<T>, Latencies)> {
    let count = operators.len() as u32;
    let work = &work;
    std::thread::scope(|s| {
        let handles: Vec<_> = operators
            .iter_mut()
            .enumerate()
            .map(|(n, op)| {
                std::thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn_scoped(s, move || -> BenchResult<(Vec<T>, Vec<Duration>)> {
                        let mut done = Vec::new();
                        let mut late = Vec::new();
                        let mut due = from + period * n as u32 / count;
                        while due < to {
                            sleep_until(due);
                            late.push(due.elapsed());
                            done.push(work(op)?);
                            due += period;
                        }
                        Ok((done, late))
                    })
            })
            .collect::<Result<_, _>>()?;
        let mut all = Vec::new();
        let mut lateness = Latencies::default();
        for handle in handles {
            let (done, late) = handle.join().map_err(|_| "an operator thread panicked")??;
            all.extend(done);
            late.into_iter().for_each(|d| lateness.push(d));
        }
        Ok((all, lateness))
    })
}

/// Every operator enters their next step and reads its head (spread over `spread`),
/// then all of them send the signature at one instant. Returns each signature's
/// latency counted from that instant, and counted from its own sending.
pub fn burst(operators: &mut [Operator], spread: Duration) -> BenchResult<(Latencies, Latencies)> {
    let count = operators.len();
    let ready = Barrier::new(count + 1);
    let at = OnceLock::<Instant>::new();
    let go = Barrier::new(count + 1);
    let prepared = Instant::now() + Duration::from_millis(100);
    let results: Vec<BenchResult<(Duration, Duration)>> = std::thread::scope(|s| {
        let handles: Vec<_> = operators
            .iter_mut()
            .enumerate()
            .map(|(n, op)| {
                let (ready, go, at) = (&ready, &go, &at);
                s.spawn(move || -> BenchResult<(Duration, Duration)> {
                    sleep_until(prepared + spread * n as u32 / count as u32);
                    let shown = op.enter().and_then(|_| op.head());
                    ready.wait();
                    go.wait();
                    let (_, version, hash) = shown?;
                    let instant = *at.get().ok_or("no instant was set")?;
                    sleep_until(instant);
                    let (sent, took) = op.sign(version, &hash)?;
                    Ok((sent + took - instant, took))
                })
            })
            .collect();
        ready.wait();
        // Every thread is parked at `go`; the instant leaves them 100 ms to wake.
        let _ = at.set(Instant::now() + Duration::from_millis(100));
        go.wait();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("an operator panicked".into()))
            })
            .collect()
    });
    let mut from_instant = Latencies::default();
    let mut own = Latencies::default();
    for r in results {
        let (a, b) = r?;
        from_instant.push(a);
        own.push(b);
    }
    Ok((from_instant, own))
}
