#!/usr/bin/env bash
# Deploys what a branch deploys (lib/branches.ts) with the zips `make build` left in
# target/lambda-arm64, then publishes the console with the stack's config.json and smoke-checks
# the result. The deploy workflow runs it after building and assuming its role; an operator runs
# the same, with AWS credentials of the account:
#
#   make build && infra/scripts/deploy.sh main              # production
#   make build && infra/scripts/deploy.sh release/2026.12   # staging
#   make build && infra/scripts/deploy.sh feature/inbox     # that branch's preview
#
# REQUIRE_APPROVAL (default broadening: the CDK CLI asks before widening any permission; CI sets
# never); WECARE_LAMBDA_DIR (default target/lambda-arm64) and FRONTEND_DIR (default frontend) for
# zips and a console elsewhere. Needs node and npm, the AWS CLI, and nothing else.
set -euo pipefail

branch=${1:?usage: infra/scripts/deploy.sh <branch>   (main, hotfix/…, release/…, feature/…)}
repo=$(cd "$(dirname "$0")/../.." && pwd)
infra="$repo/infra"
zips=${WECARE_LAMBDA_DIR:-target/lambda-arm64}
case $zips in /*) ;; *) zips="$repo/$zips" ;; esac
frontend=${FRONTEND_DIR:-$repo/frontend}

cd "$infra"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
# Where the branch deploys; refuses a branch outside the table.
deployment=$(node --import tsx scripts/environment-for-branch.ts "$branch")
stack=$(sed -n 's/^stack=//p' <<<"$deployment")
echo "$branch deploys $stack:"
printf '%s\n' "$deployment"

if [ ! -d "$zips" ]; then
  echo "no functions built in $zips: run 'make build' first" >&2
  exit 1
fi

outputs=$(mktemp)
trap 'rm -f "$outputs"' EXIT
WECARE_LAMBDA_DIR="$zips" npx cdk deploy "$stack" -c "branch=$branch" \
  --require-approval "${REQUIRE_APPROVAL:-broadening}" --no-notices --no-version-reporting \
  --outputs-file "$outputs"

# The stack's outputs (fixed keys, lib/constructs/hosting.ts and lib/wecare-stack.ts).
output() {
  node -e 'const [file, stack, key] = process.argv.slice(1); process.stdout.write(String(JSON.parse(require("fs").readFileSync(file, "utf8"))[stack][key]));' \
    "$outputs" "$stack" "$1"
}
console_url=$(output ConsoleUrl)
bucket=$(output ConsoleBucketName)
distribution=$(output DistributionId)

echo "Publishing the console to $bucket"
cd "$frontend"
npm ci --no-audit --no-fund --loglevel=error
npm run build
output ConsoleConfig >dist/config.json
aws s3 sync dist "s3://$bucket" --delete
aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/*' >/dev/null

cd "$infra"
# A new distribution or function may take a moment: SMOKE_ATTEMPTS tries, SMOKE_DELAY_SECONDS apart.
node --import tsx scripts/smoke-check.ts "$console_url" --attempts "${SMOKE_ATTEMPTS:-10}" --delay-seconds "${SMOKE_DELAY_SECONDS:-15}"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "console-url=$console_url" >>"$GITHUB_OUTPUT"; fi
echo "$stack is up: $console_url"
