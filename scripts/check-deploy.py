"""Offline checks of the deployment files, run by scripts/check-deploy.sh with the Python of the
kubernetes-validate venv (scripts/lib.sh, ensure_kubernetes_validate).

  check-deploy.py schemas VERSIONS FILE...   every document of every FILE against the Kubernetes
                                             JSON schemas of each version (comma list), strict:
                                             unknown fields, wrong types, unknown kinds all fail
  check-deploy.py consistency DIR README     what the schemas cannot see (below)
  check-deploy.py json FILE...               each FILE parses as JSON

Exit status 0 when everything passed, 1 otherwise; every failure is one line on standard output.
kubernetes-validate's own command line only warns (and exits 0) for a kind or apiVersion it has no
schema for, so a typo in `apiVersion` would pass it: here that is a failure.
"""

import json
import re
import sys
from pathlib import Path

import kubernetes_validate
import yaml

# Variables the manifests may name before README.md's configuration table lists them: they are
# being built (issue 17). Remove a name once the table has it.
BEING_BUILT = {"GATEHOUSE_LOG_FORMAT", "GATEHOUSE_METRICS_BIND"}
# Must come from a Secret, never from a literal value or the ConfigMap.
SECRET_ONLY = {"DATABASE_URL", "GATEHOUSE_SECRET", "GATEHOUSE_SECRETS_OLD", "BETTER_AUTH_SECRET"}
# README.md's default for GATEHOUSE_SHUTDOWN_TIMEOUT, when the ConfigMap does not set it.
DEFAULT_SHUTDOWN_SECS = 30


def documents(path):
    with open(path, encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def name_of(doc):
    return f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"


def check_schemas(versions, paths):
    failures = 0
    for path in paths:
        try:
            docs = documents(path)
        except (OSError, yaml.YAMLError) as error:
            print(f"FAIL {path}: {error}".replace("\n", " "))
            failures += 1
            continue
        if not docs:
            print(f"FAIL {path}: no YAML document")
            failures += 1
        for doc in docs:
            if not isinstance(doc, dict) or not doc.get("apiVersion") or not doc.get("kind"):
                print(f"FAIL {path}: a document without apiVersion and kind")
                failures += 1
                continue
            failures_before = failures
            for version in versions:
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    where = ".".join(str(part) for part in error.path) or "(top)"
                    print(f"FAIL {path}: {name_of(doc)} against {version}: {where}: {error.message}")
                    failures += 1
                except (kubernetes_validate.SchemaNotFoundError,
                        kubernetes_validate.InvalidSchemaError) as error:
                    print(f"FAIL {path}: {name_of(doc)}: {error.message}")
                    failures += 1
                except kubernetes_validate.utils.VersionNotSupportedError as error:
                    print(f"FAIL kubernetes-validate has no schemas for Kubernetes {error.version}")
                    return 1
            if failures == failures_before:
                print(f"ok   {path}: {name_of(doc)} (Kubernetes {', '.join(versions)}, strict)")
    return 1 if failures else 0


def readme_variables(readme):
    """The variables of README.md's configuration table: the first cell of each row."""
    names = set()
    for line in Path(readme).read_text(encoding="utf-8").splitlines():
        cells = line.split("|")
        if len(cells) > 2 and line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[1]))
    return names


def seconds(raw):
    """A GATEHOUSE_ duration as README.md writes them: whole seconds, or a number with s, m, h."""
    match = re.fullmatch(r"\s*(\d+)\s*(s|sec|secs|m|min|mins|h|hr|hrs)?\s*", raw)
    if not match:
        return None
    unit = (match.group(2) or "s")[0]
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[unit]


def subset(selector, labels):
    return all(labels.get(key) == value for key, value in (selector or {}).items())


def check_consistency(folder, readme):
    folder = Path(folder)
    problems = []
    kustomization = documents(folder / "kustomization.yaml")[0]
    listed = list(kustomization.get("resources") or [])
    files = sorted(p.name for p in folder.glob("*.yaml") if p.name != "kustomization.yaml")
    for name in sorted(set(files) - set(listed)):
        problems.append(f"kustomization.yaml does not list {name}")
    for name in sorted(set(listed) - set(files)):
        problems.append(f"kustomization.yaml lists {name}, which is not in {folder}")

    by_kind = {}
    for name in files:
        for doc in documents(folder / name):
            by_kind.setdefault(doc["kind"], []).append(doc)
    config_maps = {d["metadata"]["name"]: d.get("data") or {} for d in by_kind.get("ConfigMap", [])}
    secrets = {
        d["metadata"]["name"]: {**(d.get("data") or {}), **(d.get("stringData") or {})}
        for d in by_kind.get("Secret", [])
    }
    known = readme_variables(readme) | BEING_BUILT
    for name, data in config_maps.items():
        for key in data:
            if key in SECRET_ONLY:
                problems.append(f"ConfigMap/{name}: {key} belongs in a Secret")
            elif key not in known:
                problems.append(f"ConfigMap/{name}: {key} is not in README.md's configuration table")
    for name, data in secrets.items():
        for key in data:
            if key not in known:
                problems.append(f"Secret/{name}: {key} is not in README.md's configuration table")

    for deployment in by_kind.get("Deployment", []):
        where = name_of(deployment)
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        labels = spec["template"]["metadata"].get("labels") or {}
        if not subset(spec["selector"].get("matchLabels"), labels):
            problems.append(f"{where}: the selector does not match the pod's labels")
        ports = {p.get("name"): p["containerPort"] for c in pod["containers"] for p in c.get("ports") or []}
        shutdown = DEFAULT_SHUTDOWN_SECS
        for container in pod["containers"]:
            for env in container.get("env") or []:
                variable, source = env["name"], env.get("valueFrom") or {}
                if variable not in known:
                    problems.append(f"{where}: {variable} is not in README.md's configuration table")
                if variable in SECRET_ONLY and "secretKeyRef" not in source:
                    problems.append(f"{where}: {variable} must come from a secretKeyRef")
                ref = source.get("secretKeyRef")
                if ref and not ref.get("optional") and ref["key"] not in secrets.get(ref["name"], {}):
                    problems.append(f"{where}: {variable} needs key {ref['key']} of Secret/{ref['name']}")
            for source in container.get("envFrom") or []:
                ref = source.get("configMapRef") or {}
                if ref and ref["name"] not in config_maps:
                    problems.append(f"{where}: no ConfigMap/{ref['name']} in {folder}")
                elif ref:
                    raw = config_maps[ref["name"]].get("GATEHOUSE_SHUTDOWN_TIMEOUT")
                    if raw is not None:
                        shutdown = seconds(raw)
                        if shutdown is None:
                            problems.append(f"{where}: cannot read GATEHOUSE_SHUTDOWN_TIMEOUT={raw}")
                            shutdown = 0
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                port = ((container.get(probe) or {}).get("httpGet") or {}).get("port")
                if isinstance(port, str) and port not in ports:
                    problems.append(f"{where}: {probe} names port {port}, which the container lacks")
            sleep = ((container.get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}
            grace = pod.get("terminationGracePeriodSeconds", 30)
            if grace < sleep.get("seconds", 0) + shutdown:
                problems.append(
                    f"{where}: terminationGracePeriodSeconds {grace} is below the preStop sleep "
                    f"({sleep.get('seconds', 0)} s) plus GATEHOUSE_SHUTDOWN_TIMEOUT ({shutdown} s)"
                )
        for service in by_kind.get("Service", []):
            if not subset(service["spec"].get("selector"), labels):
                continue
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                if isinstance(target, str) and target not in ports:
                    problems.append(f"{name_of(service)}: targetPort {target} is no container port")
                exposes_metrics = target in ("metrics", ports.get("metrics"))
                if exposes_metrics and service["spec"].get("clusterIP") != "None":
                    problems.append(f"{name_of(service)}: the metrics port must stay off the public Service")
        for budget in by_kind.get("PodDisruptionBudget", []):
            if not subset(budget["spec"]["selector"].get("matchLabels"), labels):
                problems.append(f"{name_of(budget)}: the selector does not match {where}'s pods")

    for problem in problems:
        print(f"FAIL {problem}")
    if not problems:
        print(f"ok   {folder}: kustomization, selectors, ports, secrets, variables, grace period")
    return 1 if problems else 0


def check_json(paths):
    failures = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                json.load(f)
            print(f"ok   {path}: JSON")
        except (OSError, ValueError) as error:
            print(f"FAIL {path}: {error}")
            failures += 1
    return 1 if failures else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "schemas":
        return check_schemas(argv[1].split(","), argv[2:])
    if len(argv) == 3 and argv[0] == "consistency":
        return check_consistency(argv[1], argv[2])
    if argv and argv[0] == "json":
        return check_json(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
