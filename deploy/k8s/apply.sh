#!/usr/bin/env bash
# Applies an overlay of deploy/k8s in the order Parley needs (docs/deploy.md):
#
#   1. every object except the Deployments (label parley.dev/phase=rollout): configuration,
#      Secrets, the operators' objects (databases, Redis, RabbitMQ), Services, autoscalers,
#      policies, and the migration Jobs, after deleting the previous Jobs (a Job's pod template
#      cannot change);
#   2. wait until every migration Job has completed;
#   3. the Deployments, and wait for their rollouts.
#
#   deploy/k8s/apply.sh dev|prod
#
# With IMAGE_REGISTRY and IMAGE_TAG set (the pipeline), the overlay's images are first set to
# $IMAGE_REGISTRY/parley-<process>:$IMAGE_TAG (`kustomize edit set image`, in a copy).
# Needs kubectl and kustomize; the operators must be installed in the cluster.
set -euo pipefail
cd "$(dirname "$0")"
overlay=${1:?usage: apply.sh dev|prod}
[[ -d overlays/$overlay ]] || { echo "no overlay $overlay" >&2; exit 64; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r base overlays "$work/"
if [[ -n "${IMAGE_REGISTRY:-}" && -n "${IMAGE_TAG:-}" ]]; then
  (
    cd "$work/overlays/$overlay"
    for process in accounts accounts-worker groups messages notifications gateway; do
      kustomize edit set image "parley-$process=$IMAGE_REGISTRY/parley-$process:$IMAGE_TAG"
    done
  )
fi
kustomize build "$work/overlays/$overlay" > "$work/rendered.yaml"
namespace=$(sed -n 's/^namespace: *//p' "overlays/$overlay/kustomization.yaml")

kubectl -n "$namespace" delete job -l app.kubernetes.io/component=migration --ignore-not-found
kubectl apply -f "$work/rendered.yaml" -l 'parley.dev/phase!=rollout'
kubectl -n "$namespace" wait --for=condition=complete job -l app.kubernetes.io/component=migration --timeout=15m
kubectl apply -f "$work/rendered.yaml" -l parley.dev/phase=rollout
for deployment in $(kubectl -n "$namespace" get deployment -l parley.dev/phase=rollout -o name); do
  kubectl -n "$namespace" rollout status "$deployment" --timeout=10m
done
