#!/usr/bin/env python3
"""Writes the PyTorch fixture that proves ebm4j's weight import (docs/WEIGHT_IMPORT.md).

Four small PyTorch modules mirror ebm4j's nets attribute for attribute, so that their state_dict
names are the names ebm4j's importer expects (org.ebm4j.run.WeightImport):

  Generator   ebm4j nn.Generator, Config.hatEbm32(latent 16, ngf 8, outFactor 2): the SN-GAN
              generator of Hat EBM (GenSNGAN32) with BN always in test mode
  HatNet      ebm4j nn.ResidualEbm, Config.hatEbm32(ngf 8): the SN-GAN discriminator without
              spectral norm (EBMSNGAN32), the Hat EBM energy H
  Decoder     ebm4j nn.RetrofitDecoder, Config.hatEbm32(grey, ngf 8, outFactor 2) (GenDecoder32)
  Encoder     ebm4j nn.RetrofitEncoder, Config.hatEbm32(grey, ngf 8) (InfEncoder32)

The weights are drawn with a fixed seed (Glorot-uniform kernels as Keras, and, unlike a fresh
net, non-zero biases and non-trivial BN affine parameters and running statistics, so that a wrong
name, a transposed kernel or a BN in the wrong mode shows up in the outputs). The outputs on fixed
inputs are computed in float64 from the float32 weights, then stored as float32.

Output (ebm4j-core/src/test/resources/fixtures/hatebm/, about 150 KB):
  generator.npz hat.npz decoder.npz encoder.npz   weights (numpy.savez_compressed, float32)
  io.npz   z, g_z = G(z); x, h_x = H(x); dz, d_z = decoder(dz); ex, e_x = encoder(ex)
           (numpy.savez, stored entries, float32)
  tensors.safetensors   three small tensors (float32, float64, int64) for the safetensors reader

Run once from the repository root with a Python that has torch and numpy (tested with torch 1.13):
  python3 scripts/hatebm_fixture.py [--out DIR]
The test HatEbmFixtureTest reads these files; rerunning the script rewrites them identically
(seeded, deterministic CPU ops).

Reference: Hill, Nijkamp, Mitchell, Pang, Zhu, "Learning Probabilistic Models from Generator
Latent Spaces with Hat EBM", NeurIPS 2022 (nets of appendix E).
"""
import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 1e-3  # Keras BatchNormalization's epsilon, as ebm4j's hatEbm32 configs


def up(x):
    # Keras UpSampling2D(interpolation='bilinear') = half-pixel centres = align_corners=False
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


def pool(x):
    return F.avg_pool2d(x, 2)


class GenBlock(nn.Module):
    """ebm4j nn.GenBlock: h = conv2(relu(bn2(conv1(up(relu(bn1(x))))))), y = sc(up(x)).
    stem=True (GenBlockStem): no bn1 and no ReLU on the input."""

    def __init__(self, cin, cout, upsample, stem=False):
        super().__init__()
        self.upsample = upsample
        self.stem = stem
        if not stem:
            self.bn1 = nn.BatchNorm2d(cin, eps=BN_EPS)
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.learnable_sc = cin != cout or upsample
        if self.learnable_sc:
            self.sc = nn.Conv2d(cin, cout, 1, 1, 0)

    def forward(self, x):
        h = x if self.stem else F.relu(self.bn1(x))
        h = up(h) if self.upsample else h
        h = self.conv2(F.relu(self.bn2(self.conv1(h))))
        y = up(x) if self.upsample else x
        y = self.sc(y) if self.learnable_sc else y
        return h + y


class ResBlock(nn.Module):
    """ebm4j nn.ResBlock: stem h = pool(conv2(relu(conv1(x)))), y = sc(pool(x));
    block h = pool(conv2(relu(conv1(relu(x))))), y = pool(sc(x))."""

    def __init__(self, cin, cout, down, stem):
        super().__init__()
        self.down = down
        self.stem = stem
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.learnable_sc = cin != cout or down
        if self.learnable_sc:
            self.sc = nn.Conv2d(cin, cout, 1, 1, 0)

    def forward(self, x):
        h = x if self.stem else F.relu(x)
        h = self.conv2(F.relu(self.conv1(h)))
        h = pool(h) if self.down else h
        y = x
        if self.stem:
            y = pool(y) if self.down else y
            y = self.sc(y) if self.learnable_sc else y
        else:
            y = self.sc(y) if self.learnable_sc else y
            y = pool(y) if self.down else y
        return h + y


class Generator(nn.Module):
    """ebm4j nn.Generator: linear -> view NCHW -> 3 up-blocks -> BN -> ReLU -> conv3x3 -> tanh * out_factor."""

    def __init__(self, latent=16, ngf=8, bottom=4, nch=3, out_factor=2.0):
        super().__init__()
        self.ngf, self.bottom, self.out_factor = ngf, bottom, out_factor
        self.linear = nn.Linear(latent, ngf * bottom * bottom)
        self.block1 = GenBlock(ngf, ngf, True)
        self.block2 = GenBlock(ngf, ngf, True)
        self.block3 = GenBlock(ngf, ngf, True)
        self.bn = nn.BatchNorm2d(ngf, eps=BN_EPS)
        self.out = nn.Conv2d(ngf, nch, 3, 1, 1)

    def forward(self, z):
        # channel-major reshape: the Keras code reshapes to (ngf, b, b) and then transposes to NHWC
        h = self.linear(z).view(z.shape[0], self.ngf, self.bottom, self.bottom)
        h = self.block3(self.block2(self.block1(h)))
        return self.out_factor * torch.tanh(self.out(F.relu(self.bn(h))))


class HatNet(nn.Module):
    """ebm4j nn.ResidualEbm (hatEbm32): stem(down) -> block(down) -> block -> block -> ReLU -> mean -> linear."""

    def __init__(self, nch=3, ngf=8):
        super().__init__()
        self.stem = ResBlock(nch, ngf, True, True)
        self.block1 = ResBlock(ngf, ngf, True, False)
        self.block2 = ResBlock(ngf, ngf, False, False)
        self.block3 = ResBlock(ngf, ngf, False, False)
        self.linear = nn.Linear(ngf, 1, bias=False)

    def forward(self, x):
        h = self.block3(self.block2(self.block1(self.stem(x))))
        return self.linear(F.relu(h).mean(dim=(2, 3)))


class Decoder(nn.Module):
    """ebm4j nn.RetrofitDecoder (hatEbm32): stem(no up) -> block(up) -> block -> block -> BN -> ReLU -> conv -> tanh * f."""

    def __init__(self, latent_channels=1, ngf=8, nch=1, out_factor=2.0):
        super().__init__()
        self.out_factor = out_factor
        self.stem = GenBlock(latent_channels, ngf, False, stem=True)
        self.block1 = GenBlock(ngf, ngf, True)
        self.block2 = GenBlock(ngf, ngf, False)
        self.block3 = GenBlock(ngf, ngf, False)
        self.bn = nn.BatchNorm2d(ngf, eps=BN_EPS)
        self.out = nn.Conv2d(ngf, nch, 3, 1, 1)

    def forward(self, z):
        h = self.block3(self.block2(self.block1(self.stem(z))))
        return self.out_factor * torch.tanh(self.out(F.relu(self.bn(h))))


def sphere(z, eps=1e-6):
    flat = z.reshape(z.shape[0], -1)
    norm = flat.pow(2).sum(dim=1).sqrt().reshape(-1, *([1] * (z.dim() - 1)))
    return math.sqrt(flat.shape[1]) * z / (norm + eps)


class Encoder(nn.Module):
    """ebm4j nn.RetrofitEncoder (hatEbm32): stem -> block(down) -> block -> block -> ReLU -> conv3x3 -> sphere."""

    def __init__(self, nch=1, ngf=8, latent_channels=1):
        super().__init__()
        self.stem = ResBlock(nch, ngf, False, True)
        self.block1 = ResBlock(ngf, ngf, True, False)
        self.block2 = ResBlock(ngf, ngf, False, False)
        self.block3 = ResBlock(ngf, ngf, False, False)
        self.latent = nn.Conv2d(ngf, latent_channels, 3, 1, 1)

    def forward(self, x):
        h = self.block3(self.block2(self.block1(self.stem(x))))
        return sphere(self.latent(F.relu(h)))


def randomize(net, gen):
    """Glorot-uniform kernels (Keras' default, as ebm4j's KERAS_GLOROT_UNIFORM), non-zero biases,
    BN gamma/beta/running stats away from their 1/0 defaults, all from one seeded generator."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                fan_out = m.weight.shape[0] * m.weight[0, 0].numel()
                b = math.sqrt(6.0 / (fan_in + fan_out))
                m.weight.copy_((torch.rand(m.weight.shape, generator=gen) * 2 - 1) * b)
                if m.bias is not None:
                    m.bias.copy_((torch.rand(m.bias.shape, generator=gen) * 2 - 1) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c, generator=gen))
                m.bias.copy_(0.2 * torch.randn(c, generator=gen))
                m.running_mean.copy_(0.3 * torch.randn(c, generator=gen))
                m.running_var.copy_(0.5 + 1.5 * torch.rand(c, generator=gen))
                m.num_batches_tracked.fill_(1000)
    # round to float32 once: these are the weights written to the file and used for the reference
    net.float()
    net.eval()  # BN uses the running statistics (Hat EBM: BN always in test mode)
    return net


def weights(net):
    return {k: v.detach().cpu().numpy() for k, v in net.state_dict().items()}


def reference(net, x):
    """net(x) in float64 from the float32 weights, rounded to float32."""
    with torch.no_grad():
        return net.double()(torch.from_numpy(x).double()).float().numpy()


def write_safetensors(path, arrays):
    """The safetensors format (huggingface/safetensors README): u64 LE header length, JSON header
    {name: {dtype, shape, data_offsets}}, C-order little-endian data. Written here with numpy only,
    so the script needs no safetensors package; safetensors.numpy.load_file reads the result."""
    import json
    codes = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i8"): "I64"}
    header, blobs, offset = {"__metadata__": {"format": "np"}}, [], 0
    for name, a in arrays.items():
        a = np.array(a, order="C")  # (ascontiguousarray would turn a 0-d array into 1-d)
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": codes[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)  # the reference writer pads the header to a multiple of 8
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little") + h + b"".join(blobs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="ebm4j-core/src/test/resources/fixtures/hatebm")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(20221128)

    nets = {
        "generator": randomize(Generator(), gen),
        "hat": randomize(HatNet(), gen),
        "decoder": randomize(Decoder(), gen),
        "encoder": randomize(Encoder(), gen),
    }
    for name, net in nets.items():
        np.savez_compressed(os.path.join(args.out, name + ".npz"), **weights(net))

    n = 2
    z = torch.randn(n, 16, generator=gen).numpy().astype(np.float32)
    x = (torch.rand(n, 3, 32, 32, generator=gen) * 2 - 1).numpy().astype(np.float32)
    dz = sphere(torch.randn(n, 1, 16, 16, generator=gen).double()).float().numpy()
    ex = (torch.rand(n, 1, 32, 32, generator=gen) * 2 - 1).numpy().astype(np.float32)
    io = {
        "z": z, "g_z": reference(nets["generator"], z),
        "x": x, "h_x": reference(nets["hat"], x),
        "dz": dz, "d_z": reference(nets["decoder"], dz),
        "ex": ex, "e_x": reference(nets["encoder"], ex),
    }
    np.savez(os.path.join(args.out, "io.npz"), **io)
    # a few small tensors in safetensors form, for the reader's format test
    write_safetensors(os.path.join(args.out, "tensors.safetensors"), {
        "a.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5,
        "b": np.array([math.pi, -1e-300], dtype=np.float64),
        "count": np.array(1000, dtype=np.int64),
    })

    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    for k, v in io.items():
        print(f"{k:4s} {str(v.shape):18s} min {v.min():+.4f} max {v.max():+.4f} std {v.std():.4f}")
    print(f"wrote {len(os.listdir(args.out))} files, {total} bytes, to {args.out}")


if __name__ == "__main__":
    main()
