#!/usr/bin/env bash
# Every number docs/DUALMCMC.md reports for one trained Dual-MCMC run, as JSON files in OUT:
#   fid_generated.json / fid_revised.json  FID-FMNIST (with its floor) of G(z) and of T^x(G(z))
#   rec/reconstruction.json                 per-pixel MSE, inference only and inference + T^z
#   inp/inpainting.json                     PSNR/SSIM on the missing pixels, 6 masks x 3 pipelines
#   ood.json                                AUROC of the test split against MNIST test and noise
# Usage: scripts/dualmcmc-eval.sh RUN OUT [N]   (N samples / images per set, default 1000)
set -euo pipefail
run=${1:?usage: dualmcmc-eval.sh RUN OUT [N]}
out=${2:?usage: dualmcmc-eval.sh RUN OUT [N]}
n=${3:-1000}
e="$(cd "$(dirname "$0")/.." && pwd)/ebm4j"
mkdir -p "$out"
t0=$(date +%s)
"$e" dualmcmc sample --run "$run" --out "$out/samples" --n "$n" --seed 1 --quiet
"$e" eval fid --real fashion-mnist:test --fake "$out/samples/generated" --n "$n" > "$out/fid_generated.json"
"$e" eval fid --real fashion-mnist:test --fake "$out/samples/revised" --n "$n" > "$out/fid_revised.json"
"$e" dualmcmc reconstruct --run "$run" --out "$out/rec" --n "$n" --seed 1 --quiet
"$e" dualmcmc inpaint --run "$run" --out "$out/inp" --n $((n / 2)) --seed 1 --quiet
"$e" dualmcmc ood --run "$run" --vs mnist,noise --n "$n" --seed 1 | tail -n 1 > "$out/ood.json"
echo "{\"run\": \"$run\", \"n\": $n, \"seconds\": $(( $(date +%s) - t0 ))}" > "$out/eval.json"
echo "wrote $out"
