//! The demo a fresh `make dev` opens on, so the console shows a living product instead of "No
//! contacts yet": tenant `wecare` gets two dozen contacts with every kind of consent, a week of
//! conversations on WhatsApp, SMS and email (customers' photos and documents, replies, delivery
//! and read ticks, a few failures), one finished campaign, two questions to the knowledge base and
//! a drafted reply waiting for the customer who wrote last.
//!
//! Everything arrives the way users make it, so the demo is also a smoke test of the product:
//! the Admin and the Operator sign in through Cognito and call the API's functions with their ID
//! tokens (the authorizer, validation, consent, the send pipeline, the audit trail and the overview
//! counters all run), customers write and phones report delivery through the provider sandbox,
//! whose events go through SNS and SQS in moto to the inbound handler. Nothing is written to a
//! table directly.
//!
//! A week of history needs a clock that says it happened then. Every handler takes its `now` as
//! an argument, so the demo calls each one with the time the step happened (spread over the last
//! seven days, in the business's daytime, in India):
//! - The API's functions get that time; the authorizer gets the wall clock, because an ID token
//!   issued a moment ago is not valid days ago (its `iat` would be in the future). The gateway
//!   does the same two steps with one clock; the demo does them itself (see [`Api::call`]).
//! - A presigned upload URL is a credential too: the demo asks for it on the wall clock and sends
//!   the uploaded file in the past.
//! - Customer events: the sandbox publishes them (with the message's own `timestamp`) to SNS, and
//!   the demo takes them off the events queue itself and invokes the inbound handler at the time
//!   they happened, as Lambda would have then. So `dev()` starts the events pump only after the
//!   demo; a step of it that fails leaves its event in the queue for the pump.
//! - The campaign runs now: the bulk worker paces itself on the wall clock, as it must in Lambda.
//!   Then a customer writes, so someone is waiting for an answer when the console opens.
//!
//! The send pipeline records a send's settle at its caller's time plus what the send took, so the
//! week's sends are counted, audited and sorted in the inbox when they happened too.
//!
//! The seed is bounded (each wait has a limit and says what it waited for) and its caller keeps
//! serving when it fails: a demo is not worth a stack that does not start.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context};
use aws_config::SdkConfig;
use aws_lambda_events::encodings::Body;
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use base64::Engine;
use chrono::{DateTime, Days, FixedOffset, NaiveTime, TimeZone, Utc};
use serde_json::{json, Value};
use wecare_core::Role;

use crate::functions::Functions;
use crate::gateway::match_route;
use crate::provision::Resources;
use crate::seed::DEFAULT_TENANT;

/// How long the campaign may take to finish before the demo gives up on it.
const CAMPAIGN_LIMIT: Duration = Duration::from_secs(60);
/// How long a customer's event may take to reach the events queue.
const EVENT_LIMIT: Duration = Duration::from_secs(10);

/// What the demo left in the tenant, counted through the API as an operator sees it.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub contacts: usize,
    /// Messages in the contacts' timelines, inbound and outbound, campaign included.
    pub messages: usize,
    /// Finished campaigns.
    pub campaigns: usize,
    pub took: Duration,
}

/// The parts of a running local stack the demo drives.
pub struct Stack<'a> {
    pub functions: &'a Functions,
    pub sdk: &'a SdkConfig,
    pub resources: &'a Resources,
    /// The provider sandbox, which plays the customers.
    pub sandbox_url: &'a str,
}

/// Seeds the demo in tenant `wecare`. The events pump must not be running yet: the demo delivers
/// the customers' events itself, each at the time it happened (see the module).
pub async fn seed(stack: &Stack<'_>) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let now = wecare_core::time::now();
    let api = Api {
        functions: stack.functions,
    };
    let admin = sign_in(stack, Role::Admin).await?;
    let operator = sign_in(stack, Role::Operator).await?;
    let customers = Customers {
        http: reqwest::Client::new(),
        sandbox: stack.sandbox_url.trim_end_matches('/').to_string(),
        sqs: aws_sdk_sqs::Client::new(stack.sdk),
        queue: stack
            .resources
            .queues
            .get("whatsapp-events")
            .cloned()
            .context("the stack has no whatsapp-events queue")?,
        functions: stack.functions,
    };
    let mut run = Run {
        api: &api,
        customers: &customers,
        admin: &admin,
        operator: &operator,
        contacts: HashMap::new(),
        last_whatsapp: HashMap::new(),
    };
    for (i, step) in script(now).iter().enumerate() {
        if let Err(e) = run.step(i, step).await {
            // A refusal the demo asked for and did not use would refuse the first send made by hand.
            let _ = customers
                .http
                .delete(format!("{}/faults", customers.sandbox))
                .send()
                .await;
            return Err(e.context(format!("demo step {} at {}: {}", i + 1, step.at, step.describe())));
        }
    }
    let history = started.elapsed();
    campaign(&api, &operator).await?;
    let campaign_took = started.elapsed() - history;
    // Someone is waiting as the console opens: their window is open, so a reply can be tried.
    let waiting = &CAST[POOJA];
    let body = json!({ "from": waiting.phone, "name": waiting.name, "text": WAITING });
    customers
        .publish("/customer/messages", body, wecare_core::time::now())
        .await
        .with_context(|| format!("{} writes now", waiting.name))?;
    let pooja = run
        .contacts
        .get(&POOJA)
        .with_context(|| format!("{} has no contact", waiting.name))?;
    assistant(&api, &operator, pooja).await?;
    let counted = count(&api, &operator).await?;
    let took = started.elapsed();
    tracing::info!(
        contacts = counted.contacts,
        messages = counted.messages,
        history_ms = history.as_millis() as u64,
        campaign_ms = campaign_took.as_millis() as u64,
        total_ms = took.as_millis() as u64,
        "demo seeded"
    );
    Ok(Seeded { took, ..counted })
}

/// An ID token of the tenant's seeded user with `role`, from Cognito as the console gets one.
async fn sign_in(stack: &Stack<'_>, role: Role) -> anyhow::Result<String> {
    let user = stack
        .resources
        .users
        .iter()
        .find(|u| u.role == role && u.tenant_id == DEFAULT_TENANT)
        .with_context(|| format!("no seeded {} in tenant {DEFAULT_TENANT}", role.as_str()))?;
    let out = aws_sdk_cognitoidentityprovider::Client::new(stack.sdk)
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(&stack.resources.user_pool_client_id)
        .auth_parameters("USERNAME", &user.email)
        .auth_parameters("PASSWORD", &user.password)
        .send()
        .await
        .with_context(|| format!("sign in as {}", user.email))?;
    out.authentication_result
        .and_then(|r| r.id_token)
        .with_context(|| format!("Cognito gave {} no ID token", user.email))
}

// ---- The cast -------------------------------------------------------------------------------

/// Opted in to WhatsApp, SMS and email, in that order.
type OptIns = [bool; 3];

const ALL: OptIns = [true, true, true];
const WHATSAPP: OptIns = [true, false, false];
const WHATSAPP_SMS: OptIns = [true, true, false];
const WHATSAPP_EMAIL: OptIns = [true, false, true];
const SMS: OptIns = [false, true, false];
const EMAIL: OptIns = [false, false, true];
const SMS_EMAIL: OptIns = [false, true, true];
const NONE: OptIns = [false, false, false];

/// A customer of the tenant.
struct Person {
    name: &'static str,
    phone: Option<&'static str>,
    email: Option<&'static str>,
    /// Their consent when an operator (or the Admin, importing) created them; `None`: they are
    /// not created through the API but by writing in from an unknown number.
    created: Option<(Role, OptIns)>,
}

const fn person(
    name: &'static str,
    phone: Option<&'static str>,
    email: Option<&'static str>,
    by: Role,
    opt_in: OptIns,
) -> Person {
    Person {
        name,
        phone,
        email,
        created: Some((by, opt_in)),
    }
}

// Indices into CAST, for the script.
const ASHA: usize = 0;
const RAVI: usize = 1;
const PRIYA: usize = 2;
const ARJUN: usize = 3;
const MEERA: usize = 4;
const SANJAY: usize = 5;
const FATIMA: usize = 6;
const ROHAN: usize = 7;
const KAVYA: usize = 8;
const VIKRAM: usize = 9;
const ANANYA: usize = 10;
const IMRAN: usize = 11;
const DEEPAK: usize = 13;
const LAKSHMI: usize = 14;
const OLIVER: usize = 15;
const SOPHIE: usize = 16;
const DANIEL: usize = 17;
const EMILY: usize = 18;
const MICHAEL: usize = 19;
const AISHA: usize = 20;
const KARTHIK: usize = 21;
const POOJA: usize = 22;
const NISHA: usize = 23;
const RAHUL: usize = 24;

/// Indian phones are in +91 97400 100xx, a range no test or browser suite uses; emails are at
/// example domains.
const CAST: [Person; 25] = [
    person(
        "Asha Verma",
        Some("+919740010001"),
        Some("asha.verma@example.in"),
        Role::Admin,
        ALL,
    ),
    person(
        "Ravi Kumar",
        Some("+919740010002"),
        Some("ravi.kumar@example.in"),
        Role::Admin,
        WHATSAPP_SMS,
    ),
    person(
        "Priya Nair",
        Some("+919740010003"),
        Some("priya.nair@example.in"),
        Role::Admin,
        ALL,
    ),
    person("Arjun Mehta", Some("+919740010004"), None, Role::Admin, WHATSAPP),
    person(
        "Meera Iyer",
        Some("+919740010005"),
        Some("meera.iyer@example.in"),
        Role::Admin,
        WHATSAPP,
    ),
    person(
        "Sanjay Gupta",
        Some("+919740010006"),
        Some("sanjay.gupta@example.in"),
        Role::Admin,
        WHATSAPP_SMS,
    ),
    person(
        "Fatima Sheikh",
        Some("+919740010007"),
        Some("fatima.sheikh@example.in"),
        Role::Admin,
        ALL,
    ),
    person("Rohan Das", Some("+919740010008"), None, Role::Admin, SMS),
    person("Kavya Reddy", None, Some("kavya.reddy@example.in"), Role::Admin, EMAIL),
    person(
        "Vikram Singh",
        Some("+919740010010"),
        Some("vikram.singh@example.in"),
        Role::Admin,
        ALL,
    ),
    person(
        "Ananya Bose",
        Some("+919740010011"),
        Some("ananya.bose@example.in"),
        Role::Admin,
        WHATSAPP_EMAIL,
    ),
    person("Imran Khan", Some("+919740010012"), None, Role::Admin, WHATSAPP_SMS),
    person(
        "Neha Joshi",
        Some("+919740010013"),
        Some("neha.joshi@example.in"),
        Role::Operator,
        NONE,
    ),
    person(
        "Deepak Chatterjee",
        Some("+919740010014"),
        Some("deepak.chatterjee@example.in"),
        Role::Operator,
        ALL,
    ),
    person("Lakshmi Menon", Some("+919740010015"), None, Role::Operator, WHATSAPP),
    person(
        "Oliver Bennett",
        Some("+447911123456"),
        Some("oliver.bennett@example.co.uk"),
        Role::Operator,
        WHATSAPP_EMAIL,
    ),
    person(
        "Sophie Martin",
        Some("+33612345678"),
        Some("sophie.martin@example.fr"),
        Role::Operator,
        EMAIL,
    ),
    person("Daniel Okafor", Some("+2348031234567"), None, Role::Operator, WHATSAPP),
    person(
        "Emily Chen",
        Some("+6591234567"),
        Some("emily.chen@example.sg"),
        Role::Operator,
        ALL,
    ),
    person(
        "Michael Brown",
        Some("+14155550142"),
        Some("michael.brown@example.com"),
        Role::Operator,
        SMS_EMAIL,
    ),
    person("Aisha Al-Farsi", Some("+971501234567"), None, Role::Operator, WHATSAPP),
    person(
        "Karthik Subramanian",
        Some("+919740010022"),
        Some("karthik.s@example.in"),
        Role::Operator,
        WHATSAPP_SMS,
    ),
    person(
        "Pooja Agarwal",
        Some("+919740010023"),
        Some("pooja.agarwal@example.in"),
        Role::Operator,
        ALL,
    ),
    person(
        "Nisha Pillai",
        Some("+919740010024"),
        Some("nisha.pillai@example.in"),
        Role::Operator,
        SMS_EMAIL,
    ),
    // Writes in from a number nobody knows: the inbound handler creates them, with no consent.
    Person {
        name: "Rahul Sharma",
        phone: Some("+919740010025"),
        email: None,
        created: None,
    },
];

// ---- The script -----------------------------------------------------------------------------

/// One thing that happens, at a time.
#[derive(Debug, Clone)]
struct Step {
    at: DateTime<Utc>,
    who: usize,
    act: Act,
}

#[derive(Debug, Clone)]
enum Act {
    /// The contact is created through the API.
    Create,
    /// The customer writes on WhatsApp.
    Says(Said),
    /// An operator sends; with a fault, the provider refuses it.
    Send(Outbound, Option<Refusal>),
    /// The customer's phone reports the last WhatsApp message sent to them.
    Status(&'static str),
}

#[derive(Debug, Clone)]
enum Said {
    Text(&'static str),
    Image(&'static str),
    Document {
        filename: &'static str,
        caption: &'static str,
    },
}

#[derive(Debug, Clone)]
enum Outbound {
    WhatsApp(&'static str),
    /// An approved template of the sandbox's catalogue (`order_update`: name, order).
    Template(&'static str, [&'static str; 2]),
    /// A PDF the operator uploads and sends.
    Document {
        filename: &'static str,
        caption: &'static str,
    },
    Sms(&'static str),
    Email {
        subject: &'static str,
        text: &'static str,
    },
}

impl Outbound {
    fn channel(&self) -> &'static str {
        match self {
            Outbound::WhatsApp(_) | Outbound::Template(..) | Outbound::Document { .. } => "whatsapp",
            Outbound::Sms(_) => "sms",
            Outbound::Email { .. } => "email",
        }
    }
}

/// A provider refusal the sandbox injects into the next call of an operation.
#[derive(Debug, Clone)]
struct Refusal {
    operation: &'static str,
    code: &'static str,
    message: &'static str,
}

const SMS_UNREACHABLE: Refusal = Refusal {
    operation: "SendTextMessage",
    code: "ValidationException",
    message: "The destination phone number is not reachable by SMS",
};

const WHATSAPP_REFUSED: Refusal = Refusal {
    operation: "SendWhatsAppMessage",
    code: "ValidationException",
    message: "Recipient phone number is not a valid WhatsApp user",
};

impl Step {
    fn describe(&self) -> String {
        let who = CAST[self.who].name;
        match &self.act {
            Act::Create => format!("create {who}"),
            Act::Says(s) => format!("{who} writes on WhatsApp ({s:?})"),
            Act::Send(o, None) => format!("send {who} a {} message", o.channel()),
            Act::Send(o, Some(_)) => format!("send {who} a {} message the provider refuses", o.channel()),
            Act::Status(s) => format!("{who}'s phone reports {s}"),
        }
    }
}

/// India's time: the business keeps Indian hours.
fn ist() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 1800).expect("+05:30 is an offset")
}

/// `hour:minute` in India `days` days before `now`.
fn day(now: DateTime<Utc>, days: u64, hour: u32, minute: u32) -> DateTime<Utc> {
    let date = now.with_timezone(&ist()).date_naive() - Days::new(days);
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default();
    ist()
        .from_local_datetime(&date.and_time(time))
        .single()
        .map_or(now, |t| t.with_timezone(&Utc))
}

/// A conversation: steps a few minutes apart, from a start.
struct Thread {
    who: usize,
    at: DateTime<Utc>,
    steps: Vec<Step>,
}

impl Thread {
    fn then(mut self, minutes: i64, act: Act) -> Self {
        self.at += chrono::Duration::minutes(minutes);
        self.steps.push(Step {
            at: self.at,
            who: self.who,
            act,
        });
        self
    }
    fn says(self, minutes: i64, text: &'static str) -> Self {
        self.then(minutes, Act::Says(Said::Text(text)))
    }
    fn photo(self, minutes: i64, caption: &'static str) -> Self {
        self.then(minutes, Act::Says(Said::Image(caption)))
    }
    fn document(self, minutes: i64, filename: &'static str, caption: &'static str) -> Self {
        self.then(minutes, Act::Says(Said::Document { filename, caption }))
    }
    fn send(self, minutes: i64, what: Outbound) -> Self {
        self.then(minutes, Act::Send(what, None))
    }
    fn reply(self, minutes: i64, text: &'static str) -> Self {
        self.send(minutes, Outbound::WhatsApp(text))
    }
    fn refused(self, minutes: i64, what: Outbound, why: Refusal) -> Self {
        self.then(minutes, Act::Send(what, Some(why)))
    }
    /// The last WhatsApp message to them is delivered, then (if `read_after`) read.
    fn ticks(self, delivered_after: i64, read_after: Option<i64>) -> Self {
        let t = self.then(delivered_after, Act::Status("delivered"));
        match read_after {
            Some(m) => t.then(m, Act::Status("read")),
            None => t,
        }
    }

    /// The steps, moved back a whole day at a time until the last one is in the past (a thread
    /// set later today than the demo runs happened yesterday instead).
    fn fitted(self, now: DateTime<Utc>) -> Vec<Step> {
        let latest = now - chrono::Duration::minutes(2);
        let last = self.steps.iter().map(|s| s.at).max().unwrap_or(now);
        let mut shift = chrono::Duration::zero();
        while last - shift > latest {
            shift += chrono::Duration::days(1);
        }
        self.steps.into_iter().map(|s| Step { at: s.at - shift, ..s }).collect()
    }
}

/// A thread of `who` starting at `hour:minute` (India) `days` days before `now`.
fn thread(now: DateTime<Utc>, who: usize, days: u64, hour: u32, minute: u32) -> Thread {
    Thread {
        who,
        at: day(now, days, hour, minute),
        steps: Vec::new(),
    }
}

fn email(subject: &'static str, text: &'static str) -> Outbound {
    Outbound::Email { subject, text }
}

/// Every step of the demo's week, in the order they happened.
fn script(now: DateTime<Utc>) -> Vec<Step> {
    let t = |who, days, hour, minute| thread(now, who, days, hour, minute);
    // The contacts were all there before the week began: the Admin imported most, the Operator
    // added the rest.
    let mut steps: Vec<Step> = CAST
        .iter()
        .enumerate()
        .filter(|(_, p)| p.created.is_some())
        .map(|(i, _)| Step {
            at: day(now, 9, 10, 0) + chrono::Duration::minutes(7 * i as i64),
            who: i,
            act: Act::Create,
        })
        .collect();
    let threads = vec![
        t(ASHA, 6, 10, 15)
            .says(
                0,
                "Hi, I ordered a pressure cooker last week (order #WC-4821). When will it arrive?",
            )
            .reply(
                6,
                "Hi Asha! It left our Kolkata warehouse yesterday and should reach you by Thursday.",
            )
            .ticks(1, Some(4)),
        t(ASHA, 3, 18, 40)
            .photo(0, "The box arrived damaged 😟")
            .reply(
                8,
                "So sorry, Asha! We're sending a replacement today; no need to return the damaged one.",
            )
            .ticks(1, Some(2))
            .send(
                3,
                Outbound::Document {
                    filename: "replacement-WC-4821.pdf",
                    caption: "Your replacement order",
                },
            )
            .ticks(1, Some(9))
            .send(
                2,
                email(
                    "Replacement for order #WC-4821",
                    "Hi Asha,\n\nYour replacement pressure cooker ships today. Sorry again for the trouble.\n\nWECARE",
                ),
            ),
        t(RAVI, 5, 11, 30)
            .send(11, Outbound::Template("order_update", ["Ravi", "#WC-4907"]))
            .ticks(2, Some(30))
            .says(15, "Thanks! Can I change the delivery address?")
            .reply(5, "Sure, please share the new address here.")
            .ticks(1, Some(1))
            .says(3, "Flat 4B, Sunrise Apartments, Indiranagar, Bengaluru 560038")
            .reply(4, "Done, the address is updated 👍")
            .ticks(1, None),
        t(PRIYA, 4, 9, 5)
            .send(
                0,
                Outbound::Sms("WECARE: your appointment is confirmed for Saturday 10:30 AM."),
            )
            .send(
                1,
                email(
                    "Your appointment on Saturday",
                    "Hi Priya,\n\nSee you on Saturday at 10:30 AM.\n\nWECARE",
                ),
            ),
        t(PRIYA, 2, 19, 20)
            .says(0, "Can I move my appointment to Sunday?")
            .reply(7, "Sunday 11:00 AM works. You're booked!")
            .ticks(1, Some(3)),
        t(ARJUN, 2, 13, 10)
            .says(0, "Do you deliver to Pune?")
            .reply(3, "Yes, we deliver across Pune in 2-3 days.")
            .ticks(1, Some(1)),
        t(MEERA, 1, 16, 45)
            .document(0, "prescription.pdf", "Prescription for my refill")
            .reply(6, "Got it, Meera. Your refill will be ready for pickup at 6 PM.")
            .ticks(1, Some(12)),
        t(SANJAY, 5, 15, 0)
            .send(0, Outbound::Template("order_update", ["Sanjay", "#WC-4911"]))
            .ticks(3, Some(60)),
        // STOP turns WhatsApp off, and the handler confirms it.
        t(SANJAY, 1, 20, 10).says(0, "STOP"),
        t(FATIMA, 3, 10, 0)
            .send(
                0,
                Outbound::Sms("Hi Fatima, your order #WC-5012 is out for delivery today."),
            )
            .send(
                1,
                email(
                    "Order #WC-5012 is out for delivery",
                    "Hi Fatima,\n\nYour order is on its way and arrives today.\n\nWECARE",
                ),
            ),
        t(FATIMA, 0, 11, 20)
            .says(0, "Received, thank you!")
            .reply(4, "Glad it reached you, Fatima! Enjoy.")
            .ticks(1, Some(2)),
        t(ROHAN, 4, 17, 30).send(0, Outbound::Sms("Hi Rohan, your WECARE membership renews on the 15th.")),
        t(ROHAN, 0, 9, 45).send(
            0,
            Outbound::Sms("Hi Rohan, your membership has been renewed. Thank you!"),
        ),
        t(KAVYA, 5, 12, 0).send(
            0,
            email(
                "Your invoice for order #WC-4870",
                "Hi Kavya,\n\nYour invoice is attached to your account page.\n\nWECARE",
            ),
        ),
        t(KAVYA, 2, 12, 30).send(
            0,
            email(
                "Thanks for your feedback",
                "Hi Kavya,\n\nThank you for rating us 5 stars!\n\nWECARE",
            ),
        ),
        t(VIKRAM, 3, 14, 25)
            .refused(
                0,
                Outbound::Sms("Hi Vikram, your order #WC-4990 has shipped."),
                SMS_UNREACHABLE,
            )
            .send(
                10,
                email(
                    "Order #WC-4990 has shipped",
                    "Hi Vikram,\n\nWe could not reach you by SMS: your order has shipped.\n\nWECARE",
                ),
            ),
        t(ANANYA, 6, 18, 0)
            .says(0, "Hi! Is the festive sale on yet?")
            .reply(5, "Not yet, it starts on Friday. We'll message you!")
            .ticks(1, Some(20)),
        t(ANANYA, 2, 10, 0).send(
            0,
            email(
                "The festive sale starts Friday",
                "Hi Ananya,\n\n20% off everything from Friday to Sunday.\n\nWECARE",
            ),
        ),
        t(IMRAN, 1, 9, 40)
            .says(0, "Where is my refund for order #WC-4733?")
            .reply(
                12,
                "Hi Imran, the refund was issued today; it takes 3-5 working days to show.",
            )
            .ticks(1, None),
        t(DEEPAK, 2, 11, 0)
            .send(0, Outbound::Template("order_update", ["Deepak", "#WC-5020"]))
            .ticks(5, Some(40)),
        t(DEEPAK, 0, 10, 5).send(
            0,
            Outbound::Sms("Hi Deepak, your order #WC-5020 will be delivered between 2 and 4 PM."),
        ),
        // Delivery fails on the customer's side: the phone reports it.
        t(LAKSHMI, 4, 16, 0)
            .send(0, Outbound::Template("order_update", ["Lakshmi", "#WC-4960"]))
            .then(2, Act::Status("failed")),
        t(OLIVER, 3, 13, 0)
            .says(0, "Hello, do you ship to the UK?")
            .reply(9, "Hi Oliver, yes: 7-10 days to the UK, tracked.")
            .ticks(1, Some(5))
            .send(
                3,
                email(
                    "Shipping to the UK",
                    "Hi Oliver,\n\nInternational orders ship tracked in 7-10 days.\n\nWECARE",
                ),
            ),
        t(SOPHIE, 2, 8, 30).send(
            0,
            email(
                "Welcome to WECARE",
                "Bonjour Sophie,\n\nWelcome! Your account is ready.\n\nWECARE",
            ),
        ),
        t(DANIEL, 1, 14, 0)
            .photo(0, "Is this the right charger for my model?")
            .reply(7, "Yes, that's the right one, Daniel.")
            .ticks(1, Some(2)),
        t(EMILY, 5, 17, 45).send(0, Outbound::Sms("Hi Emily, your order #WC-4899 is confirmed.")),
        t(EMILY, 0, 9, 15)
            .says(0, "Morning! Is my order ready?")
            .reply(3, "Good morning, Emily! It's packed and ships today.")
            .ticks(1, None),
        t(MICHAEL, 3, 20, 0)
            .send(0, Outbound::Sms("Hi Michael, your WECARE verification is complete."))
            .send(
                1,
                email(
                    "Your account is verified",
                    "Hi Michael,\n\nYour account is verified.\n\nWECARE",
                ),
            ),
        // The provider refuses the first reply; the operator sends it again.
        t(AISHA, 2, 15, 30)
            .says(0, "Do you have this kettle in blue?")
            .refused(
                4,
                Outbound::WhatsApp("Yes, the blue one is in stock!"),
                WHATSAPP_REFUSED,
            )
            .reply(2, "Yes, the blue one is in stock!")
            .ticks(1, Some(3)),
        t(KARTHIK, 3, 12, 30)
            .send(0, Outbound::Template("order_update", ["Karthik", "#WC-4985"]))
            .ticks(2, None)
            .says(20, "STOP"),
        t(POOJA, 1, 11, 0)
            .says(0, "Hi, can I pay cash on delivery?")
            .reply(5, "Hi Pooja, yes: cash or UPI on delivery.")
            .ticks(1, Some(1))
            .send(
                2,
                email(
                    "Payment on delivery",
                    "Hi Pooja,\n\nCash and UPI are both accepted on delivery.\n\nWECARE",
                ),
            ),
        t(NISHA, 4, 10, 30)
            .send(0, Outbound::Sms("Hi Nisha, your order #WC-4955 is confirmed."))
            .send(
                1,
                email(
                    "Order #WC-4955 confirmed",
                    "Hi Nisha,\n\nThanks for your order.\n\nWECARE",
                ),
            ),
        // Nobody may answer: the number never consented.
        t(RAHUL, 1, 17, 30).says(0, "Hi, I got this number from a friend. Do you do home delivery?"),
    ];
    for th in threads {
        steps.extend(th.fitted(now));
    }
    // Stable: steps of one thread at the same minute keep their order.
    steps.sort_by_key(|s| s.at);
    steps
}

// ---- Running it -----------------------------------------------------------------------------

/// The API's functions called as the gateway calls them, with the demo's clock.
struct Api<'a> {
    functions: &'a Functions,
}

impl Api<'_> {
    /// Calls `method path` (with its query) with `token`, and the function at `at`; the status and
    /// the JSON body.
    async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
        at: DateTime<Utc>,
    ) -> anyhow::Result<(u16, Value)> {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let (route, params) = match_route(method, path).with_context(|| format!("no route {method} {path}"))?;
        let mut headers = json!({
            "authorization": format!("Bearer {token}"),
            "content-type": "application/json",
            "user-agent": "wecare-local demo",
        });
        if let Some(k) = key {
            headers["idempotency-key"] = json!(k);
        }
        let raw_query = query;
        let query: HashMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let mut context = json!({
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "wecare-local demo",
            },
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": route.route_key(),
            "stage": "$default",
            "time": at.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": at.timestamp_millis(),
        });
        // The token was issued a moment ago: it is checked on the wall clock, as the gateway
        // would check it now. Only the function runs at the step's time.
        let authorizer = json!({
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": format!("arn:aws:execute-api:us-east-1:000000000000:local/$default/{method}{path}"),
            "identitySource": [format!("Bearer {token}")],
            "routeKey": route.route_key(),
            "rawPath": path,
            "rawQueryString": raw_query,
            "headers": headers,
            "queryStringParameters": query,
            "requestContext": context,
            "pathParameters": params,
        });
        // The handlers' futures are large (every function of the stack is in one match), so they
        // live on the heap rather than on the caller's stack (a test thread has 2 MB of it).
        let decision = Box::pin(self.functions.authorize(
            serde_json::from_value(authorizer).context("build the authorizer's event")?,
            wecare_core::time::now(),
        ))
        .await;
        ensure!(decision.is_authorized, "the authorizer denied {method} {path}");
        context["authorizer"] = json!({ "lambda": decision.context });
        let mut event = json!({
            "version": "2.0",
            "routeKey": route.route_key(),
            "rawPath": path,
            "rawQueryString": raw_query,
            "headers": headers,
            "queryStringParameters": query,
            "pathParameters": params,
            "requestContext": context,
            "isBase64Encoded": false,
        });
        if let Some(b) = body {
            event["body"] = json!(b.to_string());
        }
        let request = serde_json::from_value(event).context("build the API Gateway event")?;
        let response = Box::pin(self.functions.invoke(route.function, request, at))
            .await
            .with_context(|| format!("the local stack does not wire {}", route.function))?;
        let text = match response.body {
            Some(Body::Text(t)) if response.is_base64_encoded => {
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(t)?)?
            }
            Some(Body::Text(t)) => t,
            Some(Body::Binary(b)) => String::from_utf8(b)?,
            _ => String::new(),
        };
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).with_context(|| format!("{method} {path} answered {text:?}"))?
        };
        Ok((response.status_code as u16, json))
    }

    /// [`Api::call`], which must answer `expected`.
    async fn expect(
        &self,
        expected: u16,
        token: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
        at: DateTime<Utc>,
    ) -> anyhow::Result<Value> {
        let (status, v) = self.call(token, method, path, body, None, at).await?;
        ensure!(status == expected, "{method} {path} answered {status}: {v}");
        Ok(v)
    }
}

/// The sandbox playing the customers, and the delivery of what it publishes to the inbound
/// handler at the time it happened.
struct Customers<'a> {
    http: reqwest::Client,
    sandbox: String,
    sqs: aws_sdk_sqs::Client,
    /// `whatsapp-events`, the queue subscribed to the events topic.
    queue: String,
    functions: &'a Functions,
}

impl Customers<'_> {
    async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let resp = self
            .http
            .post(format!("{}{path}", self.sandbox))
            .json(body)
            .send()
            .await
            .with_context(|| format!("POST {path} to the sandbox"))?;
        let status = resp.status();
        let text = resp.text().await?;
        ensure!(status.is_success(), "the sandbox answered {path} with {status}: {text}");
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Has the sandbox publish `body` to `path` and the inbound handler take it at `at`.
    async fn publish(&self, path: &str, body: Value, at: DateTime<Utc>) -> anyhow::Result<()> {
        self.post(path, &body).await?;
        self.deliver(at).await
    }

    /// What Lambda's SNS trigger does, at the time the event happened: every event waiting on
    /// the queue (at least one) goes to the inbound handler; a handled one is deleted, a failed
    /// one stays for the events pump to retry.
    async fn deliver(&self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let deadline = Instant::now() + EVENT_LIMIT;
        let mut handled = 0;
        while handled == 0 {
            ensure!(
                Instant::now() < deadline,
                "the customer's event did not reach the events queue within {} s",
                EVENT_LIMIT.as_secs()
            );
            let out = self
                .sqs
                .receive_message()
                .queue_url(&self.queue)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .context("receive from the events queue")?;
            for m in out.messages.unwrap_or_default() {
                let event = m
                    .body()
                    .and_then(crate::pump::sns_event)
                    .context("the events queue holds something that is not an SNS notification")?;
                Box::pin(self.functions.inbound(event, at))
                    .await
                    .context("the inbound handler failed")?;
                if let Some(handle) = m.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.queue)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .context("delete a handled event")?;
                }
                handled += 1;
            }
        }
        Ok(())
    }
}

/// The script's state as it runs.
struct Run<'a> {
    api: &'a Api<'a>,
    customers: &'a Customers<'a>,
    admin: &'a str,
    operator: &'a str,
    /// Contact ids by cast index, as the API gave them.
    contacts: HashMap<usize, String>,
    /// The provider's id of the last WhatsApp message sent to each, for their phone's statuses.
    last_whatsapp: HashMap<usize, String>,
}

/// A small valid PDF, for the document the operator sends.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

impl Run<'_> {
    async fn step(&mut self, i: usize, step: &Step) -> anyhow::Result<()> {
        let who = &CAST[step.who];
        match &step.act {
            Act::Create => {
                let (by, [whatsapp, sms, email]) = who.created.context("this customer is not created by hand")?;
                let token = if by == Role::Admin { self.admin } else { self.operator };
                let body = json!({
                    "name": who.name, "phone": who.phone, "email": who.email,
                    "optInWhatsApp": whatsapp, "optInSms": sms, "optInEmail": email,
                });
                let c = self
                    .api
                    .expect(201, token, "POST", "/api/contacts", Some(&body), step.at)
                    .await?;
                let id = c["contactId"].as_str().context("a created contact without an id")?;
                self.contacts.insert(step.who, id.to_string());
            }
            Act::Says(said) => {
                let phone = who.phone.context("a customer without a phone cannot write")?;
                let mut body = json!({ "from": phone, "name": who.name, "timestamp": step.at.timestamp() });
                match said {
                    Said::Text(text) => body["text"] = json!(text),
                    Said::Image(caption) => {
                        body["type"] = json!("image");
                        body["caption"] = json!(caption);
                    }
                    Said::Document { filename, caption } => {
                        body["type"] = json!("document");
                        body["mimeType"] = json!("application/pdf");
                        body["filename"] = json!(filename);
                        body["caption"] = json!(caption);
                    }
                }
                self.customers.publish("/customer/messages", body, step.at).await?;
            }
            Act::Status(status) => {
                let sent = self
                    .last_whatsapp
                    .get(&step.who)
                    .context("no WhatsApp message was sent to them")?;
                let body = json!({ "messageId": sent, "status": status, "timestamp": step.at.timestamp() });
                self.customers.publish("/customer/statuses", body, step.at).await?;
            }
            Act::Send(what, refusal) => self.send(i, step, what, refusal.as_ref()).await?,
        }
        Ok(())
    }

    async fn send(&mut self, i: usize, step: &Step, what: &Outbound, refusal: Option<&Refusal>) -> anyhow::Result<()> {
        let contact = self
            .contacts
            .get(&step.who)
            .context("sending to a contact the demo did not create")?;
        let body = match what {
            Outbound::WhatsApp(text) => json!({ "contactId": contact, "text": text }),
            Outbound::Template(name, parameters) => json!({
                "contactId": contact,
                "template": { "name": name, "language": "en_US", "parameters": parameters },
            }),
            Outbound::Document { filename, caption } => {
                let s3_key = self.upload(filename).await?;
                json!({ "contactId": contact, "media": { "s3Key": s3_key, "caption": caption, "filename": filename } })
            }
            Outbound::Sms(text) => json!({ "contactId": contact, "text": text }),
            Outbound::Email { subject, text } => json!({ "contactId": contact, "subject": subject, "text": text }),
        };
        if matches!(what, Outbound::WhatsApp(_) | Outbound::Document { .. }) {
            // A reply: the operator has opened the conversation, so what the customer wrote is read.
            let read = format!("/api/conversations/{contact}/read");
            let (status, v) = self.api.call(self.operator, "POST", &read, None, None, step.at).await?;
            ensure!((200..300).contains(&status), "POST {read} answered {status}: {v}");
        }
        if let Some(r) = refusal {
            self.customers
                .post(
                    "/faults",
                    &json!({ "operation": r.operation, "count": 1, "status": 400, "code": r.code, "message": r.message }),
                )
                .await?;
        }
        let path = format!("/api/messages/{}", what.channel());
        // One key per step, as the console keeps one per compose action.
        let key = format!("demo-step-{i}");
        let (status, m) = self
            .api
            .call(self.operator, "POST", &path, Some(&body), Some(&key), step.at)
            .await?;
        match refusal {
            None => ensure!(status == 202, "POST {path} answered {status}: {m}"),
            Some(_) => ensure!(
                m["error"]["code"] == "PROVIDER_ERROR",
                "POST {path} should have been refused by the provider, but answered {status}: {m}"
            ),
        }
        if status == 202 && what.channel() == "whatsapp" {
            let id = m["providerMessageId"]
                .as_str()
                .with_context(|| format!("a sent WhatsApp message without the provider's id: {m}"))?;
            self.last_whatsapp.insert(step.who, id.to_string());
        }
        Ok(())
    }

    /// Uploads a file as the console does; its key. The presigned URL is a credential valid for
    /// minutes, so it is asked for on the wall clock.
    async fn upload(&self, filename: &str) -> anyhow::Result<String> {
        let body = json!({ "mimeType": "application/pdf", "size": PDF.len(), "filename": filename });
        let u = self
            .api
            .expect(
                201,
                self.operator,
                "POST",
                "/api/media/uploads",
                Some(&body),
                wecare_core::time::now(),
            )
            .await?;
        let url = u["uploadUrl"].as_str().context("an upload without a URL")?;
        let put = self
            .customers
            .http
            .put(url)
            .header("Content-Type", "application/pdf")
            .body(PDF)
            .send()
            .await
            .context("PUT the document to its presigned URL")?;
        ensure!(put.status().is_success(), "the upload answered {}", put.status());
        u["s3Key"]
            .as_str()
            .map(str::to_string)
            .context("an upload without a key")
    }
}

/// What a customer writes as the demo ends.
const WAITING: &str = "Hi again! Can I add a second pressure cooker to my order before it ships?";

/// The campaign, run now: an SMS to everyone opted in, previewed, confirmed and sent by the bulk
/// worker to the end.
async fn campaign(api: &Api<'_>, operator: &str) -> anyhow::Result<()> {
    let mut job = json!({
        "name": "Festive sale (SMS)",
        "channel": "sms",
        "content": { "type": "text", "body": "Hi {{name}}, our festive sale is on: 20% off everything until Sunday. WECARE" },
        "recipients": { "type": "filter", "optedIn": true },
    });
    let now = wecare_core::time::now;
    let preview = api
        .expect(200, operator, "POST", "/api/bulk-jobs/preview", Some(&job), now())
        .await?;
    let eligible = preview["eligible"]
        .as_u64()
        .with_context(|| format!("a preview without an eligible count: {preview}"))?;
    ensure!(eligible > 0, "nobody is opted in to SMS: {preview}");
    job["confirmedCount"] = json!(eligible);
    job["previewId"] = preview["previewId"].clone();
    let (status, created) = api
        .call(
            operator,
            "POST",
            "/api/bulk-jobs",
            Some(&job),
            Some("demo-campaign"),
            now(),
        )
        .await?;
    ensure!(status == 202, "POST /api/bulk-jobs answered {status}: {created}");
    let id = created["job"]["jobId"]
        .as_str()
        .with_context(|| format!("a created job without an id: {created}"))?;
    let started = Instant::now();
    let finished = loop {
        let v = api
            .expect(200, operator, "GET", &format!("/api/bulk-jobs/{id}"), None, now())
            .await?;
        if !v["job"]["finishedAt"].is_null() {
            break v["job"].clone();
        }
        if started.elapsed() > CAMPAIGN_LIMIT {
            bail!(
                "the campaign {id} did not finish within {} s (status {}, progress {}): is the bulk pump running?",
                CAMPAIGN_LIMIT.as_secs(),
                v["job"]["status"],
                v["job"]["progress"]
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    ensure!(
        finished["status"] == "COMPLETED",
        "the campaign {id} ended {}: {finished}",
        finished["status"]
    );
    Ok(())
}

/// The assistant, used now: the operator asks the knowledge base two questions, and has a reply
/// drafted for the customer who is waiting; the first draft is rated down and rejected, the
/// second is left for whoever opens the conversation to edit, approve or reject.
async fn assistant(api: &Api<'_>, operator: &str, waiting: &str) -> anyhow::Result<()> {
    let now = wecare_core::time::now;
    for question in ["How long does a refund take?", "Do you deliver to Pune?"] {
        api.expect(
            200,
            operator,
            "POST",
            "/api/ai/query",
            Some(&json!({ "question": question })),
            now(),
        )
        .await?;
    }
    let draft = json!({ "contactId": waiting });
    let first = api
        .expect(201, operator, "POST", "/api/ai/suggestions", Some(&draft), now())
        .await?;
    let id = first["id"]
        .as_str()
        .with_context(|| format!("a draft without an id: {first}"))?;
    let rating = json!({ "rating": "down", "comment": "Does not say whether the order has shipped yet" });
    let path = format!("/api/ai/suggestions/{id}/feedback");
    api.expect(200, operator, "POST", &path, Some(&rating), now()).await?;
    let reason = json!({ "reason": "Check the order's status first" });
    let path = format!("/api/ai/suggestions/{id}/reject");
    api.expect(200, operator, "POST", &path, Some(&reason), now()).await?;
    api.expect(201, operator, "POST", "/api/ai/suggestions", Some(&draft), now())
        .await?;
    Ok(())
}

/// What the tenant holds now, read as an operator reads it.
async fn count(api: &Api<'_>, operator: &str) -> anyhow::Result<Seeded> {
    let now = wecare_core::time::now;
    let contacts = pages(api, operator, "/api/contacts?limit=100").await?;
    let mut messages = 0;
    for c in &contacts {
        let id = c["contactId"].as_str().context("a listed contact without an id")?;
        messages += pages(api, operator, &format!("/api/contacts/{id}/messages?limit=100"))
            .await?
            .len();
    }
    let jobs = api.expect(200, operator, "GET", "/api/bulk-jobs", None, now()).await?;
    let campaigns = jobs["items"]
        .as_array()
        .map_or(0, |j| j.iter().filter(|j| j["status"] == "COMPLETED").count());
    Ok(Seeded {
        contacts: contacts.len(),
        messages,
        campaigns,
        took: Duration::ZERO,
    })
}

/// Every item of a listing, following its cursor.
async fn pages(api: &Api<'_>, token: &str, path: &str) -> anyhow::Result<Vec<Value>> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page_path = match &cursor {
            Some(c) => format!(
                "{path}&cursor={}",
                form_urlencoded::byte_serialize(c.as_bytes()).collect::<String>()
            ),
            None => path.to_string(),
        };
        let page = api
            .expect(200, token, "GET", &page_path, None, wecare_core::time::now())
            .await?;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["nextCursor"].as_str() {
            Some(c) if !c.is_empty() => cursor = Some(c.to_string()),
            _ => return Ok(items),
        }
    }
}

/// `WECARE_DEMO`: `1` (the default) seeds the demo, `0` starts bare.
pub fn wanted(setting: Option<&str>) -> anyhow::Result<bool> {
    match setting.map(str::trim).filter(|v| !v.is_empty()) {
        None | Some("1") => Ok(true),
        Some("0") => Ok(false),
        Some(other) => Err(anyhow!(
            "WECARE_DEMO must be 1 (seed the demo) or 0 (start bare), not {other:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wecare_core::{Email, PhoneNumber, Region};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
    }

    #[test]
    fn every_customer_has_a_phone_or_email_the_platform_accepts_and_no_two_share_one() {
        let mut seen = std::collections::HashSet::new();
        for p in &CAST {
            assert!(p.phone.is_some() || p.email.is_some(), "{}", p.name);
            if let Some(phone) = p.phone {
                let parsed = PhoneNumber::parse(phone, Region::INDIA).unwrap_or_else(|e| panic!("{phone}: {e}"));
                assert_eq!(parsed.as_str(), phone, "stored as written");
                assert!(seen.insert(phone.to_string()), "{phone} twice");
            }
            if let Some(email) = p.email {
                Email::parse(email).unwrap_or_else(|e| panic!("{email}: {e:?}"));
                assert!(seen.insert(email.to_string()), "{email} twice");
            }
        }
    }

    #[test]
    fn the_cast_holds_every_kind_of_consent() {
        let kinds: Vec<OptIns> = CAST.iter().filter_map(|p| p.created.map(|(_, o)| o)).collect();
        for kind in [ALL, WHATSAPP, NONE] {
            assert!(kinds.contains(&kind), "{kind:?}");
        }
        let script = script(at("2026-03-10T12:00:00Z"));
        let stops: Vec<usize> = script
            .iter()
            .filter(|s| matches!(s.act, Act::Says(Said::Text("STOP"))))
            .map(|s| s.who)
            .collect();
        assert!(stops.len() >= 2, "{stops:?}");
        assert!(stops.iter().all(|w| CAST[*w].created.is_some_and(|(_, o)| o[0])));
        assert!(CAST.iter().any(|p| p.created.is_none()), "someone writes in unknown");
    }

    #[test]
    fn the_week_happens_in_the_past_in_order_after_the_contacts_exist() {
        // Early morning in India: today's daytime threads have not happened yet.
        for now in [at("2026-03-10T00:30:00Z"), at("2026-03-10T12:00:00Z")] {
            let steps = script(now);
            assert!(steps.windows(2).all(|w| w[0].at <= w[1].at));
            assert!(steps.iter().all(|s| s.at < now), "nothing in the future at {now}");
            let created: HashMap<usize, DateTime<Utc>> = steps
                .iter()
                .filter(|s| matches!(s.act, Act::Create))
                .map(|s| (s.who, s.at))
                .collect();
            for s in steps.iter().filter(|s| matches!(s.act, Act::Send(..))) {
                assert!(created[&s.who] < s.at, "{} before they exist", s.describe());
            }
            let days: std::collections::BTreeSet<_> = steps
                .iter()
                .filter(|s| !matches!(s.act, Act::Create))
                .map(|s| s.at.date_naive())
                .collect();
            assert!(days.len() >= 6, "spread over the week: {days:?}");
        }
    }

    #[test]
    fn every_whatsapp_reply_is_inside_the_window_its_customer_opened() {
        let steps = script(at("2026-03-10T12:00:00Z"));
        let mut wrote: HashMap<usize, DateTime<Utc>> = HashMap::new();
        for s in &steps {
            match &s.act {
                Act::Says(_) => {
                    wrote.insert(s.who, s.at);
                }
                Act::Send(Outbound::WhatsApp(_) | Outbound::Document { .. }, _) => {
                    let last = wrote
                        .get(&s.who)
                        .unwrap_or_else(|| panic!("{}: never wrote", s.describe()));
                    assert!(s.at - *last < chrono::Duration::hours(24), "{}", s.describe());
                }
                _ => {}
            }
        }
    }

    #[test]
    fn the_setting_is_on_unless_zero_and_refuses_anything_else() {
        assert!(wanted(None).unwrap());
        assert!(wanted(Some("1")).unwrap());
        assert!(wanted(Some(" ")).unwrap());
        assert!(!wanted(Some("0")).unwrap());
        assert!(wanted(Some("no")).is_err());
    }
}
