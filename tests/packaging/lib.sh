# shellcheck shell=bash
# Shared by the packaging test scripts; sourced, not run.
# shellcheck disable=SC2034 # PY, PY_SCHEMA, APP_VERSION, CHART_DIR: used by the scripts that source this
#
# Each *_test.sh runs alone (bash tests/packaging/kustomize_test.sh) or as part of run.sh, which
# sources them all so the counters add up to one summary line.

PACKAGING_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$PACKAGING_DIR/../.." && pwd)
cd "$REPO_ROOT" || exit 2

if [[ -z "${PACKAGING_LIB_LOADED:-}" ]]; then
  PACKAGING_LIB_LOADED=1
  PASSED=0
  FAILED=0
  SKIPPED=0
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/webhooks-packaging.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
fi

# check NAME COMMAND...: one line per check; a failing check's output follows, indented.
check() {
  local name=$1 output status started=$SECONDS
  shift
  output=$("$@" 2>&1)
  status=$?
  if [[ $status -eq 0 ]]; then
    PASSED=$((PASSED + 1))
    printf 'PASS  %s (%ds)\n' "$name" $((SECONDS - started))
  else
    FAILED=$((FAILED + 1))
    printf 'FAIL  %s\n' "$name"
    [[ -n "$output" ]] && printf '%s\n' "$output" | sed 's/^/      /'
  fi
  return 0
}

# skip NAME REASON: for a check whose tool is missing and could not be installed.
skip() {
  SKIPPED=$((SKIPPED + 1))
  printf 'SKIP  %s: %s\n' "$1" "$2"
}

summary() {
  if [[ $SKIPPED -gt 0 ]]; then
    printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
  else
    printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
  fi
  [[ $FAILED -eq 0 ]]
}

# Ends a test script run on its own; inside run.sh the suite prints the summary.
finish() {
  [[ -n "${PACKAGING_SUITE:-}" ]] && return 0
  summary
}

# python_with MODULES: a python3 that imports them: the one on PATH (pyenv on the CI image),
# else Debian's, where run.sh installs python3-yaml and python3-jsonschema.
python_with() {
  local candidate
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import $1" 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}
# Every check needs PyYAML; only the values.schema.json check needs jsonschema too.
find_pythons() {
  PY=$(python_with yaml || true)
  PY_SCHEMA=$(python_with 'yaml, jsonschema' || true)
}
find_pythons

have() { command -v "$1" >/dev/null 2>&1; }

# Go sources of Sprig and ghodss/yaml from Debian's golang-*-dev packages, built in GOPATH mode:
# no module proxy is needed.
GOPATH_DEBIAN=/usr/share/gocode
have_helmrender_deps() {
  have go && [[ -d $GOPATH_DEBIAN/src/github.com/Masterminds/sprig && -d $GOPATH_DEBIAN/src/github.com/ghodss/yaml ]]
}

# Builds tests/packaging/helmrender once per run and prints its path.
helmrender() {
  local binary=$WORK/helmrender
  if [[ ! -x $binary ]]; then
    # A persistent build cache keeps later runs fast; an unwritable home gets a throwaway one.
    local cache=${GOCACHE:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/go-build}
    mkdir -p "$cache" 2>/dev/null && [[ -w $cache ]] || cache=$WORK/go-build
    # GOPATH mode builds a directory outside GOPATH only by a relative path.
    (cd "$PACKAGING_DIR/helmrender" && GO111MODULE=off GOPATH=$GOPATH_DEBIAN GOFLAGS='' GOCACHE=$cache \
      go build -o "$binary" .) || return 1
  fi
  "$binary" "$@"
}

CHART_DIR=$REPO_ROOT/charts/webhooks
APP_VERSION=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$CHART_DIR/Chart.yaml")
