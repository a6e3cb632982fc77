//! A unit of work: commands for many records decided one after another and committed
//! together, all or nothing. An import is one unit: either every row of its file lands,
//! or nothing does.

use std::collections::HashMap;

use vplant_domain::{Aggregate, Ctx, Event};
use vplant_store::{CommitOutcome, CommitRequest};

use crate::{App, AppError, Request};

pub struct Unit<'a> {
    app: &'a App,
    request: Request,
    ctx: Ctx,
    commits: Vec<CommitRequest>,
    /// Streams this unit touches: (index of its commit, version it was loaded at,
    /// events already decided in this unit), so a second command on the same record
    /// is decided against the first one's events.
    pending: HashMap<String, (usize, Vec<Event>)>,
}

impl App {
    pub fn unit(&self, request: &Request) -> Unit<'_> {
        Unit {
            app: self,
            request: request.clone(),
            ctx: Ctx {
                actor: request.actor.clone(),
                now: self.store.now(),
            },
            commits: Vec::new(),
            pending: HashMap::new(),
        }
    }
}

impl Unit<'_> {
    /// Decides `command` for record `id` and adds its events to the unit. Returns how
    /// many events it adds (0: nothing new).
    pub async fn decide<A: Aggregate>(
        &mut self,
        id: &str,
        command: A::Command,
    ) -> Result<usize, AppError> {
        let stream_id = A::stream_id(id);
        let (mut state, version) = self.app.load::<A>(&stream_id).await?;
        if let Some((_, events)) = self.pending.get(&stream_id) {
            events.iter().for_each(|e| state.apply(e));
        }
        let events = state
            .decide(&command, &self.ctx)
            .map_err(|e| crate::name_missing(e, id))?;
        let added = events.len();
        if added == 0 {
            return Ok(0);
        }
        let reason = A::reason(&command).map(str::to_owned);
        match self.pending.get(&stream_id).map(|(index, _)| *index) {
            // A second command on the same record appends to its first commit when the
            // reasons agree, and follows it in a commit of its own otherwise.
            Some(index) => {
                let first = &mut self.commits[index];
                let index = if first.reason == reason {
                    first.events.extend(events.iter().cloned());
                    index
                } else {
                    let expected = first.expected_version + first.events.len() as u64;
                    self.commit(&stream_id, expected, events.clone(), reason)
                };
                if let Some(slot) = self.pending.get_mut(&stream_id) {
                    slot.0 = index;
                    slot.1.extend(events);
                }
            }
            None => {
                let index = self.commit(&stream_id, version, events.clone(), reason);
                self.pending.insert(stream_id, (index, events));
            }
        }
        Ok(added)
    }

    fn commit(
        &mut self,
        stream_id: &str,
        expected_version: u64,
        events: Vec<Event>,
        reason: Option<String>,
    ) -> usize {
        self.commits.push(CommitRequest {
            stream_id: stream_id.to_owned(),
            expected_version,
            events,
            actor: self.request.actor.as_str().to_owned(),
            reason,
            idempotency: None,
        });
        self.commits.len() - 1
    }

    /// The events decided in this unit for record `id` of aggregate `A`.
    pub fn decided<A: Aggregate>(&self, id: &str) -> &[Event] {
        self.pending
            .get(&A::stream_id(id))
            .map_or(&[], |(_, events)| events.as_slice())
    }

    /// Events decided so far.
    pub fn events(&self) -> usize {
        self.commits.iter().map(|c| c.events.len()).sum()
    }

    /// Records touched so far.
    pub fn records(&self) -> usize {
        self.pending.len()
    }

    /// Commits every decided command at once; nothing when nothing was decided.
    pub async fn commit_all(self) -> Result<Vec<CommitOutcome>, AppError> {
        Ok(self.app.store.commit_all(self.commits).await?)
    }
}
