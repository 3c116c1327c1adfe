#!/usr/bin/python3
"""Markdown tables of docs/MULTIGRID.md, "Four methods, three seeds (fast-eq8)", from the result
files of docs/scripts/multigrid_seeds.sh: mean ± sd over seeds per method (sd with n - 1; n seeds
given), then every run.
Usage: multigrid_seeds_table.py RUNS_DIR/results/*.json"""
import json, statistics, sys

ORDER = ['mcd', 'single-grid', 'cd1', 'pcd']
COLS = [('fid', 'FID-FMNIST ↓', '%.1f'), ('psnr_doodle', 'PSNR doodle (dB) ↑', '%.2f'),
        ('psnr_pepper', 'PSNR pepper (dB) ↑', '%.2f'), ('auroc', 'AUROC FMNIST-train vs MNIST', '%.3f'),
        ('train_s', 'train (s)', '%.0f'), ('eval_s', 'eval (s)', '%.0f')]

runs = [json.loads(open(p).read()) for p in sys.argv[1:]]
methods = sorted({r['method'] for r in runs}, key=lambda m: (ORDER.index(m) if m in ORDER else 99, m))


def cell(vals, fmt):
    if not vals:
        return '—'
    if len(vals) == 1:
        return fmt % vals[0]
    return (fmt + ' ± ' + fmt) % (statistics.mean(vals), statistics.stdev(vals))


print('| method | seeds | ' + ' | '.join(c[1] for c in COLS) + ' |')
print('|---|---:|' + '---:|' * len(COLS))
for m in methods:
    rs = sorted((r for r in runs if r['method'] == m), key=lambda r: r['seed'])
    print('| %s | %d (%s) | ' % (m, len(rs), ', '.join(str(r['seed']) for r in rs))
          + ' | '.join(cell([r[k] for r in rs if r.get(k) is not None], f) for k, _, f in COLS) + ' |')
print()
print('| run | ' + ' | '.join(c[1] for c in COLS) + ' |')
print('|---|' + '---:|' * len(COLS))
for m in methods:
    for r in sorted((r for r in runs if r['method'] == m), key=lambda r: r['seed']):
        print('| %s, seed %d | ' % (m, r['seed'])
              + ' | '.join((f % r[k]) if r.get(k) is not None else '—' for k, _, f in COLS) + ' |')
