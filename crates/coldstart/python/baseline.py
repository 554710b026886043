"""The Python baseline of the cold-start benchmark: what a Python 3.12 Lambda function doing the
same work as our Rust function costs to cold-start on the same machine.

Run as `python baseline.py PROFILE` with AWS_LAMBDA_RUNTIME_API set, it does what a Python
function's handler module does at import (configuration from the environment, failing fast
with every missing variable named; boto3 and the same clients the Rust `main` builds), then
serves invocations through the Lambda Runtime API with the same answers as the Rust handlers:

  contacts    CONTACTS_TABLE, AUDIT_LOGS_TABLE, DEFAULT_PHONE_REGION; a DynamoDB client.
              A request without authorizer context answers 401 UNAUTHENTICATED.
  authorizer  USERS_TABLE, COGNITO_ISSUER, COGNITO_CLIENT_IDS, JWKS_URL, TENANCY (multi, or
              single with DEFAULT_TENANT_ID); a DynamoDB client and a requests session for the
              JWKS (not fetched at init). A request without a bearer token is denied.
  messaging   the send path's configuration (wecare_messaging::Config: SEND_MODE, the Meta API
              version, three rates, SENDERS — the JSON list of tenant-owned senders, checked
              like wecare_core::sender::Senders::parse —, five tables (the template catalogue's
              SYSTEM_CONFIG_TABLE among them), WHATSAPP_TIER_LIMIT, ALERTS_TOPIC_ARN,
              MEDIA_BUCKET); the clients of wecare_messaging::Deps: dynamodb, socialmessaging,
              pinpoint-sms-voice-v2 and sesv2 (no retries, connect and attempt timeouts, like the
              Rust providers), a second socialmessaging for the template catalogue (standard
              retries, 3 attempts, like the Rust one), s3 and sns. The outbound functions,
              messages-read and whatsapp-templates.
              A request without authorizer context answers 401 UNAUTHENTICATED.
  inbound     the messaging configuration plus MEDIA_BUCKET, MEDIA_FILES_TABLE,
              DEFAULT_PHONE_REGION, INBOUND_DLQ_URL, OUTBOUND_DLQ_URL; the same seven clients and
              sqs (inbound-dlq, outbound-dlq).
              An SNS event is parsed like the Rust handler does (Sns.Message → EUM envelope →
              whatsAppWebhookEntry → Meta entry) and belongs to the tenant owning the number in
              SENDERS; a status without our callback data is ignored and the invocation returns
              None (`null`), as Rust's Ok(()).
  bulk        wecare_bulk::Config: the messaging configuration plus BULK_JOBS_TABLE,
              BULK_RECIPIENTS_TABLE, BULK_QUEUE_URL, REPORTS_BUCKET, DEFAULT_PHONE_REGION; the
              clients of wecare_bulk::Deps: the seven of the messaging profile (its s3 serves the
              reports bucket too) and sqs.
              A request without authorizer context answers 401 UNAUTHENTICATED.
  bulk-worker the bulk configuration and clients. An SQS event is answered with an SQS batch
              response; a batch without records answers {"batchItemFailures": []}.
  dlq-replay  the inbound configuration plus BULK_DLQ_URL, BULK_QUEUE_URL and
              DLQ_MESSAGES_TABLE; the inbound clients (the seven and sqs).
              A request without authorizer context answers 401 UNAUTHENTICATED.
  users       no configuration and no AWS client (the Rust `users` builds none);
              GET /api/health answers 200 {"status": "ok"}.

The runtime loop is a minimal stdlib client, lighter than the real Python runtime's
awslambdaric bootstrap, so the baseline is, if anything, faster than a real Python function.
"""

import json
import logging
import os
import re
import sys

PROFILE = sys.argv[1] if len(sys.argv) > 1 else ""


class JsonFormatter(logging.Formatter):
    """One JSON object per log line, like the Rust functions' tracing subscriber."""

    def format(self, record):
        line = {"level": record.levelname, "message": record.getMessage()}
        line.update(getattr(record, "fields", {}))
        return json.dumps(line)


_handler = logging.StreamHandler(sys.stdout)
_handler.setFormatter(JsonFormatter())
LOG = logging.getLogger("function")
LOG.addHandler(_handler)
LOG.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())


class Env:
    """Collects every missing or malformed variable, then fails with all of them at once."""

    def __init__(self):
        self.problems = []

    def required(self, name):
        value = os.environ.get(name, "").strip()
        if not value:
            self.problems.append(f"{name} is not set")
        return value

    def matching(self, name, pattern, expected):
        value = self.required(name)
        if value and not re.fullmatch(pattern, value):
            self.problems.append(f"{name} is invalid: {expected}")
        return value

    def parsed(self, name, parse):
        """A required variable passed through `parse`, whose ValueError says what was expected."""
        raw = self.required(name)
        if not raw:
            return None
        try:
            return parse(raw)
        except ValueError as e:
            self.problems.append(f"{name} is invalid: {e}")
            return None

    def finish(self):
        if self.problems:
            sys.exit("configuration is incomplete: " + "; ".join(self.problems))


# ---- init: what the Rust main does before `run` ----------------------------------------------
ID = r"[A-Za-z0-9_-]{1,64}"


def send_mode(s):
    if s not in ("LIVE", "DRY_RUN"):
        raise ValueError(f"{json.dumps(s)} is neither LIVE nor DRY_RUN")
    return s


def per_second(s):
    try:
        rate = float(s)
    except ValueError:
        rate = float("nan")
    if not 0.0 < rate <= 10_000.0:
        raise ValueError(f"{json.dumps(s)} is not a rate per second between 0 and 10000")
    return rate


def tier(s):
    if not re.fullmatch(r"\+?[0-9]+", s) or int(s) == 0:
        raise ValueError(f"{json.dumps(s)} is not a positive number of conversations")
    return int(s)


def tenant_id(s):
    if not re.fullmatch(ID, s):
        raise ValueError("must be 1–64 characters of letters, digits, '-' or '_'")
    return s


def region(s):
    code = s.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"unknown region {json.dumps(s)}")
    return code


CHANNELS = ("whatsapp", "sms", "email")
SENDER_FIELDS = ("tenant", "channel", "id", "label", "default", "wabaId", "ratePerSecond")


def sender_configs(raw):
    """serde's reading of SENDERS: a JSON list of objects with exactly the known fields."""

    def unreadable(why):
        return ValueError(f"is not a JSON list of senders: {why}")

    try:
        items = json.loads(raw)
    except json.JSONDecodeError as e:
        raise unreadable(e) from e
    if not isinstance(items, list):
        raise unreadable("expected a sequence")
    for item in items:
        if not isinstance(item, dict):
            raise unreadable("expected a sender object")
        for field in item:
            if field not in SENDER_FIELDS:
                raise unreadable(f"unknown field `{field}`")
        for field in ("tenant", "channel", "id", "label"):
            if field not in item:
                raise unreadable(f"missing field `{field}`")
            if not isinstance(item[field], str):
                raise unreadable(f"`{field}` is not a string")
        if item["channel"] not in CHANNELS:
            raise unreadable(f"unknown variant `{item['channel']}`, expected one of {', '.join(CHANNELS)}")
        if not isinstance(item.get("default", False), bool):
            raise unreadable("`default` is not a boolean")
        if not isinstance(item.get("wabaId"), (str, type(None))):
            raise unreadable("`wabaId` is not a string")
        rate = item.get("ratePerSecond")
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float))):
            raise unreadable("`ratePerSecond` is not a number")
    return items


def plausible_email(s):
    """wecare_core::Email::parse, near enough: local@domain with two or more domain labels."""
    lowered = s.strip().lower()
    local, sep, domain = lowered.rpartition("@")
    labels = domain.split(".")
    return (
        bool(sep and local and lowered)
        and len(lowered) <= 254
        and not local.startswith('"')
        and not any(c.isspace() for c in lowered)
        and len(labels) >= 2
        and all(label and all(c.isalnum() or c == "-" for c in label) for label in labels)
    )


def valid_sender_id(channel, sender_id):
    visible = 0 < len(sender_id) <= 256 and all("!" <= c <= "~" and c != "#" for c in sender_id)
    if channel == "whatsapp":
        bare = sender_id[len("phone-number-id-") :] if sender_id.startswith("phone-number-id-") else ""
        return visible and bare != "" and bare.isascii() and bare.isalnum()
    if channel == "email":
        return visible and plausible_email(sender_id)
    return visible


def senders(raw, rates):
    """wecare_core::sender::Senders::parse: every problem of every sender, joined."""
    problems = []
    owners = {}
    defaults = set()
    checked = []
    for i, s in enumerate(sender_configs(raw)):
        at = f"sender {i} ({s['id']})"
        channel, waba, rate = s["channel"], s.get("wabaId"), s.get("ratePerSecond")
        tenant_ok = re.fullmatch(ID, s["tenant"]) is not None
        if not tenant_ok:
            problems.append(
                f"{at}: tenant {json.dumps(s['tenant'])} must be 1–64 characters of letters, digits, '-' or '_'"
            )
        if not valid_sender_id(channel, s["id"]):
            problems.append(f"{at}: {json.dumps(s['id'])} is not a valid {channel} sender id")
        if s["id"] in owners:
            problems.append(
                f"{at}: already configured for tenant {owners[s['id']]}; a sender belongs to exactly one tenant"
            )
        owners[s["id"]] = s["tenant"]
        if not s["label"].strip():
            problems.append(f"{at}: label is empty")
        if channel == "whatsapp" and waba is None:
            problems.append(f"{at}: a WhatsApp number needs its wabaId")
        elif channel == "whatsapp" and not (waba and waba.isascii() and waba.isdigit()):
            problems.append(f"{at}: wabaId {json.dumps(waba)} is not a WhatsApp Business Account id")
        elif channel != "whatsapp" and waba is not None:
            problems.append(f"{at}: only WhatsApp numbers have a wabaId")
        if rate is None:
            rate = rates[channel]
        elif channel == "email":
            problems.append(f"{at}: ratePerSecond {rate} cannot be set per email sender (SES limits the account)")
            rate = rates["email"]
        elif not 0.0 < rate <= 10_000.0:
            problems.append(f"{at}: ratePerSecond {rate} is not between 0 and 10000")
            rate = rates[channel]
        default = s.get("default", False)
        if default:
            if (s["tenant"], channel) in defaults:
                problems.append(f"{at}: tenant {s['tenant']} already has a default {channel} sender")
            defaults.add((s["tenant"], channel))
        if tenant_ok:
            checked.append(
                {
                    "tenant": s["tenant"],
                    "channel": channel,
                    "id": s["id"],
                    "label": s["label"],
                    "default": default,
                    "waba_id": waba,
                    "rate": rate,
                }
            )
    if problems:
        raise ValueError("; ".join(problems))
    # A tenant with senders on a channel but none marked default sends from the first listed.
    for s in checked:
        if (s["tenant"], s["channel"]) not in defaults:
            defaults.add((s["tenant"], s["channel"]))
            s["default"] = True
    return checked


def whatsapp_number(all_senders, named):
    """Senders::whatsapp_number: the WhatsApp sender an inbound event names (id, ARN or bare id)."""
    bare = named.rsplit("/", 1)[-1]
    bare = bare[len("phone-number-id-") :] if bare.startswith("phone-number-id-") else bare
    for s in all_senders:
        if s["channel"] == "whatsapp" and s["id"] == f"phone-number-id-{bare}":
            return s
    return None


def messaging_config(env):
    """wecare_messaging::Config::from_env: every variable, every problem named at once."""
    mode = env.parsed("SEND_MODE", send_mode)
    meta_api_version = env.required("WHATSAPP_META_API_VERSION")
    rates = {
        "whatsapp": env.parsed("RATE_WHATSAPP_PER_SECOND", per_second),
        "sms": env.parsed("RATE_SMS_PER_SECOND", per_second),
        "email": env.parsed("RATE_EMAIL_PER_SECOND", per_second),
    }
    raw_senders = env.required("SENDERS")
    all_senders = None
    # Like Rust: the senders are checked only once the default rates they fall back on are known.
    if raw_senders and all(r is not None for r in rates.values()):
        try:
            all_senders = senders(raw_senders, rates)
        except ValueError as e:
            env.problems.append(f"SENDERS {e}")
    return {
        "send_mode": mode,
        "senders": all_senders,
        "meta_api_version": meta_api_version,
        "contacts_table": env.required("CONTACTS_TABLE"),
        "messages_table": env.required("MESSAGES_TABLE"),
        "audit_logs_table": env.required("AUDIT_LOGS_TABLE"),
        "rate_limit_table": env.required("RATE_LIMIT_TRACKERS_TABLE"),
        "system_config_table": env.required("SYSTEM_CONFIG_TABLE"),
        "whatsapp_tier_limit": env.parsed("WHATSAPP_TIER_LIMIT", tier),
        "alerts_topic_arn": env.required("ALERTS_TOPIC_ARN"),
        "media_bucket": env.required("MEDIA_BUCKET"),
    }


def inbound_config():
    """Like the Rust inbound Config: the messaging part first (its errors alone if it fails),
    then the rest."""
    env = Env()
    messaging = messaging_config(env)
    env.finish()
    env = Env()
    config = {
        "messaging": messaging,
        "media_bucket": env.required("MEDIA_BUCKET"),
        "media_files_table": env.required("MEDIA_FILES_TABLE"),
        "default_region": env.parsed("DEFAULT_PHONE_REGION", region),
        "inbound_dlq_url": env.required("INBOUND_DLQ_URL"),
        "outbound_dlq_url": env.required("OUTBOUND_DLQ_URL"),
        "ai_queue_url": env.required("AI_QUEUE_URL"),
    }
    env.finish()
    return config


def bulk_config():
    """wecare_bulk::Config::from_env: the bulk variables' problems, then the messaging config's
    (its own "configuration is incomplete: …" as one problem), all named at once."""
    messaging_env = Env()
    messaging = messaging_config(messaging_env)
    env = Env()
    config = {
        "jobs_table": env.required("BULK_JOBS_TABLE"),
        "recipients_table": env.required("BULK_RECIPIENTS_TABLE"),
        "queue_url": env.required("BULK_QUEUE_URL"),
        "reports_bucket": env.required("REPORTS_BUCKET"),
        "default_region": env.parsed("DEFAULT_PHONE_REGION", region),
        "messaging": messaging,
    }
    if messaging_env.problems:
        env.problems.append("configuration is incomplete: " + "; ".join(messaging_env.problems))
    env.finish()
    return config


def messaging_clients():
    """wecare_messaging::Deps::new: one DynamoDB client behind the repositories, the three
    providers without retries (a retried send could be a second message) and with the Rust
    providers' timeouts (3 s to connect, 10 s an attempt), the template catalogue's own
    socialmessaging client with the SDK's standard retries (3 attempts in all), the media bucket
    and the alerts topic."""
    import boto3
    from botocore.config import Config as ClientConfig

    providers = ClientConfig(
        retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=3, read_timeout=10
    )
    catalogue = ClientConfig(retries={"mode": "standard", "total_max_attempts": 3})
    return {
        "dynamodb": boto3.client("dynamodb"),
        "socialmessaging": boto3.client("socialmessaging", config=providers),
        "pinpoint-sms-voice-v2": boto3.client("pinpoint-sms-voice-v2", config=providers),
        "sesv2": boto3.client("sesv2", config=providers),
        "socialmessaging-catalogue": boto3.client("socialmessaging", config=catalogue),
        "s3": boto3.client("s3"),
        "sns": boto3.client("sns"),
    }


env = Env()
if PROFILE == "contacts":
    import boto3

    CONFIG = {
        "contacts_table": env.required("CONTACTS_TABLE"),
        "audit_logs_table": env.required("AUDIT_LOGS_TABLE"),
        "default_region": env.matching("DEFAULT_PHONE_REGION", r"[A-Z]{2}", "must be a region code"),
    }
    env.finish()
    DYNAMODB = boto3.client("dynamodb")
elif PROFILE == "authorizer":
    import boto3
    import requests

    CONFIG = {
        "users_table": env.required("USERS_TABLE"),
        "issuer": env.required("COGNITO_ISSUER"),
        "client_ids": [c.strip() for c in env.required("COGNITO_CLIENT_IDS").split(",") if c.strip()],
        "jwks_url": env.required("JWKS_URL"),
    }
    # Tokens must name their tenant (multi), or one tenant takes those that do not (single).
    TENANCY = env.required("TENANCY")
    if TENANCY == "single":
        CONFIG["tenancy"] = ("single", env.parsed("DEFAULT_TENANT_ID", tenant_id))
    elif TENANCY == "multi":
        CONFIG["tenancy"] = ("multi", None)
    elif TENANCY:
        env.problems.append(f"TENANCY {json.dumps(TENANCY)} is neither multi nor single")
    env.finish()
    DYNAMODB = boto3.client("dynamodb")
    HTTP = requests.Session()
    JWKS_CACHE = {}
elif PROFILE == "messaging":
    CONFIG = messaging_config(env)
    env.finish()
    CLIENTS = messaging_clients()
elif PROFILE == "inbound":
    CONFIG = inbound_config()
    CLIENTS = messaging_clients()
    import boto3

    CLIENTS["sqs"] = boto3.client("sqs")
elif PROFILE == "dlq-replay":
    CONFIG = {
        "inbound": inbound_config(),
        "bulk_dlq_url": env.required("BULK_DLQ_URL"),
        "bulk_queue_url": env.required("BULK_QUEUE_URL"),
        "dlq_messages_table": env.required("DLQ_MESSAGES_TABLE"),
    }
    env.finish()
    # The inbound handler's clients: the messaging seven and sqs, which reads the queues too.
    CLIENTS = messaging_clients()
    import boto3

    CLIENTS["sqs"] = boto3.client("sqs")
elif PROFILE in ("bulk", "bulk-worker"):
    CONFIG = bulk_config()
    CLIENTS = messaging_clients()
    import boto3

    # The reports bucket is reached through the messaging profile's S3 client, as in wecare_bulk.
    CLIENTS["sqs"] = boto3.client("sqs")
elif PROFILE == "ai":
    # wecare_ai::Config: its own variables, then the messaging config's, named at once.
    CONFIG = {
        "ai_interactions_table": env.required("AI_INTERACTIONS_TABLE"),
        "knowledge_base_id": env.required("AI_KNOWLEDGE_BASE_ID"),
        "agent_id": env.required("AI_AGENT_ID"),
        "agent_alias_id": env.required("AI_AGENT_ALIAS_ID"),
        "model_arn": env.required("AI_MODEL_ARN"),
        "timeout_ms": env.parsed("AI_TIMEOUT_MS", int) if os.environ.get("AI_TIMEOUT_MS") else 25000,
        "messaging": messaging_config(env),
    }
    env.finish()
    CLIENTS = messaging_clients()
    import boto3

    CLIENTS["bedrock-agent-runtime"] = boto3.client("bedrock-agent-runtime")
elif PROFILE == "users":
    env.finish()
else:
    sys.exit(
        f"unknown profile {PROFILE!r}: contacts, authorizer, messaging, inbound, bulk, bulk-worker, dlq-replay, ai or users"
    )


# ---- handlers ---------------------------------------------------------------------------------
def json_response(status, body):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(body, separators=(",", ":")),
    }


def http_handler(event):
    ctx = event.get("requestContext") or {}
    fields = {"request_id": ctx.get("requestId", ""), "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME")}
    if event.get("routeKey") == "GET /api/health":
        return json_response(200, {"status": "ok"})
    if not ctx.get("authorizer"):
        LOG.info("unauthenticated", extra={"fields": fields})
        return json_response(401, {"error": {"code": "UNAUTHENTICATED", "message": "sign in to continue"}})
    raise NotImplementedError("the baseline only answers unauthenticated requests")


def authorizer_handler(event):
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    raw = (headers.get("authorization") or "").strip()
    scheme, _, rest = raw.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else ("" if rest or raw.lower() == "bearer" else raw)
    if not token:
        LOG.info("deny", extra={"fields": {"decision": "deny", "reason": "no bearer token"}})
        return {"isAuthorized": False, "context": {}}
    raise NotImplementedError("the baseline only answers requests without a token")


# The statuses on the delivery path (Rust `MessageStatus::rank`); others are ignored.
RANKED_STATUSES = ("queued", "sent", "delivered", "read", "failed")


class Malformed(ValueError):
    """The SNS message is not an EUM Social envelope (Rust `Unroutable::Malformed`)."""


def parse_envelope(sns_message):
    """Sns.Message → envelope; its whatsAppWebhookEntry (a JSON string) → one Meta entry."""
    try:
        envelope = json.loads(sns_message)
        if not isinstance(envelope, dict) or not isinstance(envelope.get("whatsAppWebhookEntry"), str):
            raise Malformed("the event is not an EUM Social envelope")
        entry = json.loads(envelope["whatsAppWebhookEntry"])
        if not isinstance(entry, dict):
            raise Malformed("the event is not an EUM Social envelope")
        for change in entry.get("changes") or []:
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                raise Malformed("the event is not an EUM Social envelope")
    except json.JSONDecodeError as e:
        raise Malformed(f"the event is not an EUM Social envelope: {e}") from e
    return envelope.get("context") or {}, entry


def phone_number_id(context):
    """`phone-number-id-…` from the ARN of the number the event arrived on."""
    numbers = context.get("MetaPhoneNumberIds") or []
    arn = numbers[0].get("arn", "") if numbers else ""
    _, sep, bare = arn.rpartition("phone-number-id/")
    return f"phone-number-id-{bare}" if sep and bare else ""


def inbound_status(tenant, status):
    if status.get("status") not in RANKED_STATUSES:
        LOG.warning("unknown status ignored", extra={"fields": {"status": status.get("status")}})
        return
    callback_tenant, sep, _message_id = (status.get("biz_opaque_callback_data") or "").partition(":")
    if not sep:
        LOG.warning("status without our callback data ignored", extra={"fields": {"wamid": status.get("id")}})
        return
    if callback_tenant != tenant:
        LOG.warning("status for another tenant's number ignored", extra={"fields": {"wamid": status.get("id")}})
        return
    raise NotImplementedError("the baseline only ignores statuses that need no table")


def dead_letter(why):
    """Rust sends an event no tenant owns to inbound-dlq with the reason; the baseline never
    gets one."""
    LOG.warning("event stored under no tenant; sent to inbound-dlq", extra={"fields": {"reason": why}})
    raise NotImplementedError("the baseline does not dead-letter events")


def inbound_record(sns_message):
    try:
        context, entry = parse_envelope(sns_message)
    except Malformed as e:
        return dead_letter(f"MALFORMED: {e}")
    number = phone_number_id(context)
    owner = whatsapp_number(CONFIG["messaging"]["senders"], number)
    if owner is None:
        return dead_letter(f"UNOWNED_NUMBER: no tenant owns the WhatsApp number {json.dumps(number)}")
    tenant = owner["tenant"]
    for change in entry.get("changes") or []:
        if change.get("field") != "messages":
            continue
        value = change["value"]
        if value.get("messages"):
            raise NotImplementedError("the baseline does not store inbound messages")
        for status in value.get("statuses") or []:
            inbound_status(tenant, status)


def inbound_handler(event):
    """Each record in turn (the baseline only ever gets records that need no AWS call)."""
    for record in event["Records"]:
        inbound_record(record["Sns"]["Message"])
    return None


# The kinds of wecare_bulk::work::Work (serde tag `kind`).
WORK_KINDS = ("expand", "chunk", "check", "sweep")


def bulk_worker_handler(event):
    """An SQS batch: a message that is not bulk work is reported as failed (SQS moves it to the
    DLQ); nothing failed, the answer is an SQS batch response without failures."""
    failures = []
    for record in event["Records"]:
        message_id = record.get("messageId") or ""
        try:
            work = json.loads(record.get("body") or "")
        except json.JSONDecodeError:
            work = None
        if not isinstance(work, dict) or work.get("kind") not in WORK_KINDS:
            LOG.error("bulk-queue message is not bulk work", extra={"fields": {"message_id": message_id}})
            failures.append({"itemIdentifier": message_id})
            continue
        raise NotImplementedError("the baseline does no bulk work")
    return {"batchItemFailures": failures}


HANDLER = {
    "authorizer": authorizer_handler,
    "inbound": inbound_handler,
    "bulk-worker": bulk_worker_handler,
}.get(PROFILE, http_handler)


# ---- the runtime loop ---------------------------------------------------------------------------
def main():
    import http.client

    api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
    while True:
        api.request("GET", "/2018-06-01/runtime/invocation/next")
        resp = api.getresponse()
        event = json.loads(resp.read())
        request_id = resp.getheader("Lambda-Runtime-Aws-Request-Id")
        try:
            path, body = "response", HANDLER(event)
        except Exception as e:  # reported to the runtime API like the real runtime does
            path, body = "error", {"errorMessage": str(e), "errorType": type(e).__name__}
        payload = json.dumps(body).encode()
        api.request(
            "POST",
            f"/2018-06-01/runtime/invocation/{request_id}/{path}",
            body=payload,
            headers={"Content-Type": "application/json"},
        )
        api.getresponse().read()


if __name__ == "__main__":
    main()
