#!/usr/bin/env bash
# Every packaging check: Helm chart, kustomize, alerting rules, dashboard, metric docs, Argo CD
# health check, Dockerfiles. One line per check, then "N passed, N failed"; exits non-zero on
# any failure. `make test` runs it.
#
# Run as root on Debian, it first installs the tools it lacks (promtool, Lua 5.1, Go with the
# Sprig sources for the chart renderer, PyYAML and jsonschema). Otherwise checks whose tool is
# missing are skipped, each with a line saying what to install.
set -uo pipefail
export PACKAGING_SUITE=1
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Debian package for each missing tool. A package's presence is tested by what the checks use,
# so nothing is installed when it is already there.
missing_packages() {
  have promtool || echo prometheus
  have lua5.1 || echo lua5.1
  have go || echo golang-go
  [[ -d $GOPATH_DEBIAN/src/github.com/Masterminds/sprig ]] || echo golang-github-masterminds-sprig-dev
  [[ -d $GOPATH_DEBIAN/src/github.com/ghodss/yaml ]] || echo golang-github-ghodss-yaml-dev
  [[ -n $PY_SCHEMA ]] || echo python3-yaml python3-jsonschema
}

install_tools() {
  local packages
  packages=$(missing_packages | tr '\n' ' ')
  [[ -z ${packages// /} ]] && return 0
  if [[ $(id -u) -ne 0 ]] || ! have apt-get; then
    echo "not installing (needs root and apt-get): $packages"
    return 0
  fi
  local had_prometheus=0
  have prometheus && had_prometheus=1
  echo "installing: $packages"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends)
  # shellcheck disable=SC2086 # one word per package
  if ! "${apt[@]}" $packages >"$WORK/apt.log" 2>&1; then
    # A fresh machine may have no package lists yet.
    apt-get update -q >>"$WORK/apt.log" 2>&1
    # shellcheck disable=SC2086
    "${apt[@]}" $packages >>"$WORK/apt.log" 2>&1 || { echo "apt-get install failed:"; tail -20 "$WORK/apt.log"; }
  fi
  # Only promtool is wanted from the prometheus package; do not leave its server running.
  if [[ $had_prometheus -eq 0 ]] && have prometheus; then
    if have systemctl && systemctl is-active --quiet prometheus 2>/dev/null; then
      systemctl disable --now prometheus >/dev/null 2>&1
    elif have service; then
      service prometheus stop >/dev/null 2>&1
    fi
  fi
  find_pythons
}

install_tools
for suite in alerts dashboard argocd_health kustomize helm dockerfile; do
  # shellcheck source=/dev/null
  source "$PACKAGING_DIR/${suite}_test.sh"
done
summary
