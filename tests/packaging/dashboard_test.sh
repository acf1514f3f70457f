#!/usr/bin/env bash
# Grafana dashboard and metric documentation: structure, every PromQL expression parses, and
# only contract metrics are queried.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Writes the expressions as recording rules, then lets promtool parse them: promtool has no
# parse-only command for a bare expression, but `check rules` parses without evaluating.
parses() {
  local kind=$1 rules=$WORK/$1-expressions.yaml
  "$PY" tests/packaging/check_assets.py "$kind" "$rules" && promtool check rules "$rules"
}

if [[ -z $PY ]]; then
  skip "dashboard and metric docs" "no python3 with PyYAML (Debian package python3-yaml)"
elif ! have promtool; then
  skip "dashboard and metric docs" "promtool not found (Debian package prometheus)"
else
  check "dashboard: structure, variables, every expression parses" parses dashboard
  check "docs/metrics.md: the metric contract, examples parse, no unknown metric queried" parses metrics
fi
finish
