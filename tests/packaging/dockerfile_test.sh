#!/usr/bin/env bash
# Dockerfiles, statically: no daemon or registry is reachable here to build the images.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -n $PY ]]; then
  check "dockerfiles: stages, copied projects, non-root user, port, entrypoint, ignore file" \
    "$PY" tests/packaging/check_dockerfiles.py
else
  skip "dockerfiles" "no python3 with PyYAML (Debian package python3-yaml)"
fi
finish
