//! Bulk campaigns: the rules a job follows, whatever function carries it out.
//!
//! A job is accepted `PENDING`, expanded into chunks of exactly [`CHUNK_SIZE`] recipients (the
//! last one smaller) and is then `RUNNING`; an operator may pause, resume or cancel it, and it ends
//! `COMPLETED` or `COMPLETED_WITH_FAILURES` once no recipient is pending. Every transition is a
//! conditional write on the job's status, so the legal ones are listed here once
//! ([`control`], [`statuses_allowing`]). Each recipient ends in exactly one state, and the
//! job's progress always adds up to its total ([`Progress`]). Above [`CONFIRMATION_THRESHOLD`]
//! eligible recipients the operator must confirm the exact count they saw. Messages are
//! personalised per recipient from `{{variable}}` placeholders ([`render`]), and recipients may
//! come from a CSV whose invalid rows are reported by line ([`parse_recipients_csv`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::{Channel, ContactName, Email, PhoneNumber, Region};

/// Recipients per message on `bulk-queue`.
pub const CHUNK_SIZE: usize = 100;

/// Above this many eligible recipients, a job needs the count the operator confirmed.
pub const CONFIRMATION_THRESHOLD: u64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    /// Accepted; its recipients are being expanded.
    Pending,
    Running,
    Paused,
    Cancelled,
    Completed,
    CompletedWithFailures,
}

impl JobStatus {
    pub const ALL: [JobStatus; 6] = [
        JobStatus::Pending,
        JobStatus::Running,
        JobStatus::Paused,
        JobStatus::Cancelled,
        JobStatus::Completed,
        JobStatus::CompletedWithFailures,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "PENDING",
            JobStatus::Running => "RUNNING",
            JobStatus::Paused => "PAUSED",
            JobStatus::Cancelled => "CANCELLED",
            JobStatus::Completed => "COMPLETED",
            JobStatus::CompletedWithFailures => "COMPLETED_WITH_FAILURES",
        }
    }

    pub fn parse(s: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|j| j.as_str() == s)
    }

    /// Nothing more happens to a job in a final state.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobStatus::Cancelled | JobStatus::Completed | JobStatus::CompletedWithFailures
        )
    }

    /// How a job ends once nothing is pending: any recipient failed or of unknown fate marks it.
    pub fn finished(progress: &Progress) -> JobStatus {
        if progress.failed + progress.unknown > 0 {
            JobStatus::CompletedWithFailures
        } else {
            JobStatus::Completed
        }
    }
}

/// What an operator may do to a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    Cancel,
}

impl Control {
    pub fn as_str(self) -> &'static str {
        match self {
            Control::Pause => "pause",
            Control::Resume => "resume",
            Control::Cancel => "cancel",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {} job cannot be {}d", .from.as_str(), .action.as_str())]
pub struct IllegalTransition {
    pub from: JobStatus,
    pub action: Control,
}

/// The status `c` moves a job in `from` to, if it may.
pub fn control(from: JobStatus, c: Control) -> Result<JobStatus, IllegalTransition> {
    let to = match (c, from) {
        (Control::Pause, JobStatus::Pending | JobStatus::Running) => JobStatus::Paused,
        (Control::Resume, JobStatus::Paused) => JobStatus::Running,
        (Control::Cancel, JobStatus::Pending | JobStatus::Running | JobStatus::Paused) => JobStatus::Cancelled,
        _ => return Err(IllegalTransition { from, action: c }),
    };
    Ok(to)
}

/// The statuses from which `c` is legal: the condition of its write.
pub fn statuses_allowing(c: Control) -> Vec<JobStatus> {
    JobStatus::ALL.into_iter().filter(|s| control(*s, c).is_ok()).collect()
}

/// Why a recipient is not sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    NotOptedIn,
    /// They sent STOP: opted out by their own word.
    OptedOutByKeyword,
    Deleted,
    MissingAddress,
    InvalidAddress,
    DuplicateInList,
    OutsideWindowWithoutTemplate,
    OverTier,
    /// The message names a `{{variable}}` this recipient has no value for.
    MissingVariable,
}

impl Exclusion {
    pub const ALL: [Exclusion; 9] = [
        Exclusion::NotOptedIn,
        Exclusion::OptedOutByKeyword,
        Exclusion::Deleted,
        Exclusion::MissingAddress,
        Exclusion::InvalidAddress,
        Exclusion::DuplicateInList,
        Exclusion::OutsideWindowWithoutTemplate,
        Exclusion::OverTier,
        Exclusion::MissingVariable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::NotOptedIn => "not_opted_in",
            Exclusion::OptedOutByKeyword => "opted_out_by_keyword",
            Exclusion::Deleted => "deleted",
            Exclusion::MissingAddress => "missing_address",
            Exclusion::InvalidAddress => "invalid_address",
            Exclusion::DuplicateInList => "duplicate_in_list",
            Exclusion::OutsideWindowWithoutTemplate => "outside_window_without_template",
            Exclusion::OverTier => "over_tier",
            Exclusion::MissingVariable => "missing_variable",
        }
    }

    pub fn parse(s: &str) -> Option<Exclusion> {
        Exclusion::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// An address as reports and the console show it: enough to recognise, not enough to use
/// (`+91••••••3210`, `a•••@example.com`).
pub fn mask_address(address: &str) -> String {
    if let Some((local, domain)) = address.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}•••@{domain}");
    }
    let chars: Vec<char> = address.chars().collect();
    if chars.len() <= 6 {
        return "•".repeat(chars.len());
    }
    let head = if chars[0] == '+' { 3 } else { 2 };
    let tail = 4;
    let hidden = chars.len().saturating_sub(head + tail);
    format!(
        "{}{}{}",
        chars[..head].iter().collect::<String>(),
        "•".repeat(hidden),
        chars[chars.len() - tail..].iter().collect::<String>()
    )
}

/// What is known of a recipient when the job is previewed, and again when it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecipientFacts {
    pub deleted: bool,
    /// The contact's opt-in on the job's channel.
    pub opted_in: bool,
    /// Their last word on the channel was their own opt-out keyword.
    pub opted_out_by_keyword: bool,
    /// Whether the contact has an address for the channel at all, and whether it is valid.
    pub has_address: bool,
    pub address_valid: bool,
    /// WhatsApp only: their 24-hour window is open.
    pub window_open: bool,
}

/// Why this recipient must not be sent to, if at all: checked in this order, so each excluded
/// recipient is counted under one reason. Duplicates and the tier are judged over the whole list.
pub fn exclusion(f: &RecipientFacts, channel: Channel, template: bool) -> Option<Exclusion> {
    if f.deleted {
        Some(Exclusion::Deleted)
    } else if !f.has_address {
        Some(Exclusion::MissingAddress)
    } else if !f.address_valid {
        Some(Exclusion::InvalidAddress)
    } else if !f.opted_in && f.opted_out_by_keyword {
        Some(Exclusion::OptedOutByKeyword)
    } else if !f.opted_in {
        Some(Exclusion::NotOptedIn)
    } else if channel == Channel::WhatsApp && !template && !f.window_open {
        Some(Exclusion::OutsideWindowWithoutTemplate)
    } else {
        None
    }
}

/// Where one recipient ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum RecipientOutcome {
    Sent,
    Failed,
    /// Not sent, for a reason checked at send time (e.g. they opted out during the campaign).
    Skipped(Exclusion),
    /// May or may not have reached the provider.
    Unknown,
    Cancelled,
}

/// A job's counts: every recipient is pending or in exactly one final state, so they always add
/// up to the total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub total: u64,
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
    pub skipped: BTreeMap<Exclusion, u64>,
    pub unknown: u64,
    pub cancelled: u64,
}

impl Progress {
    pub fn new(total: u64) -> Progress {
        Progress {
            total,
            pending: total,
            ..Progress::default()
        }
    }

    /// Moves one pending recipient to `outcome`; false (and no change) if none is pending.
    pub fn record(&mut self, outcome: RecipientOutcome) -> bool {
        if self.pending == 0 {
            return false;
        }
        self.pending -= 1;
        match outcome {
            RecipientOutcome::Sent => self.sent += 1,
            RecipientOutcome::Failed => self.failed += 1,
            RecipientOutcome::Skipped(r) => *self.skipped.entry(r).or_default() += 1,
            RecipientOutcome::Unknown => self.unknown += 1,
            RecipientOutcome::Cancelled => self.cancelled += 1,
        }
        true
    }

    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Whether the counts add up to the total.
    pub fn adds_up(&self) -> bool {
        self.pending + self.sent + self.failed + self.skipped_total() + self.unknown + self.cancelled == self.total
    }
}

/// The index ranges of a job's chunks: exactly [`CHUNK_SIZE`] each, the last one smaller.
pub fn chunks(total: usize) -> impl Iterator<Item = Range<usize>> {
    (0..total.div_ceil(CHUNK_SIZE)).map(move |i| i * CHUNK_SIZE..((i + 1) * CHUNK_SIZE).min(total))
}

/// The message id of a job's send to one recipient: the job and the contact, so that the record
/// is found in the job's ledger from the id alone (a delivery status names only the id).
pub fn bulk_message_id(job_id: &str, contact: &crate::ContactId) -> String {
    format!("{job_id}.{contact}")
}

/// The job and the contact of a bulk message id; `None` for any other id (those are bare UUIDs,
/// so no id of one kind can be read as the other).
pub fn parse_bulk_message_id(id: &str) -> Option<(&str, crate::ContactId)> {
    let (job, contact) = id.split_once('.')?;
    uuid::Uuid::parse_str(job).ok()?;
    Some((job, crate::ContactId::parse(contact)?))
}

/// Seconds to send `remaining` messages at `per_second` (rounded up).
pub fn eta_seconds(remaining: u64, per_second: f64) -> u64 {
    if per_second <= 0.0 {
        return u64::MAX;
    }
    (remaining as f64 / per_second).ceil() as u64
}

/// The answer when a job is too large to start without the operator confirming its exact size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{eligible} recipients are eligible; confirm that number to start the job")]
pub struct ConfirmationRequired {
    pub eligible: u64,
}

/// Above the threshold, the operator must have confirmed exactly the current eligible count (a
/// count confirmed before the list changed is stale and asks again).
pub fn check_confirmation(eligible: u64, confirmed: Option<u64>) -> Result<(), ConfirmationRequired> {
    if eligible <= CONFIRMATION_THRESHOLD || confirmed == Some(eligible) {
        Ok(())
    } else {
        Err(ConfirmationRequired { eligible })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("no value for {{{{{0}}}}}")]
    Missing(String),
    #[error("a placeholder is not closed")]
    Unclosed,
}

/// The names of the `{{placeholders}}` in `text`, in order of first use.
pub fn placeholders(text: &str) -> Result<Vec<String>, RenderError> {
    let mut names = Vec::new();
    let mut seen = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(RenderError::Unclosed)?;
        let name = after[..end].trim().to_string();
        if seen.insert(name.clone()) {
            names.push(name);
        }
        rest = &after[end + 2..];
    }
    Ok(names)
}

/// `text` with each `{{name}}` replaced by its value; a placeholder without a value is an error
/// (a campaign never sends a literal `{{name}}` to a customer).
pub fn render(text: &str, values: &BTreeMap<String, String>) -> Result<String, RenderError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(RenderError::Unclosed)?;
        let name = after[..end].trim();
        let value = values.get(name).ok_or_else(|| RenderError::Missing(name.to_string()))?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// One valid row of a recipients CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRecipient {
    /// Its line in the file (the header is line 1).
    pub line: usize,
    pub phone: Option<PhoneNumber>,
    pub email: Option<Email>,
    pub name: Option<ContactName>,
    /// Explicit consent columns, when the file has them.
    pub consent: Vec<(Channel, bool)>,
    /// Every other column, for personalisation.
    pub values: BTreeMap<String, String>,
}

/// A row that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvProblem {
    pub line: usize,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("the file has no header row")]
    Empty,
    #[error("the header has neither a phone nor an email column")]
    NoAddressColumn,
    #[error("the file is not readable CSV: {0}")]
    Unreadable(String),
}

/// The column a header cell names, by its normalised spelling.
fn column(header: &str) -> String {
    header
        .trim()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn consent_value(raw: &str) -> Result<Option<bool>, String> {
    match raw.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "y" | "1" => Ok(Some(true)),
        "false" | "no" | "n" | "0" => Ok(Some(false)),
        other => Err(format!("{other:?} is not yes or no")),
    }
}

/// Reads a recipients CSV: a header with a `phone` and/or `email` column, optionally `name`,
/// `optInWhatsApp`, `optInSms`, `optInEmail` (any spelling of those words), and any other columns
/// as personalisation values. Each row becomes a recipient or a problem with its line number.
pub fn parse_recipients_csv(bytes: &[u8], region: Region) -> Result<(Vec<CsvRecipient>, Vec<CsvProblem>), CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| CsvError::Unreadable(e.to_string()))?
        .clone();
    if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
        return Err(CsvError::Empty);
    }
    let names: Vec<String> = headers.iter().map(column).collect();
    let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
    let phone_col = find(&["phone", "phonenumber", "mobile", "whatsapp"]);
    let email_col = find(&["email", "emailaddress"]);
    if phone_col.is_none() && email_col.is_none() {
        return Err(CsvError::NoAddressColumn);
    }
    let name_col = find(&["name", "fullname"]);
    let consent_cols: Vec<(Channel, usize)> = [
        (Channel::WhatsApp, &["optinwhatsapp", "whatsappoptin"][..]),
        (Channel::Sms, &["optinsms", "smsoptin"][..]),
        (Channel::Email, &["optinemail", "emailoptin"][..]),
    ]
    .into_iter()
    .filter_map(|(c, spellings)| find(spellings).map(|i| (c, i)))
    .collect();
    let known: BTreeSet<usize> = [phone_col, email_col, name_col]
        .into_iter()
        .flatten()
        .chain(consent_cols.iter().map(|(_, i)| *i))
        .collect();

    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                problems.push(CsvProblem {
                    line,
                    problem: format!("unreadable: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).filter(|v| !v.is_empty());
        let mut why = Vec::new();
        let phone = cell(phone_col).and_then(|p| match PhoneNumber::parse(p, region) {
            Ok(p) => Some(p),
            Err(e) => {
                why.push(format!("phone {p:?}: {e}"));
                None
            }
        });
        let email = cell(email_col).and_then(|e| match Email::parse(e) {
            Ok(e) => Some(e),
            Err(err) => {
                why.push(format!("email {e:?}: {err}"));
                None
            }
        });
        let name = cell(name_col).and_then(|n| match ContactName::parse(n) {
            Ok(n) => Some(n),
            Err(e) => {
                why.push(format!("name: {e}"));
                None
            }
        });
        let mut consent = Vec::new();
        for (channel, i) in &consent_cols {
            match consent_value(record.get(*i).unwrap_or("")) {
                Ok(Some(v)) => consent.push((*channel, v)),
                Ok(None) => {}
                Err(e) => why.push(format!("{}: {e}", headers.get(*i).unwrap_or(""))),
            }
        }
        if phone.is_none() && email.is_none() && why.is_empty() {
            why.push("no phone or email".into());
        }
        if !why.is_empty() {
            problems.push(CsvProblem {
                line,
                problem: why.join("; "),
            });
            continue;
        }
        let values = headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !known.contains(i) && !h.is_empty())
            .filter_map(|(i, h)| record.get(i).map(|v| (h.to_string(), v.to_string())))
            .collect();
        rows.push(CsvRecipient {
            line,
            phone,
            email,
            name,
            consent,
            values,
        });
    }
    Ok((rows, problems))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_bulk_message_id_names_its_job_and_contact_and_no_other_id_parses_as_one() {
        let job = uuid::Uuid::now_v7().to_string();
        let contact = crate::ContactId::new();
        let id = bulk_message_id(&job, &contact);
        assert_eq!(parse_bulk_message_id(&id), Some((job.as_str(), contact)));
        assert_eq!(parse_bulk_message_id(&uuid::Uuid::now_v7().to_string()), None);
        assert_eq!(parse_bulk_message_id(&format!("{job}.not-a-contact")), None);
        assert_eq!(parse_bulk_message_id(&format!("job.{contact}")), None);
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_the_legal_controls_move_a_job() {
        assert_eq!(control(JobStatus::Running, Control::Pause), Ok(JobStatus::Paused));
        assert_eq!(control(JobStatus::Paused, Control::Resume), Ok(JobStatus::Running));
        assert_eq!(control(JobStatus::Paused, Control::Cancel), Ok(JobStatus::Cancelled));
        assert!(control(JobStatus::Running, Control::Resume).is_err());
        assert!(control(JobStatus::Completed, Control::Cancel).is_err());
        assert_eq!(
            control(JobStatus::Cancelled, Control::Pause).unwrap_err().to_string(),
            "a CANCELLED job cannot be paused"
        );
        assert_eq!(statuses_allowing(Control::Resume), vec![JobStatus::Paused]);
    }

    #[test]
    fn a_recipient_is_excluded_for_one_reason_and_consent_comes_before_the_window() {
        let ok = RecipientFacts {
            opted_in: true,
            has_address: true,
            address_valid: true,
            window_open: true,
            ..Default::default()
        };
        assert_eq!(exclusion(&ok, Channel::WhatsApp, false), None);
        let stopped = RecipientFacts {
            opted_in: false,
            opted_out_by_keyword: true,
            window_open: false,
            ..ok
        };
        assert_eq!(
            exclusion(&stopped, Channel::WhatsApp, false),
            Some(Exclusion::OptedOutByKeyword)
        );
        let closed = RecipientFacts {
            window_open: false,
            ..ok
        };
        assert_eq!(
            exclusion(&closed, Channel::WhatsApp, false),
            Some(Exclusion::OutsideWindowWithoutTemplate)
        );
        assert_eq!(exclusion(&closed, Channel::WhatsApp, true), None);
        assert_eq!(exclusion(&closed, Channel::Sms, false), None);
        let gone = RecipientFacts { deleted: true, ..ok };
        assert_eq!(exclusion(&gone, Channel::Email, false), Some(Exclusion::Deleted));
    }

    proptest! {
        /// Whatever the facts, nobody without consent, or deleted, or without a valid address, is
        /// ever eligible.
        #[test]
        fn an_eligible_recipient_always_has_consent_and_an_address(
            deleted in any::<bool>(), opted_in in any::<bool>(), keyword in any::<bool>(), has in any::<bool>(),
            valid in any::<bool>(), window in any::<bool>(), template in any::<bool>(),
            channel in prop::sample::select(Channel::ALL.to_vec()),
        ) {
            let f = RecipientFacts { deleted, opted_in, opted_out_by_keyword: keyword, has_address: has, address_valid: valid, window_open: window };
            if exclusion(&f, channel, template).is_none() {
                prop_assert!(!deleted && opted_in && has && valid);
                prop_assert!(channel != Channel::WhatsApp || template || window);
            }
        }
    }

    #[test]
    fn a_masked_address_keeps_only_its_ends() {
        assert_eq!(mask_address("+919876543210"), "+91••••••3210");
        assert_eq!(mask_address("asha@example.com"), "a•••@example.com");
        assert_eq!(mask_address("12345"), "•••••");
        for e in Exclusion::ALL {
            assert_eq!(Exclusion::parse(e.as_str()), Some(e));
        }
    }

    #[test]
    fn a_large_job_needs_the_exact_count_the_operator_saw() {
        assert!(check_confirmation(20, None).is_ok());
        assert_eq!(check_confirmation(21, None), Err(ConfirmationRequired { eligible: 21 }));
        assert_eq!(
            check_confirmation(21, Some(22)),
            Err(ConfirmationRequired { eligible: 21 })
        );
        assert!(check_confirmation(21, Some(21)).is_ok());
    }

    #[test]
    fn placeholders_are_filled_and_a_missing_one_is_refused() {
        let values = BTreeMap::from([
            ("name".to_string(), "Asha".to_string()),
            ("1".to_string(), "#42".to_string()),
        ]);
        assert_eq!(
            render("Hi {{ name }}, order {{1}} shipped", &values).unwrap(),
            "Hi Asha, order #42 shipped"
        );
        assert_eq!(render("Hi {{city}}", &values), Err(RenderError::Missing("city".into())));
        assert_eq!(render("Hi {{name", &values), Err(RenderError::Unclosed));
        assert_eq!(placeholders("{{a}} {{b}} {{a}}").unwrap(), ["a", "b"]);
    }

    #[test]
    fn a_csv_gives_recipients_and_its_invalid_rows_by_line() {
        let csv = "Name,Phone,E-mail,Opt-in WhatsApp,city\n\
                   Asha,98765 43210,,yes,Kolkata\n\
                   Ravi,12,,no,Pune\n\
                   ,,,,\n\
                   Meera,,meera@example.com,maybe,Delhi\n\
                   Kabir,,,,Goa\n\
                   Zoya,,zoya@example.com,,Mumbai\n";
        let (rows, problems) = parse_recipients_csv(csv.as_bytes(), Region::INDIA).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(
            rows[0].phone.as_ref().map(|p| p.to_string()).as_deref(),
            Some("+919876543210")
        );
        assert_eq!(rows[0].consent, vec![(Channel::WhatsApp, true)]);
        assert_eq!(rows[0].values["city"], "Kolkata");
        assert_eq!(rows[1].line, 7);
        assert!(rows[1].consent.is_empty(), "no consent column value, no consent");
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 5, 6], "{problems:?}");
        assert!(problems[1].problem.contains("not yes or no"));
        assert!(problems[2].problem.contains("no phone or email"));
        assert_eq!(
            parse_recipients_csv(b"name,city\nA,B\n", Region::INDIA),
            Err(CsvError::NoAddressColumn)
        );
    }

    fn outcome() -> impl Strategy<Value = RecipientOutcome> {
        prop_oneof![
            Just(RecipientOutcome::Sent),
            Just(RecipientOutcome::Failed),
            Just(RecipientOutcome::Unknown),
            Just(RecipientOutcome::Cancelled),
            prop::sample::select(Exclusion::ALL.to_vec()).prop_map(RecipientOutcome::Skipped),
        ]
    }

    proptest! {
        #[test]
        fn chunks_hold_exactly_one_hundred_but_the_last_and_cover_every_recipient_once(total in 0usize..1_000) {
            let all: Vec<Range<usize>> = chunks(total).collect();
            let mut next = 0;
            for (i, c) in all.iter().enumerate() {
                prop_assert_eq!(c.start, next);
                if i + 1 < all.len() { prop_assert_eq!(c.len(), CHUNK_SIZE); } else { prop_assert!(!c.is_empty() && c.len() <= CHUNK_SIZE); }
                next = c.end;
            }
            prop_assert_eq!(next, total);
        }

        #[test]
        fn progress_always_adds_up_to_the_total(total in 0u64..200, outcomes in prop::collection::vec(outcome(), 0..300)) {
            let mut p = Progress::new(total);
            let mut recorded = 0;
            let n = outcomes.len() as u64;
            for o in outcomes {
                recorded += u64::from(p.record(o));
                prop_assert!(p.adds_up());
            }
            prop_assert_eq!(recorded, total.min(n), "every outcome lands while any is pending");
            prop_assert_eq!(p.pending, total - recorded);
            if p.pending == 0 {
                let done = JobStatus::finished(&p);
                prop_assert_eq!(done == JobStatus::Completed, p.failed + p.unknown == 0);
            }
        }

        #[test]
        fn no_sequence_of_controls_revives_a_final_job(controls in prop::collection::vec(prop::sample::select(vec![Control::Pause, Control::Resume, Control::Cancel]), 0..20)) {
            let mut s = JobStatus::Pending;
            for c in controls {
                let was_final = s.is_final();
                if let Ok(next) = control(s, c) {
                    prop_assert!(!was_final);
                    prop_assert!(statuses_allowing(c).contains(&s));
                    s = next;
                }
            }
        }

        #[test]
        fn rendering_with_every_value_leaves_no_placeholder(words in prop::collection::vec("[a-z]{1,8}", 1..5), value in "[A-Za-z0-9 ]{0,12}") {
            let text = words.iter().map(|w| format!("{w} {{{{{w}}}}}")).collect::<Vec<_>>().join(", ");
            let values: BTreeMap<String, String> = words.iter().map(|w| (w.clone(), value.clone())).collect();
            let out = render(&text, &values).unwrap();
            prop_assert!(!out.contains("{{"));
        }
    }
}
