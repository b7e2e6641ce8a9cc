#!/bin/sh
# The usual Helm post-renderer with kustomize: stdin into a fresh folder beside a kustomization, then
# `kubectl kustomize`. $KUSTOMIZATION_DIR holds kustomization.yaml (listing render.yaml) and its files.
set -e
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/render.yaml"
cp "$KUSTOMIZATION_DIR"/* "$dir/"
"$KUBECTL" kustomize "$dir"
