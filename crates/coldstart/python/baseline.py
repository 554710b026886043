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

    def finish(self):
        if self.problems:
            sys.exit("configuration is incomplete: " + "; ".join(self.problems))


# ---- init: what the Rust main does before `run` ----------------------------------------------
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
        "default_tenant": env.matching("DEFAULT_TENANT_ID", r"[A-Za-z0-9_-]{1,64}", "must be an id"),
    }
    env.finish()
    DYNAMODB = boto3.client("dynamodb")
    HTTP = requests.Session()
    JWKS_CACHE = {}
elif PROFILE == "users":
    env.finish()
else:
    sys.exit(f"unknown profile {PROFILE!r}: contacts, authorizer or users")


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


HANDLER = authorizer_handler if PROFILE == "authorizer" else http_handler


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
