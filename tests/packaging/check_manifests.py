#!/usr/bin/env python3
"""Assertions on a rendered installation (kubectl kustomize or the Helm chart).

Both installations go through the same checks, so "the chart and kustomize install the same
thing" is tested rather than hoped for; --same-as compares them object by object.

    check_manifests.py RENDER.yaml [--namespace NS] [--app-version V]
        [--expect-kind Kind=N]... [--external-secret NAME]... [--watch-namespaces a,b]
        [--allow-namespace NS]... [--no-leader-election]
        [--same-as OTHER.yaml [--ignore-kind Kind]...]

Prints one line per failed assertion and exits 1 when there is any.
"""
import argparse
import json
import pathlib
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]

# The operator's permissions, exactly: anything added or dropped must be a deliberate change
# here too. (apiGroup, resource, verb, resourceName or "*")
OPERATOR_RULES = {
    ("auditlog.dev", "webhooks", verb, "*") for verb in ("get", "list", "watch", "update", "patch")
} | {
    ("auditlog.dev", "webhooks/status", verb, "*") for verb in ("get", "update", "patch")
} | {
    ("auditlog.dev", "webhooks/finalizers", "update", "*"),
} | {
    ("", "secrets", verb, "*") for verb in ("get", "list", "watch", "create")
} | {
    (group, "events", verb, "*") for group in ("", "events.k8s.io") for verb in ("create", "patch")
}
LEADER_ELECTION_RULES = {
    ("coordination.k8s.io", "leases", "create", "*"),
    ("coordination.k8s.io", "leases", "get", "webhooks-operator"),
    ("coordination.k8s.io", "leases", "update", "webhooks-operator"),
}
SECRET_VERBS_ALLOWED = {"get", "list", "watch", "create"}

COMMON_ENV = {
    "Encryption__KeysPath": "/etc/webhooks/encryption",
}
COMPONENTS = {
    "operator": {
        "port": 8081,
        "env": {
            **COMMON_ENV,
            "Operator__Workers": None,
            "Operator__LeaderElection__Enabled": "true",
            "Operator__LeaderElection__LeaseName": None,
        },
        "field_refs": {
            "Operator__LeaderElection__LeaseNamespace": "metadata.namespace",
            "POD_NAME": "metadata.name",
        },
    },
    "dispatcher": {
        "port": 8080,
        "env": {
            **COMMON_ENV,
            "Ingest__TokensPath": "/etc/webhooks/ingest/tokens",
            "Delivery__Concurrency": None,
            "Delivery__PerEndpointConcurrency": None,
            "Retention__Days": None,
        },
        "field_refs": {},
    },
}
HELM_ONLY_LABELS = ("helm.sh/chart", "app.kubernetes.io/version", "app.kubernetes.io/managed-by")
HEALTH_KEY = "resource.customizations.health.auditlog.dev_Webhook"
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}


class Checker:
    def __init__(self, docs, args):
        self.docs = docs
        self.args = args
        self.failures = []

    def fail(self, message):
        self.failures.append(message)

    def of_kind(self, kind):
        return [d for d in self.docs if d.get("kind") == kind]

    def component(self, component):
        deployments = [d for d in self.of_kind("Deployment")
                       if labels(d).get("app.kubernetes.io/component") == component]
        if len(deployments) != 1:
            self.fail(f"expected one {component} Deployment, found {len(deployments)}")
            return None
        return deployments[0]

    # -- what is there -------------------------------------------------------------------------
    def check_kinds(self):
        for expectation in self.args.expect_kind:
            kind, _, count = expectation.partition("=")
            found = len(self.of_kind(kind))
            if found != int(count or 1):
                self.fail(f"expected {count or 1} {kind}, found {found}")

    def check_namespaces(self):
        watched = set(self.args.watch_namespaces)
        for doc in self.docs:
            if doc["kind"] in CLUSTER_SCOPED:
                continue
            namespace = doc["metadata"].get("namespace")
            allowed = {self.args.namespace} | set(self.args.allow_namespace)
            if doc["kind"] in ("Role", "RoleBinding"):
                allowed |= watched
            if namespace not in allowed:
                self.fail(f"{name(doc)} is in namespace {namespace!r}, expected {self.args.namespace!r}")

    # -- pods ----------------------------------------------------------------------------------
    def check_pods(self):
        for deployment in self.of_kind("Deployment"):
            pod = deployment["spec"]["template"]["spec"]
            pod_security = pod.get("securityContext") or {}
            volumes = {v["name"]: v for v in pod.get("volumes") or []}
            if len(volumes) != len(pod.get("volumes") or []):
                self.fail(f"{name(deployment)}: two volumes share a name")
            containers = (pod.get("initContainers") or []) + pod["containers"]
            for container in containers:
                where = f"{name(deployment)} container {container['name']}"
                security = container.get("securityContext") or {}

                def effective(key):
                    return security.get(key, pod_security.get(key))

                if effective("runAsNonRoot") is not True:
                    self.fail(f"{where}: runAsNonRoot is not true")
                if (effective("seccompProfile") or {}).get("type") != "RuntimeDefault":
                    self.fail(f"{where}: seccompProfile is not RuntimeDefault")
                if security.get("allowPrivilegeEscalation") is not False:
                    self.fail(f"{where}: allowPrivilegeEscalation is not false")
                if security.get("readOnlyRootFilesystem") is not True:
                    self.fail(f"{where}: readOnlyRootFilesystem is not true")
                if security.get("privileged"):
                    self.fail(f"{where}: privileged")
                capabilities = security.get("capabilities") or {}
                if "ALL" not in (capabilities.get("drop") or []) or capabilities.get("add"):
                    self.fail(f"{where}: capabilities must drop ALL and add none")
                if effective("runAsUser") == 0:
                    self.fail(f"{where}: runs as uid 0")
                for field, key in (("env", "name"), ("volumeMounts", "mountPath"), ("ports", "name")):
                    values = [item[key] for item in container.get(field) or []]
                    if len(values) != len(set(values)):
                        self.fail(f"{where}: {field} repeats a {key}: {sorted(values)}")
                mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts") or []}
                if "emptyDir" not in volumes.get(mounts.get("/tmp"), {}):
                    self.fail(f"{where}: /tmp is not an emptyDir (the root filesystem is read-only)")
                resources = container.get("resources") or {}
                if not {"cpu", "memory"} <= set((resources.get("requests") or {})):
                    self.fail(f"{where}: cpu and memory requests are required")
                if "memory" not in (resources.get("limits") or {}):
                    self.fail(f"{where}: a memory limit is required")
                ports = {p["name"]: p["containerPort"] for p in container.get("ports") or []}
                for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"),
                                    ("startupProbe", "/healthz")):
                    http = (container.get(probe) or {}).get("httpGet") or {}
                    if http.get("path") != path or http.get("port") not in ports:
                        self.fail(f"{where}: {probe} must GET {path} on a declared port, got {http}")
                self.check_image(where, container["image"])

    def check_image(self, where, image):
        if "@sha256:" in image:
            return
        tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
        if tag in ("", "latest"):
            self.fail(f"{where}: image {image} has no pinned tag")
        elif self.args.app_version and tag != self.args.app_version:
            self.fail(f"{where}: image tag {tag} is not the chart appVersion {self.args.app_version}")

    def check_components(self):
        for component, spec in COMPONENTS.items():
            deployment = self.component(component)
            if deployment is None:
                continue
            pod = deployment["spec"]["template"]["spec"]
            container = pod["containers"][0]
            where = name(deployment)
            if [p["containerPort"] for p in container.get("ports") or []] != [spec["port"]]:
                self.fail(f"{where}: expected the single container port {spec['port']}")
            env = {e["name"]: e for e in container.get("env") or []}
            wanted = dict(spec["env"])
            if component == "operator" and self.args.no_leader_election:
                wanted["Operator__LeaderElection__Enabled"] = "false"
            for key, value in wanted.items():
                if key not in env:
                    self.fail(f"{where}: env {key} missing")
                elif value is not None and env[key].get("value") != value:
                    self.fail(f"{where}: env {key}={env[key].get('value')!r}, expected {value!r}")
            for key, path in spec["field_refs"].items():
                ref = ((env.get(key) or {}).get("valueFrom") or {}).get("fieldRef") or {}
                if ref.get("fieldPath") != path:
                    self.fail(f"{where}: env {key} must come from the downward API {path}")
            secret_ref = ((env.get("Database__ConnectionString") or {}).get("valueFrom") or {}).get("secretKeyRef")
            if not secret_ref:
                self.fail(f"{where}: Database__ConnectionString must come from a Secret")
            if not (env.get("Encryption__ActiveKeyId") or {}).get("value"):
                self.fail(f"{where}: Encryption__ActiveKeyId must be set")
            mounts = {m["mountPath"]: m for m in container.get("volumeMounts") or []}
            volumes = {v["name"]: v for v in pod.get("volumes") or []}
            keys = volumes.get((mounts.get("/etc/webhooks/encryption") or {}).get("name"), {})
            if "secret" not in keys:
                self.fail(f"{where}: /etc/webhooks/encryption must be a Secret volume")
            if component == "dispatcher":
                tokens = volumes.get((mounts.get("/etc/webhooks/ingest") or {}).get("name"), {})
                items = (tokens.get("secret") or {}).get("items") or []
                if [i.get("path") for i in items] != ["tokens"]:
                    self.fail(f"{where}: the ingest Secret must be mounted as /etc/webhooks/ingest/tokens")
                if pod.get("automountServiceAccountToken") is not False:
                    self.fail(f"{where}: automountServiceAccountToken must be false")
            else:
                replicas = deployment["spec"].get("replicas")
                if self.args.operator_replicas is not None and replicas != self.args.operator_replicas:
                    self.fail(f"{where}: replicas {replicas}, expected {self.args.operator_replicas}")
                if pod.get("automountServiceAccountToken") is not True:
                    self.fail(f"{where}: the operator pod must mount its token explicitly")

    # -- references between objects -------------------------------------------------------
    def check_wiring(self):
        deployments = self.of_kind("Deployment")
        accounts = {d["metadata"]["name"]: d for d in self.of_kind("ServiceAccount")}
        secrets = {d["metadata"]["name"] for d in self.of_kind("Secret")} | set(self.args.external_secret)

        def pods_matching(selector):
            return [d for d in deployments
                    if selector and all(labels(d["spec"]["template"]).get(k) == v for k, v in selector.items())]

        for deployment in deployments:
            pod = deployment["spec"]["template"]["spec"]
            account = accounts.get(pod.get("serviceAccountName"))
            if account is None:
                self.fail(f"{name(deployment)}: ServiceAccount {pod.get('serviceAccountName')} is not rendered")
            elif account.get("automountServiceAccountToken") is not False:
                self.fail(f"ServiceAccount {account['metadata']['name']} must not automount its token")
            if pods_matching(deployment["spec"]["selector"]["matchLabels"]) != [deployment]:
                self.fail(f"{name(deployment)}: its selector does not match its own pods only")
            for reference in secret_references(pod):
                if reference not in secrets:
                    self.fail(f"{name(deployment)}: Secret {reference} is neither rendered nor an expected external Secret")

        services = self.of_kind("Service")
        for service in services:
            targets = pods_matching(service["spec"]["selector"])
            if len(targets) != 1:
                self.fail(f"{name(service)}: selects {len(targets)} Deployments")
                continue
            ports = {p["name"] for p in targets[0]["spec"]["template"]["spec"]["containers"][0]["ports"]}
            for port in service["spec"]["ports"]:
                if port["targetPort"] not in ports:
                    self.fail(f"{name(service)}: targetPort {port['targetPort']} is not a container port")
        for budget in self.of_kind("PodDisruptionBudget"):
            if len(pods_matching(budget["spec"]["selector"]["matchLabels"])) != 1:
                self.fail(f"{name(budget)}: does not select exactly one Deployment")
        for policy in self.of_kind("NetworkPolicy"):
            if len(pods_matching(policy["spec"]["podSelector"]["matchLabels"])) != 1:
                self.fail(f"{name(policy)}: does not select exactly one Deployment")
        for autoscaler in self.of_kind("HorizontalPodAutoscaler"):
            target = [d for d in deployments if d["metadata"]["name"] == autoscaler["spec"]["scaleTargetRef"]["name"]]
            if len(target) != 1:
                self.fail(f"{name(autoscaler)}: its target Deployment is not rendered")
            elif "replicas" in target[0]["spec"]:
                self.fail(f"{name(target[0])}: sets replicas although an HPA scales it")
        for monitor in self.of_kind("ServiceMonitor"):
            selected = [s for s in services
                        if all(labels(s).get(k) == v for k, v in monitor["spec"]["selector"]["matchLabels"].items())]
            if len(selected) != 1:
                self.fail(f"{name(monitor)}: selects {len(selected)} Services")
                continue
            component = labels(selected[0]).get("app.kubernetes.io/component")
            job = labels(selected[0]).get(monitor["spec"].get("jobLabel", ""))
            if job != f"webhooks-{component}":
                self.fail(f"{name(monitor)}: scrapes get job={job!r}, the alerts expect webhooks-{component}")
            service_ports = {p["name"] for p in selected[0]["spec"]["ports"]}
            for endpoint in monitor["spec"]["endpoints"]:
                if endpoint.get("port") not in service_ports or endpoint.get("path") != "/metrics":
                    self.fail(f"{name(monitor)}: endpoint must scrape /metrics on a Service port")
                if endpoint.get("honorLabels") is not True:
                    self.fail(f"{name(monitor)}: honorLabels must be true to keep the Webhook namespace label")

    # -- RBAC -------------------------------------------------------------------------------------
    def check_rbac(self):
        operator = self.component("operator")
        dispatcher = self.component("dispatcher")
        if operator is None or dispatcher is None:
            return
        namespace = self.args.namespace
        operator_sa = operator["spec"]["template"]["spec"]["serviceAccountName"]
        dispatcher_sa = dispatcher["spec"]["template"]["spec"]["serviceAccountName"]
        roles = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d
                 for d in self.of_kind("Role") + self.of_kind("ClusterRole")}

        for role in roles.values():
            for rule in role.get("rules") or []:
                if "*" in sum((rule.get(k) or [] for k in ("apiGroups", "resources", "verbs")), []):
                    self.fail(f"{name(role)}: wildcard rule {rule}")
                if role["kind"] == "ClusterRole" and "secrets" in (rule.get("resources") or []):
                    extra = set(rule.get("verbs") or []) - SECRET_VERBS_ALLOWED
                    if extra:
                        self.fail(f"{name(role)}: grants {sorted(extra)} on secrets cluster-wide")

        granted_cluster, granted_by_namespace = set(), {}
        for binding in self.of_kind("ClusterRoleBinding") + self.of_kind("RoleBinding"):
            subjects = {(s.get("kind"), s.get("name"), s.get("namespace")) for s in binding.get("subjects") or []}
            if ("ServiceAccount", dispatcher_sa, namespace) in subjects:
                self.fail(f"{name(binding)}: binds the dispatcher's ServiceAccount, which must have no RBAC")
            if ("ServiceAccount", operator_sa, namespace) not in subjects:
                continue
            ref = binding["roleRef"]
            scope = None if ref["kind"] == "ClusterRole" else binding["metadata"].get("namespace")
            role = roles.get((ref["kind"], scope, ref["name"]))
            if role is None:
                self.fail(f"{name(binding)}: refers to {ref['kind']} {ref['name']}, which is not rendered")
                continue
            rules = expand(role.get("rules") or [])
            if binding["kind"] == "ClusterRoleBinding":
                granted_cluster |= rules
            else:
                granted_by_namespace.setdefault(binding["metadata"]["namespace"], set()).update(rules)

        expected_by_namespace = {} if self.args.no_leader_election else {namespace: set(LEADER_ELECTION_RULES)}
        if self.args.watch_namespaces:
            expected_cluster = set()
            for watched in self.args.watch_namespaces:
                expected_by_namespace.setdefault(watched, set()).update(OPERATOR_RULES)
        else:
            expected_cluster = OPERATOR_RULES
        if granted_cluster != expected_cluster:
            self.fail("operator cluster-wide rules differ: "
                      f"missing {sorted(expected_cluster - granted_cluster)}, extra {sorted(granted_cluster - expected_cluster)}")
        for scope in sorted(set(expected_by_namespace) | set(granted_by_namespace)):
            want, got = expected_by_namespace.get(scope, set()), granted_by_namespace.get(scope, set())
            if want != got:
                self.fail(f"operator rules in namespace {scope} differ: "
                          f"missing {sorted(want - got)}, extra {sorted(got - want)}")

    # -- shipped files ---------------------------------------------------------------------------
    def check_shipped_content(self):
        dashboard = json.loads((REPO / "deploy/grafana/webhooks-dashboard.json").read_text())
        rules = yaml.safe_load((REPO / "deploy/prometheus/webhooks-rules.yaml").read_text())
        health = (REPO / "deploy/argocd/health.lua").read_text().rstrip("\n")
        for config_map in self.of_kind("ConfigMap"):
            data = config_map.get("data") or {}
            if "webhooks-dashboard.json" in data:
                if labels(config_map).get("grafana_dashboard") != "1":
                    self.fail(f"{name(config_map)}: lacks the grafana_dashboard: \"1\" label")
                if json.loads(data["webhooks-dashboard.json"]) != dashboard:
                    self.fail(f"{name(config_map)}: differs from deploy/grafana/webhooks-dashboard.json")
            if HEALTH_KEY in data and data[HEALTH_KEY].rstrip("\n") != health:
                self.fail(f"{name(config_map)}: differs from deploy/argocd/health.lua")
        for rule in self.of_kind("PrometheusRule"):
            if rule.get("spec") != rules:
                self.fail(f"{name(rule)}: spec differs from deploy/prometheus/webhooks-rules.yaml")

    # -- the other installation ------------------------------------------------------------------
    def check_same_as(self, other_docs):
        ignored = set(self.args.ignore_kind)
        mine = {identity(d): normalize(d) for d in self.docs if d["kind"] not in ignored}
        theirs = {identity(d): normalize(d) for d in other_docs if d["kind"] not in ignored}
        for key in sorted(set(mine) | set(theirs)):
            if key not in theirs:
                self.fail(f"{'/'.join(key)} is only in {self.args.render}")
            elif key not in mine:
                self.fail(f"{'/'.join(key)} is only in {self.args.same_as}")
            elif mine[key] != theirs[key]:
                self.fail(f"{'/'.join(key)} differs: {first_difference(mine[key], theirs[key])}")


def labels(doc):
    return (doc.get("metadata") or {}).get("labels") or {}


def name(doc):
    return f"{doc['kind']} {doc['metadata'].get('namespace', '-')}/{doc['metadata']['name']}"


def identity(doc):
    return doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"]


def expand(rules):
    return {(group, resource, verb, resource_name)
            for rule in rules
            for group in rule.get("apiGroups") or [""]
            for resource in rule.get("resources") or []
            for verb in rule.get("verbs") or []
            for resource_name in rule.get("resourceNames") or ["*"]}


def secret_references(pod):
    for volume in pod.get("volumes") or []:
        if "secret" in volume:
            yield volume["secret"]["secretName"]
    for container in (pod.get("initContainers") or []) + pod["containers"]:
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                yield ref["name"]


def normalize(value):
    """Drops what only Helm adds (its bookkeeping labels) and the trailing newline kustomize keeps
    on generated ConfigMap data, so the two renders compare equal when they install the same."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()
                if not (k in HELM_ONLY_LABELS and isinstance(v, str))}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, str):
        return value.rstrip("\n")
    return value


def first_difference(a, b, path="$"):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {json.dumps(a)[:200]} != {json.dumps(b)[:200]}"


class StrictLoader(yaml.SafeLoader):
    """Rejects a key given twice in one mapping, as the API server's decoder does; PyYAML would
    silently keep the last one and hide a template that emits, say, an env var twice."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        duplicates = {key for key in keys if keys.count(key) > 1}
        if duplicates:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {sorted(duplicates)}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


def load(path):
    with open(path, encoding="utf-8") as stream:
        return [d for d in yaml.load_all(stream, Loader=StrictLoader) if d]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("render")
    parser.add_argument("--namespace", default="webhooks-system")
    parser.add_argument("--app-version", default="")
    parser.add_argument("--operator-replicas", type=int, default=2)
    parser.add_argument("--expect-kind", action="append", default=[], metavar="KIND=N")
    parser.add_argument("--external-secret", action="append", default=[], metavar="NAME")
    parser.add_argument("--watch-namespaces", type=lambda s: [n for n in s.split(",") if n], default=[])
    parser.add_argument("--allow-namespace", action="append", default=[], metavar="NS",
                        help="another namespace objects may be placed in (dashboard, Argo CD ConfigMaps)")
    parser.add_argument("--no-leader-election", action="store_true")
    parser.add_argument("--same-as", metavar="OTHER")
    parser.add_argument("--ignore-kind", action="append", default=[], metavar="KIND")
    args = parser.parse_args()

    checker = Checker(load(args.render), args)
    checker.check_kinds()
    checker.check_namespaces()
    checker.check_pods()
    checker.check_components()
    checker.check_wiring()
    checker.check_rbac()
    checker.check_shipped_content()
    if args.same_as:
        checker.check_same_as(load(args.same_as))
    for failure in checker.failures:
        print(f"  {args.render}: {failure}")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main())
