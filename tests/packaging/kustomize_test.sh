#!/usr/bin/env bash
# kustomize: config/default renders without flags and installs what the Helm chart installs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Renders config/default once. Kustomize reads files only in or below a kustomization's root, so
# the CRD's single source is reachable only through a kustomization in config/crds itself.
kustomize_default() {
  [[ -s $WORK/kustomize.yaml ]] && return 0
  if [[ ! -f config/crds/kustomization.yaml ]]; then
    echo "config/crds/kustomization.yaml is missing: config/default includes the CRD through it"
    echo "(apiVersion: kustomize.config.k8s.io/v1beta1, kind: Kustomization,"
    echo " resources: [auditlog.dev_webhooks.yaml])"
    return 1
  fi
  kubectl kustomize config/default > "$WORK/kustomize.yaml"
}

# The installation as kubectl would apply it, including the kinds it must contain and nothing
# the dispatcher could use to reach the API.
kustomize_checks() {
  kustomize_default || return 1
  "$PY" tests/packaging/check_manifests.py "$WORK/kustomize.yaml" \
    --namespace webhooks-system --app-version "$APP_VERSION" \
    --expect-kind Namespace=1 --expect-kind CustomResourceDefinition=1 \
    --expect-kind ServiceAccount=2 --expect-kind ClusterRole=1 --expect-kind ClusterRoleBinding=1 \
    --expect-kind Role=1 --expect-kind RoleBinding=1 \
    --expect-kind Deployment=2 --expect-kind Service=2 --expect-kind HorizontalPodAutoscaler=1 \
    --expect-kind PodDisruptionBudget=2 --expect-kind NetworkPolicy=2 \
    --expect-kind ServiceMonitor=2 --expect-kind PrometheusRule=1 --expect-kind ConfigMap=1 \
    --expect-kind Secret=0 \
    --external-secret webhooks-postgresql --external-secret webhooks-encryption \
    --external-secret webhooks-ingest
}

# The chart with the release name and namespace kustomize uses must yield the same objects;
# only the chart's generated Secrets differ (kustomize expects them to exist).
same_as_chart() {
  kustomize_default || return 1
  helmrender -f tests/packaging/fixtures/values-ci.yaml -namespace webhooks-system -release webhooks \
    -include-crds "$CHART_DIR" > "$WORK/helm-as-kustomize.yaml" || return 1
  "$PY" tests/packaging/check_manifests.py "$WORK/kustomize.yaml" --app-version "$APP_VERSION" \
    --external-secret webhooks-postgresql --external-secret webhooks-encryption \
    --external-secret webhooks-ingest \
    --same-as "$WORK/helm-as-kustomize.yaml" --ignore-kind Secret --ignore-kind Namespace
}

# An overlay that only sets another namespace must move everything, RoleBinding subjects and
# the Namespace object included.
overlay_namespace() {
  kustomize_default || return 1
  local overlay=$WORK/overlay base
  mkdir -p "$overlay"
  base=$("$PY" -c 'import os, sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$REPO_ROOT/config/default" "$overlay")
  printf 'namespace: audit-webhooks\nresources:\n  - %s\n' "$base" > "$overlay/kustomization.yaml"
  kubectl kustomize "$overlay" > "$WORK/overlay.yaml" || return 1
  "$PY" tests/packaging/check_manifests.py "$WORK/overlay.yaml" --namespace audit-webhooks \
    --external-secret webhooks-postgresql --external-secret webhooks-encryption \
    --external-secret webhooks-ingest || return 1
  grep -q '^  name: audit-webhooks$' "$WORK/overlay.yaml" || { echo "the Namespace object was not renamed"; return 1; }
}

if [[ -z $PY ]]; then
  skip "kustomize" "no python3 with PyYAML (Debian package python3-yaml)"
elif ! have kubectl; then
  # Debian's kubernetes-client (1.20) embeds a kustomize too old for config/default.
  skip "kustomize" "kubectl not found"
else
  check "kustomize: config/default renders; kinds, RBAC, security contexts, wiring" kustomize_checks
  check "kustomize: an overlay's namespace reaches every object and binding" overlay_namespace
  if have_helmrender_deps; then
    check "kustomize: same objects as the Helm chart" same_as_chart
  else
    skip "kustomize: same objects as the Helm chart" "go and golang-github-masterminds-sprig-dev needed to render the chart"
  fi
fi
finish
