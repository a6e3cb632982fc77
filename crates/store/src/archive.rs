//! The export archive: a portable, self-verifying copy of the ledger.
//!
//! An archive is a gzip-compressed file of JSON lines: a header (format, version,
//! source, public key), every signed checkpoint, every event in sequence order, and a
//! footer with the counts, so that an archive cut short is recognised. Event hashes,
//! links and checkpoint signatures travel verbatim, so `vplant verify --archive`
//! proves the copy as strongly as the database, and `vplant import` restores a
//! database whose hashes are identical to the original's.

use std::io::{BufRead, BufReader, Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use vplant_ledger::{
    Checkpoint, CheckpointSource, Failure, LedgerEvent, PublicKey, Summary, Verifier,
};

use crate::conn::{Conn, Dialect};
use crate::error::StoreError;
use crate::ledger::{SCAN_BATCH, replay_into, scan};
use crate::{Store, checkpoints, writer};

pub const FORMAT: &str = "vplant-ledger-archive";
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub exported_at_us: i64,
    /// Where the archive came from (passwords redacted).
    pub source: String,
    /// The key the checkpoints verify with, hex. Informational: a verifier should use
    /// a key it obtained independently.
    pub public_key: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Footer {
    pub events: u64,
    pub checkpoints: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Line {
    Header(Header),
    Checkpoint(Checkpoint),
    Event(LedgerEvent),
    Footer(Footer),
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(format!("archive: {e}"))
}

fn write_line(out: &mut impl Write, line: &Line) -> Result<(), StoreError> {
    serde_json::to_writer(&mut *out, line).map_err(io)?;
    out.write_all(b"\n").map_err(io)
}

/// Writes the whole ledger as an archive, from one consistent snapshot.
pub fn export(
    store: &Store,
    public_key: Option<&PublicKey>,
    out: impl Write,
) -> Result<Footer, StoreError> {
    let mut conn = store.connect()?;
    conn.batch(match conn.dialect() {
        Dialect::Sqlite => "BEGIN",
        Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    })?;
    let result = export_in(conn.as_mut(), store, public_key, out);
    let _ = conn.batch("ROLLBACK");
    result
}

fn export_in(
    conn: &mut dyn Conn,
    store: &Store,
    public_key: Option<&PublicKey>,
    out: impl Write,
) -> Result<Footer, StoreError> {
    let mut gz = GzEncoder::new(std::io::BufWriter::new(out), Compression::fast());
    write_line(
        &mut gz,
        &Line::Header(Header {
            format: FORMAT.to_owned(),
            version: VERSION,
            exported_at_us: store.now().as_micros(),
            source: store.location().to_string(),
            public_key: public_key.map(|k| k.to_string()),
        }),
    )?;
    let stored = checkpoints::all(conn)?;
    let last_seq = writer::last_seq(conn)?;
    let mut footer = Footer {
        events: 0,
        checkpoints: 0,
    };
    for checkpoint in stored {
        write_line(&mut gz, &Line::Checkpoint(checkpoint))?;
        footer.checkpoints += 1;
    }
    let mut after = 0;
    while after < last_seq {
        let events = scan(conn, after, SCAN_BATCH)?;
        let Some(last) = events.last() else { break };
        after = last.seq;
        for event in events {
            write_line(&mut gz, &Line::Event(event))?;
            footer.events += 1;
        }
    }
    write_line(&mut gz, &Line::Footer(footer.clone()))?;
    let mut inner = gz.finish().map_err(io)?;
    inner.flush().map_err(io)?;
    Ok(footer)
}

/// Reads an archive line by line.
pub struct ArchiveReader<R: Read> {
    lines: std::io::Lines<BufReader<GzDecoder<R>>>,
    pub header: Header,
    pending: Option<Line>,
    line_no: u64,
}

impl<R: Read> ArchiveReader<R> {
    pub fn open(input: R) -> Result<ArchiveReader<R>, StoreError> {
        let mut reader = ArchiveReader {
            lines: BufReader::new(GzDecoder::new(input)).lines(),
            header: Header {
                format: String::new(),
                version: 0,
                exported_at_us: 0,
                source: String::new(),
                public_key: None,
            },
            pending: None,
            line_no: 0,
        };
        match reader.next_line()? {
            Some(Line::Header(h)) if h.format == FORMAT && h.version == VERSION => {
                reader.header = h
            }
            Some(Line::Header(h)) => {
                return Err(io(format!(
                    "this is format {} version {}, this vplant reads {FORMAT} version {VERSION}",
                    h.format, h.version
                )));
            }
            _ => return Err(io("the file does not start with a vplant archive header")),
        }
        Ok(reader)
    }

    fn next_line(&mut self) -> Result<Option<Line>, StoreError> {
        if let Some(line) = self.pending.take() {
            return Ok(Some(line));
        }
        match self.lines.next() {
            None => Ok(None),
            Some(text) => {
                self.line_no += 1;
                let text = text.map_err(io)?;
                serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|e| io(format!("line {}: {e}", self.line_no)))
            }
        }
    }

    /// All checkpoints (they precede the events).
    pub fn checkpoints(&mut self) -> Result<Vec<Checkpoint>, StoreError> {
        let mut out = Vec::new();
        loop {
            match self.next_line()? {
                Some(Line::Checkpoint(c)) => out.push(c),
                other => {
                    self.pending = other;
                    return Ok(out);
                }
            }
        }
    }

    /// The next batch of events; empty at the end. Checks the footer there.
    pub fn events(
        &mut self,
        footer_check: &mut FooterCheck,
    ) -> Result<Vec<LedgerEvent>, StoreError> {
        let mut out = Vec::with_capacity(SCAN_BATCH as usize);
        while (out.len() as u64) < SCAN_BATCH {
            match self.next_line()? {
                Some(Line::Event(e)) => out.push(e),
                Some(Line::Footer(f)) => {
                    footer_check.footer = Some(f);
                    break;
                }
                Some(_) => {
                    return Err(io(format!(
                        "line {}: unexpected record among events",
                        self.line_no
                    )));
                }
                None => break,
            }
        }
        footer_check.events += out.len() as u64;
        Ok(out)
    }
}

/// Counts what was read, to compare with the footer at the end.
#[derive(Default)]
pub struct FooterCheck {
    footer: Option<Footer>,
    events: u64,
}

impl FooterCheck {
    fn finish(&self, checkpoints: u64) -> Result<(), StoreError> {
        match &self.footer {
            None => Err(io(
                "the archive ends without its footer: the file was cut short",
            )),
            Some(f) if f.events != self.events || f.checkpoints != checkpoints => Err(io(format!(
                "the footer lists {} events and {} checkpoints, the file holds {} and {checkpoints}",
                f.events, f.checkpoints, self.events
            ))),
            Some(_) => Ok(()),
        }
    }
}

/// Verifies an archive with `key`. The outer error is a damaged file; the inner
/// result is the verdict on the ledger inside it.
pub fn verify(
    input: impl Read,
    key: &PublicKey,
    witness: Vec<Checkpoint>,
) -> Result<Result<Summary, Failure>, StoreError> {
    stream_verified(input, key, witness, |_| Ok(()), |_| Ok(()))
}

fn stream_verified<R: Read>(
    input: R,
    key: &PublicKey,
    witness: Vec<Checkpoint>,
    mut on_checkpoints: impl FnMut(&[Checkpoint]) -> Result<(), StoreError>,
    mut on_events: impl FnMut(&[LedgerEvent]) -> Result<(), StoreError>,
) -> Result<Result<Summary, Failure>, StoreError> {
    let mut reader = ArchiveReader::open(input)?;
    let stored = reader.checkpoints()?;
    let count = stored.len() as u64;
    on_checkpoints(&stored)?;
    let mut sources: Vec<_> = stored
        .into_iter()
        .map(|c| (c, CheckpointSource::Archive))
        .collect();
    sources.extend(witness.into_iter().map(|c| (c, CheckpointSource::Witness)));
    let mut verifier = match Verifier::new(key, sources) {
        Ok(v) => v,
        Err(f) => return Ok(Err(f)),
    };
    let mut check = FooterCheck::default();
    loop {
        let events = reader.events(&mut check)?;
        if events.is_empty() {
            break;
        }
        if let Err(f) = verifier.feed(&events) {
            return Ok(Err(f));
        }
        on_events(&events)?;
    }
    check.finish(count)?;
    Ok(verifier.finish())
}

/// Restores an archive into an empty database, verifying it on the way in; nothing is
/// kept unless the whole archive verifies. The read tables are rebuilt from it.
pub fn import(
    store: &Store,
    input: impl Read,
    key: &PublicKey,
) -> Result<Result<Summary, Failure>, StoreError> {
    let mut conn = store.connect()?;
    conn.begin_write()?;
    let result = import_in(conn.as_mut(), input, key);
    match result {
        Ok(Ok(summary)) => {
            conn.batch("COMMIT")?;
            Ok(Ok(summary))
        }
        other => {
            let _ = conn.batch("ROLLBACK");
            other
        }
    }
}

fn import_in(
    conn: &mut dyn Conn,
    input: impl Read,
    key: &PublicKey,
) -> Result<Result<Summary, Failure>, StoreError> {
    let existing = writer::last_seq(conn)?;
    if existing > 0 {
        return Err(StoreError::NotEmpty(existing));
    }
    let conn = std::cell::RefCell::new(conn);
    let verdict = stream_verified(
        input,
        key,
        Vec::new(),
        |cps| {
            let mut c = conn.borrow_mut();
            cps.iter()
                .try_for_each(|cp| checkpoints::insert(&mut **c, cp))
        },
        |events| {
            let mut c = conn.borrow_mut();
            c.insert_events(events)
        },
    )?;
    if verdict.is_ok() {
        replay_into(&mut **conn.borrow_mut())?;
    }
    Ok(verdict)
}
