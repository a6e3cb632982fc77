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
    /// The commits of each stream this unit touches, in order, so that a second
    /// command on the same record is decided against the first one's events (which
    /// are kept once, in their commit).
    pending: HashMap<String, Vec<usize>>,
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
        let (state, version) = self.projected::<A>(&stream_id).await?;
        let events = state
            .decide(&command, &self.ctx)
            .map_err(|e| crate::name_missing(e, id))?;
        let added = events.len();
        if added == 0 {
            return Ok(0);
        }
        let reason = A::reason(&command).map(str::to_owned);
        match self
            .pending
            .get(&stream_id)
            .and_then(|list| list.last().copied())
        {
            // A second command on the same record joins its last commit when the
            // reasons agree, and follows it in a commit of its own otherwise.
            Some(index) if self.commits[index].reason == reason => {
                self.commits[index].events.extend(events);
            }
            Some(index) => {
                let last = &self.commits[index];
                let expected = last.expected_version + last.events.len() as u64;
                let next = self.commit(&stream_id, expected, events, reason);
                self.pending.entry(stream_id).or_default().push(next);
            }
            None => {
                let index = self.commit(&stream_id, version, events, reason);
                self.pending.insert(stream_id, vec![index]);
            }
        }
        Ok(added)
    }

    /// Record `id` as it will be once this unit commits: as stored, with the events
    /// decided for it so far applied.
    pub async fn state<A: Aggregate>(&self, id: &str) -> Result<A, AppError> {
        Ok(self.projected::<A>(&A::stream_id(id)).await?.0)
    }

    /// The stored state and version of `stream_id`, with this unit's pending events
    /// applied to the state (the version stays the stored one).
    async fn projected<A: Aggregate>(&self, stream_id: &str) -> Result<(A, u64), AppError> {
        let (mut state, version) = self.app.load::<A>(stream_id).await?;
        for index in self.pending.get(stream_id).into_iter().flatten() {
            self.commits[*index]
                .events
                .iter()
                .for_each(|e| state.apply_recorded(e, self.ctx.now));
        }
        Ok((state, version))
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

    /// Adds events decided outside an aggregate's `decide` (a signature and what it
    /// does) for stream `stream_id` at `expected_version`. It must come before any
    /// other command on that stream in this unit.
    pub fn append(&mut self, stream_id: &str, expected_version: u64, events: Vec<Event>) {
        let index = self.commit(stream_id, expected_version, events, None);
        self.pending
            .entry(stream_id.to_owned())
            .or_default()
            .push(index);
    }

    /// Makes the first commit to `stream_id` carry the client's idempotency key, so
    /// that a retried command returns the first result.
    pub fn idempotent(&mut self, stream_id: &str, idempotency: Option<vplant_store::Idempotency>) {
        if let Some(index) = self.pending.get(stream_id).and_then(|l| l.first()) {
            self.commits[*index].idempotency = idempotency;
        }
    }

    /// The events decided in this unit for record `id` of aggregate `A`.
    pub fn decided<A: Aggregate>(&self, id: &str) -> Vec<&Event> {
        self.pending
            .get(&A::stream_id(id))
            .into_iter()
            .flatten()
            .flat_map(|i| self.commits[*i].events.iter())
            .collect()
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
