#!/usr/bin/env python3
"""Checks of the dashboard, the alerting rules and the documentation around them.

    check_assets.py dashboard OUT_RULES.yaml
        Structure of deploy/grafana/webhooks-dashboard.json; writes every PromQL expression in
        it (panel targets and variable queries, Grafana variables replaced by concrete values)
        as recording rules to OUT_RULES.yaml, so `promtool check rules` parses each one.
    check_assets.py alerts
        Every alert has a severity, summary, description and a runbook_url whose anchor is a
        heading of docs/operations.md; the alerts the project promises all exist.
    check_assets.py metrics OUT_RULES.yaml
        docs/metrics.md documents exactly the metric contract, and the dashboard, the rules and
        the documentation's examples query only those metrics (a typo in a query would
        otherwise graph nothing). Writes the examples to OUT_RULES.yaml for promtool.
    check_assets.py argocd-doc
        The YAML in docs/argocd.md parses, its argocd-cm snippet is deploy/argocd/health.lua,
        and its Applications point at paths that exist.
"""
import json
import pathlib
import re
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "deploy/grafana/webhooks-dashboard.json"
RULES = REPO / "deploy/prometheus/webhooks-rules.yaml"
OPERATIONS = REPO / "docs/operations.md"
METRICS_DOC = REPO / "docs/metrics.md"
HEALTH_SCRIPT = REPO / "deploy/argocd/health.lua"
HEALTH_KEY = "resource.customizations.health.auditlog.dev_Webhook"
RUNBOOK_BASE = "https://github.com/auditlog-dev/webhooks/blob/main/docs/operations.md#"

# The metric names the dispatcher and the operator export (the project's metric contract).
CONTRACT_METRICS = {
    "webhooks_events_ingested_total", "webhooks_deliveries_total",
    "webhooks_delivery_attempt_duration_seconds", "webhooks_delivery_latency_seconds",
    "webhooks_deliveries_pending", "webhooks_deliveries_oldest_pending_age_seconds",
    "webhooks_deliveries_dead", "webhooks_routes", "webhooks_route_disabled",
    "controller_runtime_reconcile_total", "controller_runtime_reconcile_errors_total",
    "controller_runtime_reconcile_time_seconds", "workqueue_depth", "workqueue_adds_total",
    "workqueue_retries_total", "leader_election_master_status",
}
REQUIRED_ALERTS = {
    "WebhookDeliveriesFailing", "WebhookBacklogGrowing", "WebhookEndpointDisabled",
    "DispatcherDown", "OperatorReconcileErrors",
}
METRIC_NAME = re.compile(r"\b((?:webhooks|controller_runtime|workqueue|leader_election)_[a-z0-9_]+)")
# Concrete stand-ins for Grafana's variables, so the expressions are plain PromQL.
GRAFANA_VARIABLES = [
    (re.compile(r"\$__rate_interval|\$\{__rate_interval\}"), "5m"),
    (re.compile(r"\$__interval|\$\{__interval\}"), "1m"),
    (re.compile(r"\$__range|\$\{__range\}"), "1h"),
    (re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*(?::[a-z]+)?\}?"), ".*"),
]


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def dashboard_expressions(dashboard):
    """(where, PromQL) for every panel target and every query variable."""
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            yield f"panel {panel['id']} ({panel['title']}) {target.get('refId')}", target.get("expr", "")
    for variable in dashboard["templating"]["list"]:
        if variable.get("type") != "query":
            continue
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        match = re.fullmatch(r"label_values\((.+),\s*[A-Za-z_][A-Za-z0-9_]*\)", query.strip())
        yield f"variable {variable['name']}", match.group(1) if match else query


def concrete(expr):
    for pattern, value in GRAFANA_VARIABLES:
        expr = pattern.sub(value, expr)
    return expr


def write_rules(out_file, group, expressions):
    """Recording rules promtool can parse; the source location rides along as a label so a
    parse error names the panel or document it came from."""
    rules = [{"record": f"{group}:expression_{index}", "expr": expr, "labels": {"source": where}}
             for index, (where, expr) in enumerate(expressions, start=1)]
    pathlib.Path(out_file).write_text(yaml.safe_dump({"groups": [{"name": group, "rules": rules}]}))


def check_dashboard(out_file):
    failures = []
    dashboard = json.loads(DASHBOARD.read_text())
    for key in ("uid", "title", "panels", "templating"):
        if not dashboard.get(key):
            failures.append(f"dashboard has no {key}")
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    for wanted in ("datasource", "namespace", "webhook"):
        if wanted not in variables:
            failures.append(f"dashboard has no ${wanted} variable")
    ids = [p["id"] for p in panels(dashboard)]
    if len(ids) != len(set(ids)):
        failures.append("panel ids are not unique")
    occupied = {}
    for panel in panels(dashboard):
        grid = panel["gridPos"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                if (x, y) in occupied:
                    failures.append(f"panel {panel['id']} overlaps panel {occupied[(x, y)]}")
                    break
                occupied[(x, y)] = panel["id"]
            else:
                continue
            break
        if grid["x"] + grid["w"] > 24:
            failures.append(f"panel {panel['id']} is wider than the 24-column grid")
        if panel["type"] != "row":
            if not panel.get("targets"):
                failures.append(f"panel {panel['id']} ({panel['title']}) has no query")
            for target in panel.get("targets", []):
                if (target.get("datasource") or {}).get("uid") != "${datasource}":
                    failures.append(f"panel {panel['id']} does not query the $datasource variable")
    expressions = []
    for where, expr in dashboard_expressions(dashboard):
        if expr.strip():
            expressions.append((where, concrete(expr)))
        else:
            failures.append(f"{where}: empty expression")
    write_rules(out_file, "dashboard", expressions)
    return failures


def anchors(markdown):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    result = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", markdown, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        result.add(slug)
    return result


def alerts():
    rules = yaml.safe_load(RULES.read_text())
    return [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]


def check_alerts():
    failures = []
    documented = anchors(OPERATIONS.read_text())
    names = set()
    for rule in alerts():
        name = rule["alert"]
        names.add(name)
        if rule.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
            failures.append(f"{name}: severity must be critical, warning or info")
        annotations = rule.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not str(annotations.get(key, "")).strip():
                failures.append(f"{name}: annotation {key} is missing")
        url = annotations.get("runbook_url", "")
        if not url.startswith(RUNBOOK_BASE):
            failures.append(f"{name}: runbook_url must point into docs/operations.md ({RUNBOOK_BASE}…)")
        elif url[len(RUNBOOK_BASE):] not in documented:
            failures.append(f"{name}: docs/operations.md has no section #{url[len(RUNBOOK_BASE):]}")
        if not rule.get("for"):
            failures.append(f"{name}: no `for`, so a single bad scrape pages someone")
    for missing in sorted(REQUIRED_ALERTS - names):
        failures.append(f"alert {missing} is missing")
    return failures


def referenced_metrics(text):
    names = set()
    for name in METRIC_NAME.findall(text):
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and name[: -len(suffix)] in CONTRACT_METRICS:
                name = name[: -len(suffix)]
        names.add(name)
    return names


def documented_examples(markdown):
    """(where, PromQL) for each expression in the ```promql blocks: an unindented line starts
    one, indented lines continue it, and # starts a comment (PromQL allows them)."""
    for block_number, block in enumerate(re.findall(r"```promql\n(.*?)```", markdown, flags=re.DOTALL), start=1):
        current = []
        for line in block.splitlines() + [""]:
            if current and (not line.strip() or not line[0].isspace()):
                yield f"docs/metrics.md promql block {block_number}", "\n".join(current)
                current = []
            if line.strip() and not line.lstrip().startswith("#"):
                current.append(line)


def check_metrics(out_file):
    failures = []
    markdown = METRICS_DOC.read_text()
    examples = list(documented_examples(markdown))
    write_rules(out_file, "docs", examples)
    documented = set(re.findall(r"^#{2,4}\s+`([a-z_]+)`", markdown, flags=re.MULTILINE))
    for name in sorted(CONTRACT_METRICS - documented):
        failures.append(f"docs/metrics.md has no section for {name}")
    for name in sorted(documented - CONTRACT_METRICS):
        failures.append(f"docs/metrics.md documents {name}, which is not in the metric contract")
    sources = {
        "the dashboard": " ".join(expr for _, expr in dashboard_expressions(json.loads(DASHBOARD.read_text()))),
        "the alerting rules": " ".join(rule["expr"] for rule in alerts()),
        "docs/metrics.md's examples": " ".join(expr for _, expr in examples),
    }
    for source, text in sources.items():
        for name in sorted(referenced_metrics(text) - CONTRACT_METRICS):
            failures.append(f"{source} queries {name}, which no component exports")
    return failures


def check_argocd_doc():
    failures = []
    markdown = (REPO / "docs/argocd.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", markdown, flags=re.DOTALL)
    applications = 0
    for number, block in enumerate(blocks, start=1):
        try:
            document = yaml.safe_load(block)
        except yaml.YAMLError as error:
            failures.append(f"docs/argocd.md yaml block {number} does not parse: {error}")
            continue
        snippet = ((document or {}).get("data") or {}).get(HEALTH_KEY) if isinstance(document, dict) else None
        if snippet is not None and snippet.rstrip("\n") != HEALTH_SCRIPT.read_text().rstrip("\n"):
            failures.append("docs/argocd.md's argocd-cm snippet differs from deploy/argocd/health.lua")
        if isinstance(document, dict) and document.get("kind") == "Application":
            applications += 1
            path = document["spec"]["source"]["path"]
            if not (REPO / path).is_dir():
                failures.append(f"docs/argocd.md Application {document['metadata']['name']}: no directory {path}")
    if HEALTH_KEY not in markdown:
        failures.append("docs/argocd.md lacks the argocd-cm snippet")
    if applications < 2:
        failures.append("docs/argocd.md should show an Application for the chart and one for kustomize")
    return failures


def main(argv):
    if argv[:1] == ["dashboard"] and len(argv) == 2:
        failures = check_dashboard(argv[1])
    elif argv == ["alerts"]:
        failures = check_alerts()
    elif argv == ["argocd-doc"]:
        failures = check_argocd_doc()
    elif argv[:1] == ["metrics"] and len(argv) == 2:
        failures = check_metrics(argv[1])
    else:
        print(__doc__)
        return 2
    for failure in failures:
        print(f"  {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
