#!/usr/bin/env python3
"""Wrap webhooks-rules.yaml into the PrometheusRule that kustomize applies.

Kustomize cannot wrap a plain rule file into a custom resource, so prometheusrule.yaml is
generated. The rule text is embedded verbatim (the Helm chart does the same with .Files.Get),
so both installations carry byte-identical expressions and annotations.

    python3 deploy/prometheus/render-prometheusrule.py          # rewrite prometheusrule.yaml
    python3 deploy/prometheus/render-prometheusrule.py --check  # exit 1 when it is stale
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "webhooks-rules.yaml"
TARGET = HERE / "prometheusrule.yaml"

HEADER = """\
# GENERATED from webhooks-rules.yaml by render-prometheusrule.py. Do not edit: change the rule
# file and run `python3 deploy/prometheus/render-prometheusrule.py`.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: webhooks
  labels:
    app.kubernetes.io/name: webhooks
    app.kubernetes.io/instance: webhooks
    app.kubernetes.io/component: monitoring
    app.kubernetes.io/part-of: auditlog-webhooks
spec:
"""


def render() -> str:
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    return HEADER + "".join(f"  {line}\n" if line.strip() else "\n" for line in lines)


def main() -> int:
    wanted = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != wanted:
            print(f"{TARGET.name} is stale: run python3 deploy/prometheus/render-prometheusrule.py")
            return 1
        return 0
    TARGET.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
