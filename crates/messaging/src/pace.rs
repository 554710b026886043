//! Pacing for long runs of sends (a bulk job's chunk): slots of the sender's bucket reserved in
//! blocks, a stop signal honoured just before each provider call, the run's template messages
//! counted for one write per flush, and its recipients' contacts read a group at a time.
//!
//! An interactive send takes one slot per send (one limiter write) and is refused when the queue
//! is longer than a second. A bulk worker must instead wait for the bucket, and must not pay a
//! write per message: it reserves `block` slots with one write (the same `tat` item the
//! interactive sends use, so both share the sender's limit exactly) and hands them to its sends in
//! order.
//!
//! The limit is kept on what reaches the provider, in any sliding second, by two rules: a slot is
//! never used early (the send sleeps until it), and a slot is never used late — a send that
//! reaches its slot more than [`LATE`] after it (the worker stalled) drops it and takes the next.
//! A send therefore leaves within `[slot, slot + LATE]`, so a one-second window holds the sends
//! of slots spread over at most `1 + LATE` seconds; slots are spaced [`HEADROOM`] wider than the
//! configured rate, which is what makes that many slots fit under the limit, and leaves a little
//! more for the jitter of the request on its way to the provider.
//!
//! **Turns.** A slot nobody is ready for is lost, and several workers share one bucket, so each
//! run's slots come in bursts (its blocks) between the other runs' blocks. A send therefore takes
//! its slot first ([`Pacer::approach`]) and waits until a *lead* before it; only then is it
//! checked (consent, deletion, window) and claimed. Every slot of a block is held by a send that
//! is checked and claimed by the time it is due. The lead follows how long the checks and the
//! claim have lately taken (with half as much again to spare), between [`MIN_LEAD`] and
//! [`MAX_LEAD`]: a few tens of milliseconds against DynamoDB, more against a loaded store. So the
//! checks are never more than `MAX_LEAD` older than the call they allow — no more than the second
//! an interactive send may wait for its slot. A send that does not go ahead gives its slot back
//! for the next one.
//!
//! **Contacts read together.** The run names its next recipients in groups
//! ([`Pacer::read_together`]); the first send of a group to be checked reads the whole group with
//! one eventually consistent request, and the others use that read while it is fresh.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use wecare_core::overview::{Counted, Tally};
use wecare_core::rate::Rate;
use wecare_core::sender::Sender;
use wecare_core::template::Category;
use wecare_core::{Channel, ContactId};
use wecare_store::{Contact, RateLimiter, StoreError};

/// How long a contact read ahead for a send may be used: its consent and deletion are then at most
/// this old when the send is checked (an interactive send reads its contact as it starts, and then
/// waits up to a second for its rate-limit slot, so this is no looser than that).
pub const PREFETCH_FRESH: Duration = Duration::from_secs(1);

/// How late a slot may still be used.
pub const LATE: Duration = Duration::from_millis(20);

/// The bounds of the lead: how long before its slot a paced send is checked and claimed.
pub const MIN_LEAD: Duration = Duration::from_millis(50);
pub const MAX_LEAD: Duration = Duration::from_secs(1);
/// A quicker check lowers the lead by this fraction of the gap (see [`next_lead`]). A store's slow
/// moments recur (a busy partition, a garbage collection in moto), and a lead that has already
/// fallen back when the next one comes makes every send then in its checks miss its slot: with
/// 1/128 (the lead back near its floor after a few hundred sends, some 10–30 s of a worker's 12
/// a second) the bench lost 1.7 % of its slots that way, 0.9 % with this.
const LEAD_DECAY: u32 = 1024;

/// The lead of a run that has not measured its checks yet.
const FIRST_LEAD: Duration = Duration::from_millis(200);

/// The most slots reserved with one limiter write. A run's sends in flight must be able to hold a
/// whole block (see the module), so this stays below the bulk worker's concurrency; at 12 a busy
/// bucket costs 1/12 of a write per message.
pub const MAX_BLOCK: u32 = 12;

/// Slots are spaced this fraction wider than the configured rate (see the module).
pub const HEADROOM: f64 = 0.04;

/// The longest a block reservation may queue behind others before the limiter asks to wait.
const BLOCK_QUEUE: Duration = Duration::from_secs(30);

/// Slots given up, by why: each cause has its own remedy (a longer lead, fewer slots reserved
/// ahead, a queue less contended), so the chunk's log line tells them apart.
#[derive(Default)]
struct Dropped {
    /// Its send reached it more than [`LATE`] after it (checks or claim slow, or a late wake).
    late: AtomicU64,
    /// It passed while still in the queue: no send took it in time.
    passed: AtomicU64,
    /// Its send gave it back after it had passed (or while the queue was busy reserving).
    returned: AtomicU64,
}

/// Slots given up since the slots were reserved, by why (see [`Pacer::slots_dropped`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlotsDropped {
    pub late: u64,
    pub passed: u64,
    pub returned: u64,
}

/// Slots of one sender's bucket reserved by one worker: a run (chunk) draws from them while it
/// runs, and hands them on to the worker's next run when it ends, so the block it reserved but
/// did not use is not wasted at every chunk boundary.
pub struct Slots {
    limiter: RateLimiter,
    bucket: String,
    rate: Rate,
    block: u32,
    queue: tokio::sync::Mutex<VecDeque<DateTime<Utc>>>,
    reservations: AtomicU64,
    dropped: Dropped,
    /// The current lead, in microseconds (see the module).
    lead_micros: AtomicU64,
}

impl Slots {
    /// Slots of `sender`'s bucket. Blocks hold at most half a second of the sender's rate (at least
    /// one slot, at most [`MAX_BLOCK`]), so a run's sends hold all of a block's slots ahead of it.
    pub fn new(limiter: RateLimiter, sender: &Sender) -> Slots {
        let per_second = sender.rate.per_second / (1.0 + HEADROOM);
        let block = (per_second / 2.0).floor().clamp(1.0, f64::from(MAX_BLOCK)) as u32;
        Slots {
            limiter,
            bucket: sender.rate_bucket(),
            rate: Rate::steady(per_second),
            block,
            queue: Default::default(),
            reservations: AtomicU64::new(0),
            dropped: Dropped::default(),
            lead_micros: AtomicU64::new(FIRST_LEAD.as_micros() as u64),
        }
    }
}

/// Pacing state of one run: the slots it draws from, its stop signal, and its template messages.
pub struct Pacer {
    slots: Arc<Slots>,
    stop: AtomicBool,
    /// Template messages the provider accepted, by day (UTC) and category, until the run's next
    /// flush adds them to the sender's usage (one write per flush instead of one per message).
    template_uses: Mutex<TemplateUses>,
    /// What the run's settled sends reached (`wecare_core::overview`), until the run's next flush
    /// adds it to the tenant's overview counters (one write per flush, hour and channel).
    overview: Mutex<Tally>,
    /// The group each of the run's next recipients is read with (see [`Pacer::read_together`]).
    groups: Mutex<HashMap<ContactId, Arc<Group>>>,
    /// The run's sends that have not taken a turn yet (unbounded unless [`Pacer::expecting`]).
    unturned: AtomicU64,
}

/// Recipients whose contacts are read with one request, by the first of their sends to need them.
struct Group {
    ids: Vec<ContactId>,
    /// When the group was read, and what was found (absent: not found or deleted).
    read: tokio::sync::OnceCell<(Instant, HashMap<ContactId, Contact>)>,
}

/// A slot taken by one send ([`Pacer::approach`]): used by its first attempt, or given back.
pub struct Turn {
    slot: Option<DateTime<Utc>>,
    /// When the send woke for it (its checks and claim started).
    woke: Instant,
    slots: Arc<Slots>,
}

impl std::fmt::Debug for Turn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Turn").field("slot", &self.slot).finish()
    }
}

impl Drop for Turn {
    /// A slot not used goes back to the run's queue, for the next send.
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.slots.give_back(slot);
        }
    }
}

/// Template messages of one sender by day (UTC) and category.
pub type TemplateUses = BTreeMap<(NaiveDate, Category), u64>;

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("bucket", &self.slots.bucket)
            .field("per_second", &self.slots.rate.per_second)
            .field("block", &self.slots.block)
            .field("stopped", &self.stopped())
            .finish()
    }
}

impl Pacer {
    /// A run with slots of its own.
    pub fn new(limiter: RateLimiter, sender: &Sender) -> Pacer {
        Pacer::sharing(Arc::new(Slots::new(limiter, sender)))
    }

    /// The run makes at most `sends` sends: its last block is reserved no bigger than what is left,
    /// so a run does not end holding slots nobody will use (they would pass unused before the
    /// worker's next run could take them over).
    pub fn expecting(self, sends: usize) -> Pacer {
        self.unturned.store(sends as u64, Ordering::Relaxed);
        self
    }

    /// A run drawing from `slots` (handed on from an earlier run).
    pub fn sharing(slots: Arc<Slots>) -> Pacer {
        Pacer {
            slots,
            stop: AtomicBool::new(false),
            template_uses: Mutex::default(),
            overview: Mutex::default(),
            groups: Mutex::default(),
            unturned: AtomicU64::new(u64::MAX),
        }
    }

    /// Asks every send of the run to stop before its provider call (pause, cancel, deadline).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// The slots, to hand on to the next run when this one ends.
    pub fn slots(&self) -> Arc<Slots> {
        self.slots.clone()
    }

    /// Limiter writes made so far for these slots (by every run that used them).
    pub fn reservations(&self) -> u64 {
        self.slots.reservations.load(Ordering::Relaxed)
    }

    /// How long before its slot a send of the run is checked now (see the module).
    pub fn lead(&self) -> Duration {
        self.slots.lead()
    }

    /// Slots given up so far because no send reached them in time, by why.
    pub fn slots_dropped(&self) -> SlotsDropped {
        let d = &self.slots.dropped;
        SlotsDropped {
            late: d.late.load(Ordering::Relaxed),
            passed: d.passed.load(Ordering::Relaxed),
            returned: d.returned.load(Ordering::Relaxed),
        }
    }

    /// Names recipients whose contacts are to be read together, by the first of their sends to be
    /// checked (nothing is read now).
    pub fn read_together(&self, ids: &[ContactId]) {
        let group = Arc::new(Group {
            ids: ids.to_vec(),
            read: tokio::sync::OnceCell::new(),
        });
        let mut groups = self.groups.lock().unwrap_or_else(|p| p.into_inner());
        for id in ids {
            groups.insert(*id, group.clone());
        }
    }

    /// The contact of the send to `id` from its group's read (`Some(None)`: it does not exist),
    /// once, and only if the group was read within [`PREFETCH_FRESH`]; `None` when the send must
    /// read it itself (no group, a stale read, or a failed one).
    pub(crate) async fn contact(
        &self,
        contacts: &wecare_store::ContactsRepo,
        tenant: &wecare_core::TenantId,
        id: &ContactId,
    ) -> Option<Option<Contact>> {
        let group = self.groups.lock().unwrap_or_else(|p| p.into_inner()).remove(id)?;
        let read = group
            .read
            .get_or_try_init(|| async {
                let read_at = Instant::now();
                let found = contacts.batch_get_recent(tenant, &group.ids).await?;
                Ok::<_, StoreError>((read_at, found.into_iter().map(|c| (c.contact_id, c)).collect()))
            })
            .await;
        match read {
            Ok((read_at, found)) if read_at.elapsed() <= PREFETCH_FRESH => Some(found.get(id).cloned()),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "contacts not read together; the send reads its own");
                None
            }
        }
    }

    /// Counts an accepted template message of `category` sent at `at`, for the next flush.
    pub(crate) fn count_template_use(&self, category: Category, at: DateTime<Utc>) {
        *self
            .template_uses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((at.date_naive(), category))
            .or_default() += 1;
    }

    /// The template messages counted since the last flush (taken: a flush that fails gives
    /// them back with [`Self::give_back_template_uses`]).
    pub fn take_template_uses(&self) -> TemplateUses {
        std::mem::take(&mut *self.template_uses.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn give_back_template_uses(&self, uses: TemplateUses) {
        let mut kept = self.template_uses.lock().unwrap_or_else(|p| p.into_inner());
        for (k, n) in uses {
            *kept.entry(k).or_default() += n;
        }
    }

    /// Counts what a send of the run reached when its settle moved it, for the next flush.
    pub(crate) fn count_overview(&self, channel: Channel, what: &[Counted], at: DateTime<Utc>) {
        self.overview
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .add(at, channel, what);
    }

    /// The overview counts gathered since the last flush (taken: a flush that fails gives them
    /// back with [`Self::give_back_overview`]).
    pub fn take_overview(&self) -> Tally {
        std::mem::take(&mut *self.overview.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn give_back_overview(&self, counts: Tally) {
        self.overview.lock().unwrap_or_else(|p| p.into_inner()).merge(counts);
    }

    /// Takes the run's next slot and waits until the lead before it: the send is then checked and
    /// claimed, and waits for the slot itself in [`Pacer::wait_for_slot`].
    pub async fn approach(&self) -> Result<Turn, StoreError> {
        let left = self
            .unturned
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n.saturating_sub(1)))
            .unwrap_or(1);
        let slot = self.slots.next_slot(left).await?;
        let until = slot - chrono::Duration::from_std(self.slots.lead()).unwrap_or_default();
        if let Ok(wait) = (until - wecare_core::time::now()).to_std() {
            tokio::time::sleep(wait).await;
        }
        Ok(Turn {
            woke: Instant::now(),
            slot: Some(slot),
            slots: self.slots.clone(),
        })
    }

    /// Waits for the slot of `turn` (the next usable one if it has none left, or if it is missed)
    /// and returns when it is due (now, within [`LATE`]).
    pub async fn wait_for_slot(&self, turn: Option<&mut Turn>) -> Result<(), StoreError> {
        let mut slot = match turn.and_then(|t| t.slot.take().map(|s| (s, t.woke))) {
            Some((slot, woke)) => {
                self.slots.measured(woke.elapsed());
                slot
            }
            None => self.slots.next_slot(self.wanted()).await?,
        };
        loop {
            let now = wecare_core::time::now();
            if let Ok(wait) = (slot - now).to_std() {
                tokio::time::sleep(wait).await;
            }
            // Checked after the sleep too: a busy runtime can wake a sleeper late.
            let late = (wecare_core::time::now() - slot).to_std().unwrap_or_default();
            if late <= LATE {
                return Ok(());
            }
            self.slots.dropped.late.fetch_add(1, Ordering::Relaxed);
            slot = self.slots.next_slot(self.wanted()).await?;
        }
    }

    /// Slots the run may still want: this send's, and those of the sends without a turn yet.
    fn wanted(&self) -> u64 {
        self.unturned.load(Ordering::Relaxed).saturating_add(1)
    }
}

/// The lead after a send's checks and claim took `took`: it grows at once to half as much again
/// as the slowest lately, and shrinks slowly (1/[`LEAD_DECAY`] of the gap a send, a minute or so at a busy
/// sender's rate) when they are quicker, so a store that is slow now and then keeps the lead its
/// slow moments need; always within [`MIN_LEAD`, `MAX_LEAD`].
pub fn next_lead(lead: Duration, took: Duration) -> Duration {
    let wanted = took.mul_f64(1.5).clamp(MIN_LEAD, MAX_LEAD);
    let lead = lead.clamp(MIN_LEAD, MAX_LEAD);
    if wanted >= lead {
        wanted
    } else {
        lead - (lead - wanted) / LEAD_DECAY
    }
}

impl Slots {
    fn lead(&self) -> Duration {
        Duration::from_micros(self.lead_micros.load(Ordering::Relaxed))
    }

    /// Follows how long a send's checks and claim took (see [`next_lead`]).
    fn measured(&self, took: Duration) {
        let _ = self
            .lead_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |lead| {
                Some(next_lead(Duration::from_micros(lead), took).as_micros() as u64)
            });
    }

    /// Puts back a slot a send took and did not use, in its place in the queue, unless it has
    /// passed (or the queue is busy reserving: the slot is then lost, and counted as dropped).
    fn give_back(&self, slot: DateTime<Utc>) {
        let usable = (wecare_core::time::now() - slot)
            .to_std()
            .map_or(true, |late| late <= LATE);
        match self.queue.try_lock() {
            Ok(mut queue) if usable => {
                let at = queue.partition_point(|s| *s < slot);
                queue.insert(at, slot);
            }
            _ => {
                self.dropped.returned.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The next slot not already too late, reserving a new block when none is left (no more than
    /// `wanted` slots: what the run may still use).
    async fn next_slot(&self, wanted: u64) -> Result<DateTime<Utc>, StoreError> {
        let block = u32::try_from(wanted).unwrap_or(u32::MAX).clamp(1, self.block);
        let mut slots = self.queue.lock().await;
        loop {
            let now = wecare_core::time::now();
            while let Some(first) = slots.front() {
                if (now - *first).to_std().unwrap_or_default() > LATE {
                    slots.pop_front();
                    self.dropped.passed.fetch_add(1, Ordering::Relaxed);
                } else {
                    break;
                }
            }
            if let Some(slot) = slots.pop_front() {
                return Ok(slot);
            }
            // Booked from a lead ahead: a block's first slots are then not already due before the
            // sends that take them can be checked and claimed (an idle bucket would otherwise
            // start the block now, and those slots would be missed). Slots between now and then
            // that nobody booked stay unused, so the limit holds.
            let from = now + chrono::Duration::from_std(self.lead()).unwrap_or_default();
            let reserved = self
                .limiter
                .reserve(&self.bucket, self.rate, f64::from(block), BLOCK_QUEUE, from)
                .await?;
            self.reservations.fetch_add(1, Ordering::Relaxed);
            match reserved {
                Ok(start) => {
                    let step = chrono::Duration::microseconds(self.rate.interval_micros(1.0));
                    slots.extend((0..block).map(|i| start + step * i as i32));
                }
                // The bucket is booked further ahead than a block may queue: wait, never fail.
                Err(limited) => tokio::time::sleep(Duration::from_millis(limited.retry_after_ms.max(50))).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_slow_check_raises_the_lead_at_once_and_a_quick_one_lowers_it_slowly() {
        let lead = next_lead(Duration::from_millis(100), Duration::from_millis(400));
        assert_eq!(lead, Duration::from_millis(600));
        let lower = next_lead(lead, Duration::from_millis(10));
        assert!(lower < lead && lower > Duration::from_millis(590), "{lower:?}");
    }

    proptest! {
        #[test]
        fn the_lead_stays_within_its_bounds_and_covers_what_the_last_check_took(
            lead_ms in 0u64..5_000,
            took_ms in 0u64..5_000,
        ) {
            let took = Duration::from_millis(took_ms);
            let next = next_lead(Duration::from_millis(lead_ms), took);
            prop_assert!(next >= MIN_LEAD && next <= MAX_LEAD);
            prop_assert!(next >= took.min(MAX_LEAD));
        }
    }
}
