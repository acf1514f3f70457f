#!/usr/bin/env bash
# Helm chart: its links to the single sources, values against values.schema.json, README
# coverage, and renders of several value sets through check_manifests.py.
#
# No helm binary can be installed here (Debian ships none), so the chart is rendered by
# tests/packaging/helmrender: Helm's template engine (text/template, Sprig, include, tpl,
# required, lookup, toYaml) without Helm itself. See helmrender/main.go for what it leaves out.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FIXTURES=tests/packaging/fixtures

# Each link in the chart, and the file it must resolve to: one source, shared with kustomize.
links_resolve() {
  local status=0 link expected target
  while read -r link expected; do
    target=$(readlink -f "$CHART_DIR/$link")
    if [[ ! -L $CHART_DIR/$link ]]; then
      echo "$link is not a symbolic link to $expected"; status=1
    elif [[ $target != "$REPO_ROOT/$expected" || ! -f $target ]]; then
      echo "$link resolves to ${target:-nothing}, not to an existing $expected"; status=1
    fi
  done <<'LINKS'
crds/auditlog.dev_webhooks.yaml config/crds/auditlog.dev_webhooks.yaml
files/webhooks-rules.yaml deploy/prometheus/webhooks-rules.yaml
files/webhooks-dashboard.json deploy/grafana/webhooks-dashboard.json
files/argocd-health.lua deploy/argocd/health.lua
files/operator-clusterrole.yaml config/rbac/role.yaml
LINKS
  # Argo CD refuses links that leave the repository; Helm refuses dangling ones.
  while read -r link; do
    target=$(readlink -f "$link")
    if [[ $target != "$REPO_ROOT"/* || ! -e $target ]]; then
      echo "${link#"$REPO_ROOT"/} points outside the repository or nowhere"; status=1
    fi
  done < <(find "$CHART_DIR" -type l)
  return $status
}

# render NAME [helmrender flags...]: the chart in namespace webhooks-system, CRDs included, into
# $WORK/NAME.yaml, and the merged values into $WORK/NAME.values.json.
render() {
  local name=$1
  shift
  helmrender -namespace webhooks-system -release webhooks -include-crds \
    -values-out "$WORK/$name.values.json" "$@" "$CHART_DIR" > "$WORK/$name.yaml"
}

manifests() {
  "$PY" tests/packaging/check_manifests.py "$@"
}

schema_accepts() {
  render "$1" -f "$FIXTURES/values-$1.yaml" && "$PY_SCHEMA" tests/packaging/check_chart.py schema "$WORK/$1.values.json"
}

values_validate() {
  local status=0 fixture
  for fixture in ci namespaced minimal full rotate; do
    schema_accepts "$fixture" || status=1
  done
  for fixture in invalid-unknown-key invalid-type invalid-key-id; do
    if ! render "$fixture" -f "$FIXTURES/values-ci.yaml" -f "$FIXTURES/values-$fixture.yaml"; then
      status=1
    elif ! "$PY_SCHEMA" tests/packaging/check_chart.py schema "$WORK/$fixture.values.json" --invalid; then
      echo "  values-$fixture.yaml"; status=1
    fi
  done
  return $status
}

default_render() {
  render default -f "$FIXTURES/values-ci.yaml" || return 1
  manifests "$WORK/default.yaml" --app-version "$APP_VERSION" --external-secret webhooks-postgresql \
    --expect-kind CustomResourceDefinition=1 --expect-kind ServiceAccount=2 \
    --expect-kind ClusterRole=1 --expect-kind ClusterRoleBinding=1 --expect-kind Role=1 \
    --expect-kind RoleBinding=1 --expect-kind Deployment=2 --expect-kind Service=2 \
    --expect-kind HorizontalPodAutoscaler=1 --expect-kind PodDisruptionBudget=2 \
    --expect-kind NetworkPolicy=2 --expect-kind ServiceMonitor=2 --expect-kind PrometheusRule=1 \
    --expect-kind ConfigMap=1 --expect-kind Secret=2 || return 1
  "$PY" tests/packaging/check_chart.py secrets "$WORK/default.yaml" key-1
}

namespaced_render() {
  render namespaced -f "$FIXTURES/values-namespaced.yaml" || return 1
  manifests "$WORK/namespaced.yaml" --app-version "$APP_VERSION" --external-secret webhooks-postgresql \
    --watch-namespaces team-a,team-b --expect-kind ClusterRole=0 --expect-kind ClusterRoleBinding=0 \
    --expect-kind Role=3 --expect-kind RoleBinding=3 || return 1
  grep -q 'name: Operator__Namespaces__1' "$WORK/namespaced.yaml" || {
    echo "Operator__Namespaces__N is not set from operator.watchNamespaces"; return 1; }
}

minimal_render() {
  render minimal -f "$FIXTURES/values-minimal.yaml" || return 1
  manifests "$WORK/minimal.yaml" --app-version "$APP_VERSION" --operator-replicas 1 --no-leader-election \
    --external-secret app-db --external-secret app-keys --external-secret app-tokens \
    --expect-kind Secret=0 --expect-kind HorizontalPodAutoscaler=0 --expect-kind PodDisruptionBudget=0 \
    --expect-kind NetworkPolicy=0 --expect-kind ServiceMonitor=0 --expect-kind PrometheusRule=0 \
    --expect-kind ConfigMap=0 --expect-kind Role=0 --expect-kind RoleBinding=0 || return 1
  grep -q 'replicas: 3' "$WORK/minimal.yaml" || { echo "dispatcher.replicaCount is not applied without the HPA"; return 1; }
}

full_render() {
  render full -f "$FIXTURES/values-full.yaml" || return 1
  manifests "$WORK/full.yaml" --external-secret webhooks-postgresql \
    --allow-namespace monitoring --allow-namespace argocd --expect-kind ConfigMap=2 || return 1
  local expected status=0
  for expected in '@sha256:0123456789abcdef' 'name: Delivery__AllowedCidrs__1' 'averageUtilization: 80' \
      'stabilizationWindowSeconds: 600' 'priorityClassName: platform-high' 'name: regcred' \
      'whenUnsatisfiable: DoNotSchedule' 'resource.customizations.health.auditlog.dev_Webhook' \
      'grafana_folder: Webhooks' 'release: kube-prometheus-stack' 'value: "simple"' \
      'kubernetes.io/metadata.name: kube-system' 'cidr: 10.20.0.0/16'; do
    grep -qF -- "$expected" "$WORK/full.yaml" || { echo "full render lacks: $expected"; status=1; }
  done
  # commonLabels reach every object the chart renders (the CRD is a plain file).
  [[ $(grep -c '^    team: platform$' "$WORK/full.yaml") -ge $(grep -c '^# Source: webhooks/templates/' "$WORK/full.yaml") ]] ||
    { echo "commonLabels are missing on some objects"; status=1; }
  return $status
}

upgrade_keeps_secrets() {
  render rotate -f "$FIXTURES/values-rotate.yaml" -lookup "$FIXTURES/lookup-secrets.yaml" || return 1
  "$PY" tests/packaging/check_chart.py secrets "$WORK/rotate.yaml" key-2 "$FIXTURES/lookup-secrets.yaml"
}

# render_fails NAME MESSAGE [flags...]: the render must stop with MESSAGE.
render_fails() {
  local name=$1 message=$2
  shift 2
  if render "$name" "$@" 2> "$WORK/$name.err"; then
    echo "$name rendered, expected: $message"; return 1
  fi
  grep -qF -- "$message" "$WORK/$name.err" || { echo "$name failed otherwise:"; cat "$WORK/$name.err"; return 1; }
}

guards_refuse() {
  render_fails no-postgresql "postgresql.existingSecret is required" &&
    render_fails no-leader-election "operator.leaderElection.enabled must be true" \
      -f "$FIXTURES/values-no-leader-election.yaml"
}

check "helm: chart links resolve to the single sources (CRD, rules, dashboard, Lua, RBAC)" links_resolve
if [[ -z $PY ]]; then
  skip "helm: values and renders" "no python3 with PyYAML (Debian package python3-yaml)"
else
  check "helm: README lists every value" "$PY" tests/packaging/check_chart.py readme
  if have_helmrender_deps; then
    if [[ -n $PY_SCHEMA ]]; then
      check "helm: values.schema.json accepts the fixtures and rejects bad values" values_validate
    else
      skip "helm: values.schema.json" "no python3 with jsonschema (Debian package python3-jsonschema)"
    fi
    check "helm: default render (kinds, RBAC, security, wiring, usable generated secrets)" default_render
    check "helm: watchNamespaces renders Roles, no ClusterRole" namespaced_render
    check "helm: minimal render with existing Secrets and optional objects off" minimal_render
    check "helm: every optional value renders" full_render
    check "helm: upgrade keeps existing keys and token, adds the new active key" upgrade_keeps_secrets
    check "helm: missing PostgreSQL Secret and unsafe replicas are refused" guards_refuse
  else
    skip "helm: renders" "go and golang-github-masterminds-sprig-dev / golang-github-ghodss-yaml-dev not installed"
  fi
fi
finish
