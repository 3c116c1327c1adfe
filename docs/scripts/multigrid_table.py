#!/usr/bin/python3
"""Markdown tables of docs/MULTIGRID.md from RUN.eval files (JSON lines of multigrid inpaint/scores/features).
Usage: multigrid_table.py RUN.eval [RUN.eval ...]"""
import json, sys

rows = {}
for path in sys.argv[1:]:
    base = path.rsplit('/', 1)[-1]
    name = base.removesuffix('.eval2') + ' (re-evaluated)' if base.endswith('.eval2') else base.removesuffix('.eval')
    r = rows.setdefault(name, {})
    for line in open(path):
        line = line.strip()
        if not line.startswith('{'):
            continue
        o = json.loads(line)
        if 'mask' in o:
            r['inp_' + o['mask']] = o
        elif 'scores' in o:
            r['scores'] = o['scores']
        elif 'labels' in o:
            r['feat_%d' % o['labels']] = o

print('| run | error square | error doodle | error pepper | PSNR square | PSNR doodle | PSNR pepper |')
print('|---|---:|---:|---:|---:|---:|---:|')
for n, r in rows.items():
    e = [r.get('inp_' + k, {}).get('error') for k in ('square', 'doodle', 'pepper')]
    p = [r.get('inp_' + k, {}).get('psnr') for k in ('square', 'doodle', 'pepper')]
    print('| %s | %s | %s |' % (n, ' | '.join('%.3f' % v if v is not None else '—' for v in e),
                                ' | '.join('%.2f' % v if v is not None else '—' for v in p)))
print()
print('| run | test error 1k | 2k | 4k | supervised 1k | 2k | 4k |')
print('|---|---:|---:|---:|---:|---:|---:|')
for n, r in rows.items():
    t = [r.get('feat_%d' % l, {}).get('test_error') for l in (1000, 2000, 4000)]
    s = [r.get('feat_%d' % l, {}).get('supervised_test_error') for l in (1000, 2000, 4000)]
    f = lambda v: '%.1f %%' % (100 * v) if v is not None else '—'
    print('| %s | %s | %s |' % (n, ' | '.join(map(f, t)), ' | '.join(map(f, s))))
print()
for n, r in rows.items():
    sc = r.get('scores')
    if not sc:
        continue
    grids = sorted({s['grid'] for s in sc})
    print('%s: mean ± sd of f (500 images each)\n' % n)
    print('| images | ' + ' | '.join('grid %dx%d' % (g, g) for g in grids) + ' |')
    print('|---|' + '---:|' * len(grids))
    for kind in ('training', 'testing', 'synthesized', 'negative'):
        cells = [s for s in sc if s['images'] == kind]
        if cells:
            print('| %s | ' % kind + ' | '.join('%.4g ± %.3g' % (c['mean'], c['sd']) for c in cells) + ' |')
    print()
