#!/usr/bin/python3
"""PyTorch reference for ebm4j's benchmark workloads (docs/BENCHMARKS.md).

Each workload is one training iteration (or one sampling call) of a method at fixed shapes,
written in plain, idiomatic PyTorch from the workload definitions and from what ebm4j's
org.ebm4j.bench.Workloads runs, so that `./ebm4j bench --workload NAME` and

    /usr/bin/python3 bench/torch_reference.py --workload NAME [--warmup 2] [--iters 5] [--threads N]

time the same work. Both print one JSON line with the same fields (impl, workload, device,
threads, iters, ms_per_iter_median/min/max, gflop_per_iter, gflops_achieved); progress and the
BLAS found go to stderr. Other modes:

    --list      the workload names
    --gflop     build the workload and print its GFLOP count without timing anything

gflop_per_iter counts 2 FLOPs per multiply-add of every Conv2d/Linear call: once for a forward
pass, once more for each backward product an iteration needs (input gradient in a Langevin step;
weight gradient, plus input gradient where the layer's input depends on parameters, in an
update). The layer shapes come from one probe forward pass (forward hooks), not from formulas,
so the count is an independent check of ebm4j's analytic one.

BLAS: torch calls an external BLAS for linear layers, spectral-norm mat-vecs and some small
convolutions. Debian's python3-torch alone brings the *reference* BLAS, under which those run
about 2x slower; a comparison against it flatters ebm4j. This script refuses to run (exit 2)
when it finds the reference BLAS, unless --allow-reference-blas. Install OpenBLAS with
`apt-get install libopenblas0-pthread python3-threadpoolctl`. OpenBLAS gets one thread
(--blas-threads): its pthread pool would otherwise spin on the cores torch's OpenMP pool uses.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time


def _early_blas_threads(argv):
    """OpenBLAS reads OPENBLAS_NUM_THREADS once, when it is loaded (with torch), so it is set here."""
    n = '1'
    for i, a in enumerate(argv):
        if a.startswith('--blas-threads='):
            n = a.split('=', 1)[1]
        elif a == '--blas-threads' and i + 1 < len(argv):
            n = argv[i + 1]
    os.environ.setdefault('OPENBLAS_NUM_THREADS', n)


_early_blas_threads(sys.argv)

NAMES = ('patchgencn-s48', 'patchgencn-s128', 'patchgencn-s250', 'patchgencn-sample250', 'multigrid-64',
         'dualmcmc-32', 'hatebm-32')
if __name__ == '__main__' and sys.argv[1:] == ['--list']:  # answered without loading torch (slow to import)
    print('\n'.join(NAMES))
    sys.exit(0)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def say(*parts):
    print(*parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# BLAS detection
# ---------------------------------------------------------------------------------------------

def find_blas(blas_threads):
    """Returns (kind, threads, detail, limiter): kind is 'openblas', 'mkl', 'reference' or 'unknown';
    limiter is a threadpoolctl context kept alive for the run (None without threadpoolctl)."""
    torch.mm(torch.ones(4, 4), torch.ones(4, 4))  # make sure the BLAS is loaded
    config = torch.__config__.show()
    try:
        maps = open('/proc/self/maps').read()
    except OSError:
        maps = ''
    libs = sorted({line.split()[-1] for line in maps.splitlines()
                   if len(line.split()) >= 6 and ('blas' in line.split()[-1] or 'mkl' in line.split()[-1])})
    limiter = None
    pools = None
    try:
        import threadpoolctl
        pools = threadpoolctl.threadpool_info()
        if any(p.get('internal_api') == 'openblas' for p in pools):
            limiter = threadpoolctl.threadpool_limits(limits={'openblas': blas_threads})
            pools = threadpoolctl.threadpool_info()
    except ImportError:
        pass
    if pools is not None:
        for p in pools:
            if p.get('internal_api') == 'openblas':
                return 'openblas', p.get('num_threads'), p.get('filepath'), limiter
            if p.get('internal_api') == 'mkl':
                return 'mkl', p.get('num_threads'), p.get('filepath'), limiter
    if any('openblas' in lib for lib in libs):
        return 'openblas', os.environ.get('OPENBLAS_NUM_THREADS'), ' '.join(libs), limiter
    if 'BLAS_INFO=mkl' in config or any('mkl' in lib for lib in libs):
        return 'mkl', None, ' '.join(libs) or 'BLAS_INFO=mkl (linked into torch)', limiter
    if any(os.path.basename(lib).startswith('libblas.so') for lib in libs):
        return 'reference', None, ' '.join(libs), limiter
    return 'unknown', None, ' '.join(libs) or 'no BLAS library mapped', limiter


# ---------------------------------------------------------------------------------------------
# FLOP counting (probe forward pass with hooks)
# ---------------------------------------------------------------------------------------------

class Flops:
    """2*MACs of one net call at fixed input shapes: forward, input gradient (a Langevin
    step), and the backward of an update (weight gradients of all layers, input gradients of
    the layers whose input depends on parameters)."""

    def __init__(self, fwd, grad_x, grad_w):
        self.fwd, self.grad_x, self.grad_w = fwd, grad_x, grad_w

    def chain(self, steps):
        """One Langevin step: a forward pass and the gradient w.r.t. the state."""
        return steps * (self.fwd + self.grad_x)

    def update(self, passes):
        """`passes` forward calls back-propagated into the weights."""
        return passes * (self.fwd + self.grad_w)


def probe(net, *inputs, scale=1.0):
    """Runs `net` once on `inputs` (which carry no gradient) with every Conv2d/Linear call
    recorded, then restores the net's state (spectral-norm vectors, BatchNorm statistics).
    `scale` multiplies the counts (probe a batch of 2 and scale to the real batch)."""
    macs = []

    def record(module, args, out):
        per_output = module.weight[0].numel()  # Cin/groups * kh * kw, or in_features
        macs.append((out.numel() * per_output, args[0].requires_grad))

    state = {k: v.clone() for k, v in net.state_dict().items()}
    hooks = [m.register_forward_hook(record) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    try:
        with torch.enable_grad():
            net(*inputs)
    finally:
        for h in hooks:
            h.remove()
        net.load_state_dict(state)
    total = sum(m for m, _ in macs) * scale
    inner = sum(m for m, needs in macs if needs) * scale
    return Flops(2 * total, 2 * total, 2 * total + 2 * inner)


# ---------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------

def u11(*shape):
    """Uniform noise in [-1, 1]."""
    return 2 * torch.rand(*shape) - 1


class Frozen:
    """Context: the net's parameters tape no gradient (a chain needs only the state's)."""

    def __init__(self, *nets):
        self.params = [p for n in nets for p in n.parameters()]

    def __enter__(self):
        self.was = [p.requires_grad for p in self.params]
        for p in self.params:
            p.requires_grad_(False)

    def __exit__(self, *exc):
        for p, w in zip(self.params, self.was):
            p.requires_grad_(w)


def grad_of(fn, x):
    """(grad of fn(x).sum() w.r.t. x)."""
    x = x.detach().requires_grad_(True)
    g, = torch.autograd.grad(fn(x).sum(), x)
    return g


def sgd_step(optimizer, loss):
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


# ---------------------------------------------------------------------------------------------
# PatchGenCN (Zheng, Xie, Li 2021): patch nets, training iteration, pyramid sampling
# ---------------------------------------------------------------------------------------------

PG_PAD = 5            # zero padding of an image before the valid-conv patch net
PG_STEP = 0.01        # Langevin step size delta^2; drift delta^2/2
PG_NOISE = 0.01       # synthesis noise std at iteration 0 of the schedule
PG_LAMBDA = 0.1       # weight of the recovery term
PG_INIT_FACTOR = 0.75  # recovery start: x0.75 bicubic down and back up


def patch_net(w, h):
    """Net (a) 64-32-32-32-1 when max(w, h) < 64, else net (b) 128-64-64-64-1: 3x3 valid
    convs, spectral norm and ELU on all but the last, kernels N(0, 0.005), zero biases."""
    widths = [64, 32, 32, 32] if max(w, h) < 64 else [128, 64, 64, 64]
    seq = []
    cin = 3
    for i, cout in enumerate(widths + [1]):
        c = nn.Conv2d(cin, cout, 3)
        nn.init.normal_(c.weight, 0.0, 0.005)
        nn.init.zeros_(c.bias)
        if i < len(widths):
            seq += [nn.utils.spectral_norm(c), nn.ELU()]
        else:
            seq.append(c)
        cin = cout
    return nn.Sequential(*seq)


def pad(x):
    return F.pad(x, [PG_PAD] * 4)


def crop(x):
    return x[:, :, PG_PAD:-PG_PAD, PG_PAD:-PG_PAD]


def resize(x, w, h, quantize=False):
    """Bicubic resize clipped to [-1, 1]; `quantize` rounds to 8-bit levels as ebm4j's
    sampler does between scales (PatchGenCN's official code goes through uint8 images)."""
    y = F.interpolate(x, size=(h, w), mode='bicubic', align_corners=False).clamp(-1, 1)
    if quantize:
        y = torch.round((y + 1) * 127.5) / 127.5 - 1
    return y


def grey(w, h):
    """The coarsest scale's start: one channel of U(-1, 1) noise repeated to RGB."""
    return u11(1, 1, h, w).repeat(1, 3, 1, 1)


def patch_chain(net, x, steps, noise):
    """x <- clip(x + (delta^2/2) grad_x sum f(x) + noise * N(0, I), -1, 1) on the padded image,
    with the net's weights frozen (spectral norm still advances its power iteration, as in
    the official code and ebm4j)."""
    with Frozen(net):
        for _ in range(steps):
            g = grad_of(net, x)
            with torch.no_grad():
                x = x + 0.5 * PG_STEP * g
                if noise > 0:
                    x = x + noise * torch.randn_like(x)
                x = x.clamp(-1, 1)
    return x.detach()


def patchgencn_train(w, h):
    net = patch_net(w, h)
    opt = torch.optim.Adam(net.parameters(), lr=4e-4, betas=(0.5, 0.999), eps=1e-8)
    real = u11(1, 3, h, w)
    obs = pad(real)
    blurred = resize(resize(real, math.ceil(PG_INIT_FACTOR * w), math.ceil(PG_INIT_FACTOR * h)), w, h)
    rec_start = pad(blurred)

    def step():
        syn = patch_chain(net, pad(grey(w, h)), 30, PG_NOISE)
        rec = patch_chain(net, rec_start, 30, 0.0)
        f_obs = net(obs).mean()
        loss = net(syn).mean() - f_obs + PG_LAMBDA * (net(rec).mean() - f_obs)
        sgd_step(opt, loss)

    c = probe(net, torch.zeros_like(obs))
    return step, c.chain(30 + 30) + c.update(3)


def pyramid(w, h, scales=8, min_side=25, max_side=250):
    """(w, h) per scale, coarse to fine: longest side capped at max_side, the coarsest
    shortest side min_side, geometric ratio in between (PatchGenCN's official train.py)."""
    if w < h:
        hr = min(max_side, h)
        wr = round(w * hr / h)
        w0, h0 = min_side, round(h * min_side / w)
    else:
        wr = min(max_side, w)
        hr = round(h * wr / w)
        w0, h0 = round(w * min_side / h), min_side
    r = (max(w0, h0) / max(wr, hr)) ** (1.0 / (scales - 1)) if scales > 1 else 1.0
    return [(round(wr * r ** (scales - 1 - i)), round(hr * r ** (scales - 1 - i))) for i in range(scales)]


def patchgencn_sample():
    sizes = pyramid(250, 188)
    say('pyramid (w, h):', sizes)
    nets = [patch_net(w, h) for w, h in sizes]
    steps = [60] + [30] * (len(sizes) - 1)

    def step():
        x = grey(*sizes[0])
        for s, ((w, h), net) in enumerate(zip(sizes, nets)):
            if s > 0:
                x = resize(x, w, h, quantize=True)
            x = crop(patch_chain(net, pad(x), steps[s], 0.0))

    flops = sum(probe(net, torch.zeros(1, 3, h + 2 * PG_PAD, w + 2 * PG_PAD)).chain(k)
                for (w, h), net, k in zip(sizes, nets, steps))
    return step, flops


# ---------------------------------------------------------------------------------------------
# Multi-grid minimal contrastive divergence (Gao, Lu, Zhou, Zhu, Wu 2018)
# ---------------------------------------------------------------------------------------------

MG_SPECS = {  # grid -> (channels, kernel, stride) per conv; 'same' padding, BN + ReLU after each
    4: [(96, 5, 2), (128, 3, 1), (256, 3, 1)],
    16: [(96, 5, 2), (128, 3, 1), (256, 3, 1), (512, 3, 1)],
    64: [(96, 5, 2), (128, 3, 2), (256, 3, 1)],
}


class GridNet(nn.Module):
    """conv (no bias) -> BatchNorm -> ReLU per layer, then one linear layer to f(Y). BatchNorm
    always normalises with the batch's statistics; only calls with `track=True` (the observed
    half of an update) move the running averages, as in ebm4j."""

    def __init__(self, grid):
        super().__init__()
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        cin, side = 3, grid
        for cout, k, s in MG_SPECS[grid]:
            c = nn.Conv2d(cin, cout, k, s, k // 2, bias=False)
            nn.init.xavier_uniform_(c.weight)
            self.convs.append(c)
            self.norms.append(nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1))
            cin, side = cout, (side + 2 * (k // 2) - k) // s + 1
        self.fc = nn.Linear(cin * side * side, 1)
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)
        self.track = False

    def forward(self, y):
        for c, bn in zip(self.convs, self.norms):
            y = c(y)
            y = F.batch_norm(y, bn.running_mean if self.track else None, bn.running_var if self.track else None,
                             bn.weight, bn.bias, True, bn.momentum, bn.eps)
            y = F.relu(y)
        return self.fc(y.flatten(1))


def multigrid(batch=100, steps=30, delta=0.3, sigma=1.0):
    grids = [4, 16, 64]
    nets = {g: GridNet(g) for g in grids}
    opts = {g: torch.optim.Adam(nets[g].parameters(), lr=0.3, betas=(0.5, 0.999), eps=1e-8) for g in grids}
    images = u11(batch, 3, 64, 64)

    def chain(net, y):
        """Y <- Y - (delta^2/2)(Y/sigma^2 - grad f(Y)) + delta N(0, I), weights frozen."""
        with Frozen(net):
            for _ in range(steps):
                g = grad_of(net, y)
                with torch.no_grad():
                    y = y - 0.5 * delta ** 2 * (y / sigma ** 2 - g) + delta * torch.randn_like(y)
        return y.detach()

    def step():
        y = F.avg_pool2d(images, 64)  # each image's 1x1 version
        prev, syn = 1, {}
        for g in grids:
            y = chain(nets[g], y.repeat_interleave(g // prev, 2).repeat_interleave(g // prev, 3))
            syn[g], prev = y, g
        for g in grids:
            net = nets[g]
            obs = F.avg_pool2d(images, 64 // g)
            net.track = True
            f_obs = net(obs).mean()
            net.track = False
            sgd_step(opts[g], net(syn[g]).mean() - f_obs)

    flops = 0.0
    for g in grids:
        c = probe(nets[g], torch.zeros(2, 3, g, g), scale=batch / 2)
        flops += c.chain(steps) + c.update(2)
    return step, flops


# ---------------------------------------------------------------------------------------------
# SN-GAN-style residual nets at 32 px (Dual-MCMC and Hat EBM)
# ---------------------------------------------------------------------------------------------

class CriticBlock(nn.Module):
    """Residual block of the critic. Stem: conv2(relu(conv1(x))), shortcut sc(pool(x)); other
    blocks: conv2(relu(conv1(relu(x)))), shortcut pool(sc(x)); the residual branch is pooled
    when the block halves the side. A 1x1 shortcut conv when channels change or the block pools."""

    def __init__(self, cin, cout, down, stem, make):
        super().__init__()
        self.down, self.stem = down, stem
        self.conv1, self.conv2 = make(cin, cout, 3, 1), make(cout, cout, 3, 1)
        self.sc = make(cin, cout, 1, 0) if (cin != cout or down) else None

    def forward(self, x):
        h = self.conv2(F.relu(self.conv1(x if self.stem else F.relu(x))))
        if self.down:
            h = F.avg_pool2d(h, 2)
        s = x
        if self.sc is not None:
            if self.stem:
                s = self.sc(F.avg_pool2d(x, 2) if self.down else x)
            else:
                s = self.sc(x)
                if self.down:
                    s = F.avg_pool2d(s, 2)
        elif self.down:
            s = F.avg_pool2d(x, 2)
        return h + s


class Critic(nn.Module):
    """32 px: stem (down) -> block (down) -> block -> block -> ReLU -> spatial mean -> linear."""

    def __init__(self, ch, make, head):
        super().__init__()
        self.body = nn.Sequential(CriticBlock(3, ch, True, True, make), CriticBlock(ch, ch, True, False, make),
                                  CriticBlock(ch, ch, False, False, make), CriticBlock(ch, ch, False, False, make))
        self.head = head

    def forward(self, x):
        return self.head(F.relu(self.body(x)).mean((2, 3))).view(-1)


class UpBlock(nn.Module):
    """conv2(relu(bn2(conv1(up(relu(bn1(x))))))) + sc(up(x)), bilinear x2 up-sampling."""

    def __init__(self, ch, make, make_bn, align_corners):
        super().__init__()
        self.bn1, self.bn2 = make_bn(ch), make_bn(ch)
        self.conv1, self.conv2 = make(ch, ch, 3, 1), make(ch, ch, 3, 1)
        self.sc = make(ch, ch, 1, 0)
        self.align_corners = align_corners

    def up(self, x):
        return F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=self.align_corners)

    def forward(self, x):
        h = self.conv1(self.up(F.relu(self.bn1(x))))
        return self.conv2(F.relu(self.bn2(h))) + self.sc(self.up(x))


class Gen32(nn.Module):
    """z -> linear -> ch x 4 x 4 -> three up-blocks -> BN -> ReLU -> 3x3 conv -> scale * tanh."""

    def __init__(self, nz, ch, make, make_bn, linear, align_corners, scale):
        super().__init__()
        self.ch, self.scale = ch, scale
        self.linear = linear
        self.blocks = nn.Sequential(*[UpBlock(ch, make, make_bn, align_corners) for _ in range(3)])
        self.bn = make_bn(ch)
        self.out = make(ch, 3, 3, 1)

    def forward(self, z):
        h = self.linear(z.flatten(1)).view(-1, self.ch, 4, 4)
        return self.scale * torch.tanh(self.out(F.relu(self.bn(self.blocks(h)))))


def conv_maker(bias, init, sn=False, zero_bias=True):
    def make(cin, cout, k, p, stride=1):
        c = nn.Conv2d(cin, cout, k, stride, p, bias=bias)
        init(c.weight)
        if bias and zero_bias:
            nn.init.zeros_(c.bias)
        return nn.utils.spectral_norm(c) if sn else c
    return make


# ---------------------------------------------------------------------------------------------
# Dual-MCMC teaching (Cui, Han 2023), official CIFAR-10 values at width 64
# ---------------------------------------------------------------------------------------------

def dualmcmc(batch=32, nz=128, ch=64):
    sx, nx, kx = 0.5, 1e-3, 30                 # T^x: x <- x - s^2/2 grad E(x) + n N
    sz, nzs, kz, sig, sig_p = 0.1, 0.1, 10, 0.3, 1.0  # T^z on the generator posterior
    temperature = (nx / sx) ** 2
    w_rev, w_inf = 50.0, 0.1
    xn = nn.init.xavier_normal_

    lin_e = nn.utils.spectral_norm(nn.Linear(ch, 1, bias=False))
    ebm = Critic(ch, conv_maker(False, xn, sn=True), lin_e)

    def gen_bn(c):
        bn = nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)
        nn.init.normal_(bn.weight, 1.0, 0.02)
        return bn

    gen = Gen32(nz, ch, conv_maker(True, xn, zero_bias=False), gen_bn, nn.Linear(nz, 16 * ch),
                align_corners=True, scale=1.0)

    def inf_conv(cin, cout, k, s, p, bias=False):
        c = nn.Conv2d(cin, cout, k, s, p, bias=bias)
        xn(c.weight)
        return c

    class Inference(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.ModuleList([inf_conv(3, ch, 3, 1, 1), inf_conv(ch, 2 * ch, 4, 2, 1),
                                       inf_conv(2 * ch, 4 * ch, 4, 2, 1), inf_conv(4 * ch, 8 * ch, 4, 2, 1)])
            self.mu = inf_conv(8 * ch, nz, 4, 1, 0, bias=True)
            self.logvar = inf_conv(8 * ch, nz, 4, 1, 0, bias=True)

        def forward(self, x):
            for c in self.body:
                x = F.leaky_relu(c(x), 0.2)
            return self.mu(x).flatten(1), self.logvar(x).flatten(1)

    inf = Inference()
    opt_e = torch.optim.Adam(ebm.parameters(), lr=1e-4, betas=(0.0, 0.9))
    opt_g = torch.optim.Adam(gen.parameters(), lr=3e-4, betas=(0.0, 0.9), weight_decay=5e-4)
    opt_i = torch.optim.Adam(inf.parameters(), lr=1e-4, betas=(0.0, 0.9), weight_decay=5e-4)
    x = u11(batch, 3, 32, 32)

    def revise_x(x0):
        with Frozen(ebm):
            v = x0.detach()
            for _ in range(kx):
                g = grad_of(ebm, v)
                with torch.no_grad():
                    v = v - 0.5 * sx ** 2 * g + nx * torch.randn_like(v)
        return v.detach()

    def revise_z(z0):
        with Frozen(gen):
            z = z0.detach()
            for _ in range(kz):
                g = grad_of(lambda v: (gen(v) - x).square().sum() / sig ** 2, z)
                with torch.no_grad():
                    z = z - 0.5 * sz ** 2 * (g + z / sig_p ** 2) + nzs * torch.randn_like(z)
        return z.detach()

    def nll(z, mu, logvar):
        return 0.5 * (logvar + (z - mu).square() / (logvar.exp() + 1e-6)).sum(1)

    def step():
        z = torch.randn(batch, nz)
        x_hat = gen(z)
        x_tilde = revise_x(x_hat)
        mu, logvar = inf(x)
        z_tilde = revise_z(mu + torch.exp(0.5 * logvar) * torch.randn_like(mu))
        # official order: generator, inference net, then the EBM on a fresh chain from the new G
        loss_g = ((gen(z_tilde) - x).square().sum() + w_rev * (x_hat - x_tilde).square().sum()) / batch
        sgd_step(opt_g, loss_g)
        mu2, logvar2 = inf(x_tilde)
        sgd_step(opt_i, nll(z_tilde, mu, logvar).mean() + w_inf * nll(z, mu2, logvar2).mean())
        with torch.no_grad():
            x_hat2 = gen(z)
        x_neg = revise_x(x_hat2)
        sgd_step(opt_e, (ebm(x).mean() - ebm(x_neg).mean()) / temperature)

    ce = probe(ebm, torch.zeros(2, 3, 32, 32), scale=batch / 2)
    cg = probe(gen, torch.zeros(2, nz), scale=batch / 2)
    ci = probe(inf, torch.zeros(2, 3, 32, 32), scale=batch / 2)
    flops = ce.chain(2 * kx) + cg.chain(kz) + cg.update(2) + cg.fwd + ci.update(2) + ce.update(2)
    return step, flops


# ---------------------------------------------------------------------------------------------
# Conditional Hat EBM (Hill, Nijkamp, Mitchell, Pang, Zhu 2022) at width 64
# ---------------------------------------------------------------------------------------------

def hatebm(batch=32, nz=128, ch=64, bank_size=1024):
    eps, temperature, steps, data_noise = 5e-4, 1e-3, 50, 1e-3
    max_norm = 2.5 / (eps ** 2 / 2)  # per-sample clip of grad(H/T)
    glorot = nn.init.xavier_uniform_

    def keras_linear(cin, cout, bias):
        lin = nn.Linear(cin, cout, bias=bias)
        glorot(lin.weight)
        if bias:
            nn.init.zeros_(lin.bias)
        return lin

    ebm = Critic(ch, conv_maker(True, glorot), keras_linear(ch, 1, False))
    gen = Gen32(nz, ch, conv_maker(True, glorot), lambda c: nn.BatchNorm2d(c, eps=1e-3, momentum=0.01),
                keras_linear(nz, 16 * ch, True), align_corners=False, scale=2.0)
    gen.eval()  # the generator's BatchNorm runs in inference mode throughout
    opt_e = torch.optim.Adam(ebm.parameters(), lr=1e-4, betas=(0.9, 0.999))
    opt_g = torch.optim.Adam(gen.parameters(), lr=1e-4, betas=(0.9, 0.999))
    data = u11(batch, 3, 32, 32)
    bank_z = torch.randn(bank_size, nz)
    with torch.no_grad():
        bank_x = torch.cat([gen(bank_z[i:i + batch]) for i in range(0, bank_size, batch)])

    def step():
        x_pos = data + data_noise * torch.randn_like(data)
        z = torch.randn(batch, nz)
        with torch.no_grad():
            x_gen = gen(z)
        # residual chain from Y = 0: Y <- Y - (eps^2/2) clip(grad H(G(z) + Y)/T) + eps N
        y = torch.zeros_like(x_gen)
        with Frozen(ebm):
            for _ in range(steps):
                g = grad_of(lambda v: ebm(x_gen + v) / temperature, y)
                with torch.no_grad():
                    norm = g.flatten(1).norm(dim=1).clamp_min(max_norm).view(-1, 1, 1, 1)
                    y = y - 0.5 * eps ** 2 * g * (max_norm / norm) + eps * torch.randn_like(y)
        x_neg = x_gen + y
        sgd_step(opt_e, (ebm(x_pos).mean() - ebm(x_neg).mean()) / temperature)
        idx = torch.randperm(bank_size)[:batch]
        sgd_step(opt_g, 1000.0 * (gen(bank_z[idx]) - bank_x[idx]).square().mean())
        bank_z[idx], bank_x[idx] = z, x_neg

    ce = probe(ebm, torch.zeros(2, 3, 32, 32), scale=batch / 2)
    cg = probe(gen, torch.zeros(2, nz), scale=batch / 2)
    flops = cg.fwd + ce.chain(steps) + ce.update(2) + cg.update(1)
    return step, flops


# ---------------------------------------------------------------------------------------------
# Registry, timing, CLI
# ---------------------------------------------------------------------------------------------

WORKLOADS = {
    'patchgencn-s48': lambda: patchgencn_train(48, 36),
    'patchgencn-s128': lambda: patchgencn_train(128, 96),
    'patchgencn-s250': lambda: patchgencn_train(250, 188),
    'patchgencn-sample250': patchgencn_sample,
    'multigrid-64': multigrid,
    'dualmcmc-32': dualmcmc,
    'hatebm-32': hatebm,
}
assert tuple(WORKLOADS) == NAMES


def time_steps(step, warmup, iters):
    """Wall-clock ms of `iters` calls after `warmup` untimed ones."""
    out = []
    for i in range(warmup + iters):
        t0 = time.perf_counter()
        step()
        ms = 1000 * (time.perf_counter() - t0)
        say(f'{"warmup" if i < warmup else "iter"} {i + 1 if i < warmup else i - warmup + 1}: {ms:.1f} ms')
        if i >= warmup:
            out.append(ms)
    return out


def main():
    ap = argparse.ArgumentParser(description='PyTorch reference for ebm4j bench workloads (docs/BENCHMARKS.md)')
    ap.add_argument('--workload', help='workload name (see --list)')
    ap.add_argument('--warmup', type=int, default=2, help='untimed iterations first (default 2, as ebm4j)')
    ap.add_argument('--iters', type=int, default=5, help='timed iterations (default 5, as ebm4j)')
    ap.add_argument('--threads', type=int, default=None,
                    help="torch intra-op threads (default: OMP_NUM_THREADS if set, else all cores, as "
                         "libtorch's in ebm4j and as the peer)")
    ap.add_argument('--blas-threads', type=int, default=1, help='OpenBLAS threads (default 1)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--list', action='store_true', help='print the workload names')
    ap.add_argument('--gflop', action='store_true', help='print the GFLOP count per iteration, time nothing')
    ap.add_argument('--allow-reference-blas', action='store_true',
                    help='run even when torch uses the reference BLAS (the timings then flatter ebm4j)')
    a = ap.parse_args()
    if a.list:
        print('\n'.join(WORKLOADS))
        return 0
    if a.workload is None:
        ap.error('--workload is required (see --list)')
    if a.workload not in WORKLOADS:
        ap.error(f"unknown workload '{a.workload}'; one of {', '.join(WORKLOADS)}")
    if a.iters < 1 or a.warmup < 0 or (a.threads is not None and a.threads < 1) or a.blas_threads < 1:
        ap.error('--iters, --threads and --blas-threads must be >= 1 and --warmup >= 0')

    kind, bthreads, detail, limiter = find_blas(a.blas_threads)  # noqa: F841 (limiter held for the run)
    # Set explicitly, after the BLAS limiter: torch's own default was 1 thread on a 2-core machine
    # where ebm4j's libtorch used 2, which made the first ratios of 2026-12-03 unfair to the reference.
    if a.threads is None:
        env = os.environ.get('OMP_NUM_THREADS', '')
        a.threads = int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)
    torch.set_num_threads(a.threads)
    say(f'torch {torch.__version__}, {torch.get_num_threads()} intra-op threads; '
        f'BLAS: {kind} (threads {bthreads}) {detail}')
    if kind == 'reference' and not a.allow_reference_blas:
        say('error: torch is using the reference BLAS, not OpenBLAS: the reference would run about 2x slower '
            'than it should and flatter ebm4j. Install libopenblas0-pthread and python3-threadpoolctl '
            '(apt-get install libopenblas0-pthread python3-threadpoolctl), or pass --allow-reference-blas.')
        return 2
    if kind == 'unknown':
        say('warning: could not tell which BLAS torch uses (no threadpoolctl, no BLAS library mapped)')
    if kind == 'openblas' and bthreads not in (None, a.blas_threads, str(a.blas_threads)):
        say(f'warning: OpenBLAS runs {bthreads} threads, not {a.blas_threads} (install python3-threadpoolctl)')

    torch.manual_seed(a.seed)
    step, flops = WORKLOADS[a.workload]()
    gflop = flops / 1e9
    say(f'{a.workload}: {gflop:.4f} GFLOP per iteration')
    head = {'impl': 'pytorch-reference', 'torch': torch.__version__.split('+')[0], 'blas': kind,
            'workload': a.workload, 'device': 'cpu', 'threads': torch.get_num_threads()}
    if a.gflop:
        print(json.dumps({**head, 'gflop_per_iter': round(gflop, 4)}))
        return 0
    times = time_steps(step, a.warmup, a.iters)
    med = statistics.median(times)
    print(json.dumps({**head, 'iters': a.iters,
                      'ms_per_iter_median': round(med, 2),
                      'ms_per_iter_min': round(min(times), 2),
                      'ms_per_iter_max': round(max(times), 2),
                      'gflop_per_iter': round(gflop, 4),
                      'gflops_achieved': round(gflop / (med / 1000), 3)}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
