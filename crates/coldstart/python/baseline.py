"""The Python baseline of the cold-start benchmark: what a Python 3.12 Lambda function doing the
same work as our Rust function costs to cold-start on the same machine.

Run as `python baseline.py PROFILE` with AWS_LAMBDA_RUNTIME_API set, it does what a Python
function's handler module does at import (configuration from the environment, failing fast
with every missing variable named; boto3 and the same clients the Rust `main` builds), then
serves invocations through the Lambda Runtime API with the same answers as the Rust handlers:

  contacts    CONTACTS_TABLE, AUDIT_LOGS_TABLE, DEFAULT_PHONE_REGION; a DynamoDB client.
              A request without authorizer context answers 401 UNAUTHENTICATED.
  authorizer  USERS_TABLE, COGNITO_ISSUER, COGNITO_CLIENT_IDS, JWKS_URL, DEFAULT_TENANT_ID;
              a DynamoDB client and a requests session for the JWKS (not fetched at init).
              A request without a bearer token is denied.
  messaging   the send path's configuration (wecare_messaging::Config: SEND_MODE, the WhatsApp
              numbers and Meta API version, SMS and email senders, three rates, four tables,
              WHATSAPP_TIER_LIMIT, ALERTS_TOPIC_ARN, MEDIA_BUCKET); the clients of
              wecare_messaging::Deps: dynamodb, socialmessaging, pinpoint-sms-voice-v2 and sesv2
              (standard retries, 3 attempts, like the Rust providers), s3 and sns.
              A request without authorizer context answers 401 UNAUTHENTICATED.
  inbound     the messaging configuration plus DEFAULT_TENANT_ID, WHATSAPP_NUMBER_TENANTS,
              MEDIA_BUCKET, MEDIA_FILES_TABLE, DEFAULT_PHONE_REGION; the same six clients.
              An SNS event is parsed like the Rust handler does (Sns.Message → EUM envelope →
              whatsAppWebhookEntry → Meta entry); a status without our callback data is ignored
              and the invocation returns None (`null`), as Rust's Ok(()).
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

    def listed(self, name):
        """A comma-separated list that must be set but may be empty (Rust `Env::list`)."""
        if name not in os.environ:
            self.problems.append(f"{name} is not set")
            return []
        return [item.strip() for item in os.environ[name].split(",") if item.strip()]

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
        raise ValueError("must be an id")
    return s


def region(s):
    code = s.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"unknown region {json.dumps(s)}")
    return code


def number_tenants(pairs):
    tenants = {}
    for pair in pairs:
        number, sep, tenant = pair.partition("=")
        if not sep:
            raise ValueError(f"{json.dumps(pair)} is not number=tenant")
        tenants[number.strip()] = tenant_id(tenant.strip())
    return tenants


def messaging_config(env):
    """wecare_messaging::Config::from_env: every variable, every problem named at once."""
    return {
        "send_mode": env.parsed("SEND_MODE", send_mode),
        "whatsapp_senders": env.listed("WHATSAPP_PHONE_NUMBER_IDS"),
        "meta_api_version": env.required("WHATSAPP_META_API_VERSION"),
        "sms_origination": env.required("SMS_ORIGINATION_IDENTITY"),
        "email_sender": env.required("EMAIL_SENDER"),
        "rates": {
            "whatsapp": env.parsed("RATE_WHATSAPP_PER_SECOND", per_second),
            "sms": env.parsed("RATE_SMS_PER_SECOND", per_second),
            "email": env.parsed("RATE_EMAIL_PER_SECOND", per_second),
        },
        "contacts_table": env.required("CONTACTS_TABLE"),
        "messages_table": env.required("MESSAGES_TABLE"),
        "audit_logs_table": env.required("AUDIT_LOGS_TABLE"),
        "rate_limit_table": env.required("RATE_LIMIT_TRACKERS_TABLE"),
        "whatsapp_tier_limit": env.parsed("WHATSAPP_TIER_LIMIT", tier),
        "alerts_topic_arn": env.required("ALERTS_TOPIC_ARN"),
        "media_bucket": env.required("MEDIA_BUCKET"),
    }


def messaging_clients():
    """wecare_messaging::Deps::new: one DynamoDB client behind the repositories, the three
    providers with the SDK's standard retries (3 attempts), the media bucket and the alerts topic."""
    import boto3
    from botocore.config import Config as ClientConfig

    providers = ClientConfig(retries={"mode": "standard", "max_attempts": 3})
    return {
        "dynamodb": boto3.client("dynamodb"),
        "socialmessaging": boto3.client("socialmessaging", config=providers),
        "pinpoint-sms-voice-v2": boto3.client("pinpoint-sms-voice-v2", config=providers),
        "sesv2": boto3.client("sesv2", config=providers),
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
        "default_tenant": env.matching("DEFAULT_TENANT_ID", ID, "must be an id"),
    }
    env.finish()
    DYNAMODB = boto3.client("dynamodb")
    HTTP = requests.Session()
    JWKS_CACHE = {}
elif PROFILE == "messaging":
    CONFIG = messaging_config(env)
    env.finish()
    CLIENTS = messaging_clients()
elif PROFILE == "inbound":
    # Like the Rust Config: the messaging part first (its errors alone if it fails), then the rest.
    MESSAGING = messaging_config(env)
    env.finish()
    env = Env()
    DEFAULT_TENANT = env.parsed("DEFAULT_TENANT_ID", tenant_id)
    # The map may be empty (every number in the default tenant) but must be set and well formed.
    try:
        NUMBER_TENANTS = number_tenants(env.listed("WHATSAPP_NUMBER_TENANTS"))
    except ValueError as e:
        env.problems.append(f"WHATSAPP_NUMBER_TENANTS is invalid: {e}")
        NUMBER_TENANTS = None
    CONFIG = {
        "messaging": MESSAGING,
        "default_tenant": DEFAULT_TENANT,
        "number_tenants": NUMBER_TENANTS,
        "media_bucket": env.required("MEDIA_BUCKET"),
        "media_files_table": env.required("MEDIA_FILES_TABLE"),
        "default_region": env.parsed("DEFAULT_PHONE_REGION", region),
    }
    env.finish()
    CLIENTS = messaging_clients()
elif PROFILE == "users":
    env.finish()
else:
    sys.exit(f"unknown profile {PROFILE!r}: contacts, authorizer, messaging, inbound or users")


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
    """The SNS message is not an EUM Social envelope (Rust `InboundError::Malformed`)."""


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


def inbound_record(sns_message):
    context, entry = parse_envelope(sns_message)
    number = phone_number_id(context)
    tenant = CONFIG["number_tenants"].get(number, CONFIG["default_tenant"])
    for change in entry.get("changes") or []:
        if change.get("field") != "messages":
            continue
        value = change["value"]
        if value.get("messages"):
            raise NotImplementedError("the baseline does not store inbound messages")
        for status in value.get("statuses") or []:
            inbound_status(tenant, status)


def inbound_handler(event):
    """Every record is tried; the invocation fails if any failed, so SNS retries it."""
    records = event["Records"]
    failed = 0
    for record in records:
        sns = record["Sns"]
        try:
            inbound_record(sns["Message"])
        except Malformed as e:
            LOG.error(
                "record failed; it will be retried",
                extra={"fields": {"error": str(e), "sns_message_id": sns.get("MessageId")}},
            )
            failed += 1
    if failed:
        raise RuntimeError(f"{failed} of {len(records)} records failed")
    return None


HANDLER = {"authorizer": authorizer_handler, "inbound": inbound_handler}.get(PROFILE, http_handler)


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
