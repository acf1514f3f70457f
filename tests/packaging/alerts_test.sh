#!/usr/bin/env bash
# Alerting rules: valid for promtool, each alert fires on a failing series and stays quiet on a
# healthy one (alerts_test.yaml), annotations and runbooks complete, kustomize copy in sync.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if have promtool; then
  check "alerts: promtool check rules" promtool check rules deploy/prometheus/webhooks-rules.yaml
  check "alerts: promtool unit tests fire and stay quiet" promtool test rules tests/packaging/alerts_test.yaml
else
  skip "alerts: promtool checks" "promtool not found (Debian package prometheus)"
fi
if [[ -n $PY ]]; then
  check "alerts: summary, description and runbook section for each" "$PY" tests/packaging/check_assets.py alerts
  check "alerts: kustomize PrometheusRule generated from the rule file" "$PY" deploy/prometheus/render-prometheusrule.py --check
else
  skip "alerts: annotation and sync checks" "no python3 with PyYAML (Debian package python3-yaml)"
fi
finish
