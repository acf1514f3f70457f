#!/usr/bin/env bash
# Argo CD health check for Webhook: deploy/argocd/health.lua and the argocd-cm snippet in
# docs/argocd.md against sample objects, under Lua 5.1 like Argo CD's interpreter.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if have lua5.1; then
  check "argocd: health.lua and the documented snippet on sample Webhooks" \
    lua5.1 tests/packaging/argocd_health_test.lua deploy/argocd/health.lua docs/argocd.md
else
  skip "argocd: health check" "lua5.1 not found (Debian package lua5.1)"
fi
if [[ -n $PY ]]; then
  check "argocd: docs/argocd.md YAML parses and its Applications name existing paths" \
    "$PY" tests/packaging/check_assets.py argocd-doc
else
  skip "argocd: docs" "no python3 with PyYAML (Debian package python3-yaml)"
fi
finish
