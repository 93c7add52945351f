#!/usr/bin/env bash
# Writes $KUBECONFIG_DATA (a kubeconfig, base64) to ~/.kube/config for the pipeline's deploy job.
set -euo pipefail
: "${KUBECONFIG_DATA:?KUBECONFIG_DATA (base64 kubeconfig) is not set}"
mkdir -p "$HOME/.kube"
printf '%s' "$KUBECONFIG_DATA" | base64 -d > "$HOME/.kube/config"
chmod 600 "$HOME/.kube/config"
kubectl version --client
