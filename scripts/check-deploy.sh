#!/usr/bin/env bash
# Validates the deployment files offline: every manifest in deploy/kubernetes against the
# Kubernetes JSON schemas (strict: unknown fields, wrong types and unknown kinds fail) of the
# oldest and the newest Kubernetes version they are for, then what the schemas cannot see
# (scripts/check-deploy.py consistency), and that deploy/grafana/*.json parse. No cluster and no
# network: the schemas ship inside the pinned kubernetes-validate package (scripts/lib.sh).
# To be sure the check can fail, it also validates broken copies of the Deployment and fails if
# any of them passes. Run by .ci/run's lint stage; prints its steps' durations and its total.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
began=$(date +%s%N)

# 1.30: the oldest release whose default feature gates run the preStop sleep action
# (deployment.yaml); 1.37: the newest release kubernetes-validate has schemas for.
KUBE_VERSIONS=1.30.0,1.37.0
manifests=()
for file in deploy/kubernetes/*.yaml; do
  [ "$(basename "$file")" = kustomization.yaml ] || manifests+=("$file")
done

ensure_kubernetes_validate
py=$GATEHOUSE_KUBE_VALIDATE_PYTHON

log "deploy/kubernetes: Kubernetes $KUBE_VERSIONS schemas (kubernetes-validate $KUBERNETES_VALIDATE_VERSION, strict)"
"$py" scripts/check-deploy.py schemas "$KUBE_VERSIONS" "${manifests[@]}"

log "deploy/kubernetes: kustomization, selectors, ports, secrets, variables, grace period"
"$py" scripts/check-deploy.py consistency deploy/kubernetes README.md

log "the schema check refuses broken copies"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# break NAME SED-EXPRESSION: a copy of deployment.yaml with one change, which must be a change.
break_copy() {
  sed -e "$2" deploy/kubernetes/deployment.yaml > "$scratch/$1.yaml"
  if cmp -s deploy/kubernetes/deployment.yaml "$scratch/$1.yaml"; then
    echo "check-deploy: the edit for $1 changed nothing in deployment.yaml; update this script" >&2
    exit 1
  fi
}
break_copy replicas-as-text 's/^  replicas: 3$/  replicas: "three"/'
break_copy unknown-field 's/^          readinessProbe:$/          readinesProbe:/'
break_copy unknown-api-version 's|^apiVersion: apps/v1$|apiVersion: apps/v1beta9|'
for broken in "$scratch"/*.yaml; do
  if answer=$("$py" scripts/check-deploy.py schemas "$KUBE_VERSIONS" "$broken" 2>&1); then
    printf '%s\n' "$answer"
    echo "check-deploy: $(basename "$broken") passed the schema check: the check is not working" >&2
    exit 1
  fi
  echo "refused, as it should be: $(basename "$broken")"
  sed -e "s|$scratch/||" -e 's/^/    /' <<<"$answer"
done

dashboards=(deploy/grafana/*.json)
if [ -e "${dashboards[0]}" ]; then
  log "deploy/grafana: dashboards parse as JSON"
  "$py" scripts/check-deploy.py json "${dashboards[@]}"
fi

elapsed_ms=$(( ($(date +%s%N) - began) / 1000000 ))
log "check-deploy passed"
printf 'check-deploy took %d.%01d s\n' $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
