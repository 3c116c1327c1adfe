#!/usr/bin/python3
"""Markdown tables of docs/MULTIGRID.md, "Four methods, three seeds (fast-eq8)", from the result
files of docs/scripts/multigrid_seeds.sh: mean ± sd over seeds per method (sd with n - 1; n seeds
given), every run, and mcd against each other method: the gap of the means, the sum of the two sds,
and whether the seeds' ranges are apart (every mcd seed better than every seed of the other).
Usage: multigrid_seeds_table.py RUNS_DIR/results/*.json"""
import json, statistics, sys

ORDER = ['mcd', 'single-grid', 'cd1', 'pcd', 'pcd-batch']
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
print()
QUALITY = [c for c in COLS if not c[0].endswith('_s')]
better = {'fid': -1, 'psnr_doodle': 1, 'psnr_pepper': 1, 'auroc': 1}  # AUROC: higher = MNIST scored lower, Table 1's direction
if 'mcd' in methods:
    print('| mcd vs | ' + ' | '.join(c[1].split(' ↑')[0].split(' ↓')[0] for c in QUALITY) + ' |')
    print('|---|' + '---:|' * len(QUALITY))
    a = [r for r in runs if r['method'] == 'mcd']
    for m in methods:
        if m == 'mcd':
            continue
        b = [r for r in runs if r['method'] == m]
        cells = []
        for k, _, f in QUALITY:
            va = [r[k] for r in a if r.get(k) is not None]; vb = [r[k] for r in b if r.get(k) is not None]
            if not va or not vb:
                cells.append('—')
                continue
            gap = statistics.mean(va) - statistics.mean(vb)
            spread = sum(statistics.stdev(v) if len(v) > 1 else float('nan') for v in (va, vb))
            ua = [x * better[k] for x in va]; ub = [x * better[k] for x in vb]  # higher = better
            if min(ua) > max(ub):
                apart = 'mcd better on every seed'
            elif max(ua) < min(ub):
                apart = 'mcd worse on every seed'
            else:
                apart = 'ranges overlap'
            sds = (f % spread) if spread == spread else '—'  # nan with one seed
            cells.append(('gap %+' + f[1:] + ', sds %s; %s') % (gap, sds, apart))
        print('| %s | %s |' % (m, ' | '.join(cells)))
