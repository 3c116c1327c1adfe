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
        ('features_1000', 'features 1k (% err) ↓', '%.1f'), ('features_2000', '2k ↓', '%.1f'),
        ('features_4000', '4k ↓', '%.1f'),
        ('train_s', 'train (s)', '%.0f'), ('eval_s', 'eval (s)', '%.0f')]
SUPERVISED = [('supervised_%d' % l, 'supervised %dk (%% err)' % (l // 1000), '%.1f') for l in (1000, 2000, 4000)]

runs = [json.loads(open(p).read()) for p in sys.argv[1:]]
for r in runs:  # error rates in per cent
    for k in [c[0] for c in COLS + SUPERVISED if c[0].startswith(('features_', 'supervised_'))]:
        if r.get(k) is not None:
            r[k] = 100 * r[k]
# keep only the columns some run has
COLS = [c for c in COLS if any(r.get(c[0]) is not None for r in runs)]
methods = sorted({r['method'] for r in runs}, key=lambda m: (ORDER.index(m) if m in ORDER else 99, m))


def cell(vals, fmt, of=None):
    """mean ± sd of vals; '(k of n)' when only k of the method's n runs have the value."""
    if not vals:
        return '—'
    if len(vals) == 1:
        out = fmt % vals[0]
    else:
        out = (fmt + ' ± ' + fmt) % (statistics.mean(vals), statistics.stdev(vals))
    return out + (' (%d of %d)' % (len(vals), of) if of and len(vals) < of else '')


print('| method | seeds | ' + ' | '.join(c[1] for c in COLS) + ' |')
print('|---|---:|' + '---:|' * len(COLS))
for m in methods:
    rs = sorted((r for r in runs if r['method'] == m), key=lambda r: r['seed'])
    print('| %s | %d (%s) | ' % (m, len(rs), ', '.join(str(r['seed']) for r in rs))
          + ' | '.join(cell([r[k] for r in rs if r.get(k) is not None], f, len(rs)) for k, _, f in COLS) + ' |')
print()
print('| run | ' + ' | '.join(c[1] for c in COLS) + ' |')
print('|---|' + '---:|' * len(COLS))
for m in methods:
    for r in sorted((r for r in runs if r['method'] == m), key=lambda r: r['seed']):
        print('| %s, seed %d | ' % (m, r['seed'])
              + ' | '.join((f % r[k]) if r.get(k) is not None else '—' for k, _, f in COLS) + ' |')
print()
QUALITY = [c for c in COLS if not c[0].endswith('_s')]
better = {'fid': -1, 'psnr_doodle': 1, 'psnr_pepper': 1, 'auroc': 1,
          'features_1000': -1, 'features_2000': -1, 'features_4000': -1}  # AUROC: higher = MNIST scored lower, Table 1's direction
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
sup = [r for r in runs if any(r.get(k) is not None for k, _, _ in SUPERVISED)]
if sup:
    print()
    print('| supervised (the mcd nets and head trained end to end on the labels) | seeds | '
          + ' | '.join(c[1] for c in SUPERVISED) + ' |')
    print('|---|---:|' + '---:|' * len(SUPERVISED))
    rs = sorted(sup, key=lambda r: r['seed'])
    print('| supervised | %d (%s) | ' % (len(rs), ', '.join(str(r['seed']) for r in rs))
          + ' | '.join(cell([r[k] for r in rs if r.get(k) is not None], f) for k, _, f in SUPERVISED) + ' |')
