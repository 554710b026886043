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

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use wecare_core::rate::Rate;
use wecare_core::sender::Sender;
use wecare_core::template::Category;
use wecare_core::ContactId;
use wecare_store::{Contact, RateLimiter, StoreError};

/// How long a contact read ahead for a send may be used: its consent and deletion are then at most
/// this old when the send is checked (an interactive send reads its contact as it starts, and then
/// waits up to a second for its rate-limit slot, so this is no looser than that).
pub const PREFETCH_FRESH: Duration = Duration::from_secs(1);

/// How late a slot may still be used.
pub const LATE: Duration = Duration::from_millis(20);

/// Slots are spaced this fraction wider than the configured rate (see the module).
pub const HEADROOM: f64 = 0.04;

/// The longest a block reservation may queue behind others before the limiter asks to wait.
const BLOCK_QUEUE: Duration = Duration::from_secs(30);

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
    dropped: AtomicU64,
}

impl Slots {
    /// Slots of `sender`'s bucket. Blocks hold half a second of the sender's rate (at least one
    /// slot, at most 25), so a stop is honoured within a second even for slots reserved ahead.
    pub fn new(limiter: RateLimiter, sender: &Sender) -> Slots {
        let per_second = sender.rate.per_second / (1.0 + HEADROOM);
        let block = (per_second / 2.0).floor().clamp(1.0, 25.0) as u32;
        Slots {
            limiter,
            bucket: sender.rate_bucket(),
            rate: Rate::steady(per_second),
            block,
            queue: Default::default(),
            reservations: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
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
    /// Contacts of the run's next recipients, read together (one request for a group instead of
    /// one per send), each taken once by its send while fresh (`None`: not found or deleted).
    prefetched: Mutex<HashMap<ContactId, (Instant, Option<Contact>)>>,
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

    /// A run drawing from `slots` (handed on from an earlier run).
    pub fn sharing(slots: Arc<Slots>) -> Pacer {
        Pacer {
            slots,
            stop: AtomicBool::new(false),
            template_uses: Mutex::default(),
            prefetched: Mutex::default(),
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

    /// Slots given up because no send reached them in time.
    pub fn slots_dropped(&self) -> u64 {
        self.slots.dropped.load(Ordering::Relaxed)
    }

    /// Keeps the contacts of `ids`, read at `read_at` (those missing from `found` were not found
    /// or are deleted), for their sends.
    pub fn prefetch(&self, ids: &[ContactId], found: Vec<Contact>, read_at: Instant) {
        let mut found: HashMap<ContactId, Contact> = found.into_iter().map(|c| (c.contact_id, c)).collect();
        let mut kept = self.prefetched.lock().unwrap_or_else(|p| p.into_inner());
        for id in ids {
            kept.insert(*id, (read_at, found.remove(id)));
        }
    }

    /// The contact read ahead for the send to `id` (`Some(None)`: it does not exist), once, and
    /// only if read within [`PREFETCH_FRESH`]; `None` when the send must read it itself.
    pub(crate) fn take_prefetched(&self, id: &ContactId) -> Option<Option<Contact>> {
        let (read_at, contact) = self.prefetched.lock().unwrap_or_else(|p| p.into_inner()).remove(id)?;
        (read_at.elapsed() <= PREFETCH_FRESH).then_some(contact)
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

    /// Waits for the next usable slot and returns when it is due (now, within [`LATE`]).
    pub async fn wait_for_slot(&self) -> Result<(), StoreError> {
        loop {
            let slot = self.slots.next_slot().await?;
            let now = wecare_core::time::now();
            if let Ok(wait) = (slot - now).to_std() {
                tokio::time::sleep(wait).await;
            }
            // Checked after the sleep too: a busy runtime can wake a sleeper late.
            let late = (wecare_core::time::now() - slot).to_std().unwrap_or_default();
            if late <= LATE {
                return Ok(());
            }
            self.slots.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Slots {
    /// The next slot not already too late, reserving a new block when none is left.
    async fn next_slot(&self) -> Result<DateTime<Utc>, StoreError> {
        let mut slots = self.queue.lock().await;
        loop {
            let now = wecare_core::time::now();
            while let Some(first) = slots.front() {
                if (now - *first).to_std().unwrap_or_default() > LATE {
                    slots.pop_front();
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                } else {
                    break;
                }
            }
            if let Some(slot) = slots.pop_front() {
                return Ok(slot);
            }
            let reserved = self
                .limiter
                .reserve(&self.bucket, self.rate, f64::from(self.block), BLOCK_QUEUE, now)
                .await?;
            self.reservations.fetch_add(1, Ordering::Relaxed);
            match reserved {
                Ok(start) => {
                    let step = chrono::Duration::microseconds(self.rate.interval_micros(1.0));
                    slots.extend((0..self.block).map(|i| start + step * i as i32));
                }
                // The bucket is booked further ahead than a block may queue: wait, never fail.
                Err(limited) => tokio::time::sleep(Duration::from_millis(limited.retry_after_ms.max(50))).await,
            }
        }
    }
}
