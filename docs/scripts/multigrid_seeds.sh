#!/usr/bin/env bash
# The four multi-grid methods under one preset (default fast-eq8: Eq. 8 with its noise term,
# delta 0.02, sigma 1), several seeds each (docs/MULTIGRID.md, "Four methods, three seeds").
# Methods: mcd, single-grid, cd1, pcd (persistent CD as the paper defines it: one chain per
# training image, from the image, continued at its next visit) and pcd-batch (--method pcd --set
# pcdChains=batch: one batch of chains advanced every iteration, ebm4j's pcd before 2026-12-03).
# For every seed (outer loop, so that an interrupted queue leaves whole seeds) and method:
#   train      multigrid train --preset $PRESET --method M --seed S
#   FID        1,000 samples from scratch (multigrid sample --seed 1), vs fashion-mnist:test, n 1000;
#              grid.png and chain.png are moved out of the folder first, so eval fid sees only
#              the 1,000 sample_NNN.png
#   inpaint    doodle and pepper masks, 500 test images, coarse rule any (the default)
#   AUROC      multigrid score (f - |Y|^2/2sigma^2 at the finest grid) of 500 Fashion-MNIST training
#              images (in) and 500 MNIST test images (out), then eval auroc
#   features   multigrid features with 1,000, 2,000 and 4,000 labels (FEATURE_EPOCHS classifier
#              epochs, default 60, the choice made on validation images; 5,000 test images,
#              per-channel standardised features) into RUN/features-e<EPOCHS>-<L>.json; seed 1's mcd
#              run adds --supervised (the same structure trained end to end on the labels; it does
#              not depend on the energy model, so once is enough)
# and writes RUNS_DIR/results/s<S>-<M>.json (one small JSON object per run, rewritten from the
# outputs there are at every pass; a step not run is null). Every step is skipped when its output
# exists, so the script resumes where it stopped (an interrupted training resumes from its
# checkpoint). docs/scripts/multigrid_seeds_table.py RUNS_DIR/results/*.json prints the table.
#
# usage: docs/scripts/multigrid_seeds.sh RUNS_DIR [seed ...]     (default seeds: 1 2 3)
# env:   METHODS (default "mcd single-grid cd1 pcd-batch pcd"), PRESET (default fast-eq8),
#        STEPS (default "train fid inpaint auroc features"; train always runs when a later step
#        needs the model), FEATURE_EPOCHS (default 60), EBM4J (launcher, default ./ebm4j of this checkout; note that ./ebm4j
#        rebuilds with mvn install when sources changed)
# One libtorch thread per command (the machine is shared); one run took 5-12 min in all on a
# 2-core machine with one other job.
set -euo pipefail
. "$(dirname "$0")/single_thread_env.sh"
runs=${1:?usage: $0 RUNS_DIR [seed ...]}
shift
seeds=${*:-1 2 3}
methods=${METHODS:-mcd single-grid cd1 pcd-batch pcd}
preset=${PRESET:-fast-eq8}
steps=" ${STEPS:-train fid inpaint auroc features} "
fe=${FEATURE_EPOCHS:-60}
want() { [[ "$steps" == *" $1 "* ]]; }
T="--threads 1"
mkdir -p "$runs/results"
now() { date +%s; }

for s in $seeds; do
  for m in $methods; do
    name="s$s-$m"
    r="$runs/$name"
    res="$runs/results/$name.json"
    echo "$name: $(date -u +%H:%M:%S) start"

    # 1. train (wall seconds in $r.train_s once finished)
    if [ ! -f "$r.train_s" ]; then
      t0=$(now)
      if [ -f "$r/config.json" ]; then
        "$E" multigrid train --out "$r" --resume $T --progress lines >> "$r.train.log" 2>&1
      else
        case $m in
          pcd-batch) how="--method pcd --set pcdChains=batch" ;;
          *) how="--method $m" ;;
        esac
        "$E" multigrid train --preset "$preset" $how --seed "$s" --out "$r" $T --progress lines >> "$r.train.log" 2>&1
      fi
      echo $(( $(now) - t0 )) > "$r.train_s"
    fi
    t0=$(now)

    # 2. FID-FMNIST of 1,000 samples from scratch
    if want fid && [ ! -f "$r/fid.json" ]; then
      rm -rf "$r/samples1000" "$r/samples1000-extra"
      "$E" multigrid sample --run "$r" --out "$r/samples1000" --n 1000 --seed 1 $T --quiet > /dev/null
      mkdir -p "$r/samples1000-extra"
      for f in grid.png chain.png start.png; do
        if [ -f "$r/samples1000/$f" ]; then mv "$r/samples1000/$f" "$r/samples1000-extra/"; fi
      done
      k=$(ls "$r/samples1000" | wc -l); kp=$(ls "$r/samples1000" | grep -c '^sample_[0-9]*\.png$' || true)
      [ "$k" = 1000 ] && [ "$kp" = 1000 ] || { echo "$name: samples1000 holds $k files ($kp samples), expected 1000" >&2; exit 1; }
      "$E" eval fid --real fashion-mnist:test --fake "$r/samples1000" --n 1000 $T > "$r/fid.json.tmp"
      mv "$r/fid.json.tmp" "$r/fid.json"
    fi

    # 3. inpainting PSNR (doodle, pepper; rule any)
    for k in doodle pepper; do
      if want inpaint && [ ! -f "$r/inpaint-$k/inpaint.json" ]; then
        rm -rf "$r/inpaint-$k"
        "$E" multigrid inpaint --run "$r" --mask $k --n 500 --out "$r/inpaint-$k" $T --quiet > /dev/null
      fi
    done

    # 4. AUROC Fashion-MNIST train (in) vs MNIST test (out) on the finest grid's score
    if want auroc && [ ! -f "$r/auroc.json" ]; then
      "$E" multigrid score --run "$r" --data fashion-mnist:train --n 500 --out "$r/score-fmnist-train.csv" --force $T --quiet > /dev/null
      "$E" multigrid score --run "$r" --data mnist:test --n 500 --out "$r/score-mnist-test.csv" --force $T --quiet > /dev/null
      "$E" eval auroc --in "$r/score-fmnist-train.csv" --out "$r/score-mnist-test.csv" > "$r/auroc.json.tmp"
      mv "$r/auroc.json.tmp" "$r/auroc.json"
    fi
    eval_s=$(( $(now) - t0 ))
    if want fid && want inpaint && want auroc && [ ! -f "$r.eval_s" ]; then echo "$eval_s" > "$r.eval_s"; fi

    # 5. learned features (paper Table 2): a classifier on the frozen nets' features
    for l in 1000 2000 4000; do
      f="$r/features-e$fe-$l.json"
      if want features && [ ! -f "$f" ]; then
        sup=""; [ "$m" = mcd ] && [ "$s" = 1 ] && sup="--supervised"
        "$E" multigrid features --run "$r" --labels $l --epochs $fe --test 5000 $sup $T --quiet > "$f.tmp"
        mv "$f.tmp" "$f"
      fi
    done

    # 6. one result file per run, from the outputs there are
    python3 - "$r" "$m" "$s" "$res" "$preset" "$fe" <<'EOF'
import json, os, sys
r, m, s, res, preset, fe = sys.argv[1:]
def load(p):
    if not os.path.exists(p):
        return {}
    return json.loads(open(p).read().strip().splitlines()[-1])
def num(p):
    return int(open(p).read()) if os.path.exists(p) else None
fid = load(r + '/fid.json'); au = load(r + '/auroc.json')
o = {'run': r, 'method': m, 'seed': int(s), 'preset': preset,
     'train_s': num(r + '.train_s'), 'eval_s': num(r + '.eval_s'),
     'fid': fid.get('fid'), 'kid': fid.get('kid'), 'auroc': au.get('auroc'), 'feature_epochs': int(fe)}
for k in ('doodle', 'pepper'):
    i = load('%s/inpaint-%s/inpaint.json' % (r, k))
    o['psnr_' + k] = i.get('psnr'); o['error_' + k] = i.get('error')
for l in (1000, 2000, 4000):
    f = load('%s/features-e%s-%d.json' % (r, fe, l))
    o['features_%d' % l] = f.get('test_error'); o['supervised_%d' % l] = f.get('supervised_test_error')
json.dump(o, open(res + '.tmp', 'w')); open(res + '.tmp', 'a').write('\n')
import os; os.replace(res + '.tmp', res)
print(json.dumps(o))
EOF
    echo "$name: $(date -u +%H:%M:%S) done"
  done
done
