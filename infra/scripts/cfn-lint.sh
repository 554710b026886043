#!/usr/bin/env bash
# Lints the synthesized CloudFormation templates in cdk.out with cfn-lint (settings in
# .cfnlintrc.yaml). Uses $CFN_LINT, else the project virtualenv's, else one on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

cfn_lint="${CFN_LINT:-}"
if [ -z "$cfn_lint" ]; then
  if [ -x ../.venv/bin/cfn-lint ]; then
    cfn_lint=../.venv/bin/cfn-lint
  elif command -v cfn-lint >/dev/null; then
    cfn_lint=$(command -v cfn-lint)
  else
    echo "cfn-lint not found: install it into the project virtualenv (pip install cfn-lint==1.58.0) or set CFN_LINT" >&2
    exit 2
  fi
fi

shopt -s nullglob
templates=(cdk.out/*.template.json)
if [ ${#templates[@]} -eq 0 ]; then
  echo "no templates in cdk.out: run 'npm run synth' first" >&2
  exit 2
fi

echo "$("$cfn_lint" --version) on ${#templates[@]} templates"
"$cfn_lint" -- "${templates[@]}"
echo "cfn-lint: clean"
