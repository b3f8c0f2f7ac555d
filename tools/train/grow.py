#!/usr/bin/python3
"""Grows a trained checkpoint into a wider/deeper variant that computes the same image.

  grow.py LIGHT_CKPT FULL_CKPT [--variant full]

Training the full network from scratch costs ~4.6x the light one's time per step; started
from the light one it begins where the light one ended and only has to use its extra
capacity. The growth is function-preserving (Net2Net, Chen et al. 2016):
- wider: every new channel copies an old one (its conv filters and each style's IN
  scale/shift), so after instance norm and ReLU the copies carry the same values; the
  next conv splits each old input weight between the copies with random proportions
  that sum to 1, so its output is unchanged while the copies get different gradients
  (equal splits would keep them identical forever);
- deeper: the added residual blocks start with their last IN scale and shift at zero,
  so they add nothing until training moves them.
The result is a checkpoint without optimiser state; resume it with train.py --resume.
"""
import argparse

import torch

from checkpoint_file import load_checkpoint_file
from network import VARIANTS, StyleNet


def channel_map(old, new, gen):
    """New channel j copies old channel map[j]: the old ones first, then random repeats."""
    extra = torch.randint(0, old, (new - old,), generator=gen)
    return torch.cat([torch.arange(old), extra])


def split_fractions(mapping, old, gen, shape_tail):
    """Per-weight fractions over the copies of each old channel, summing to 1 per channel."""
    r = 0.5 + torch.rand((len(mapping),) + shape_tail, generator=gen)  # in [0.5, 1.5)
    total = torch.zeros((old,) + shape_tail).index_add_(0, mapping, r)
    return r / total[mapping]


def widen_conv(conv, out_map, in_map, old_in, gen):
    """conv weights (out, in, k, k) → rows by out_map, input columns split over in_map copies."""
    w = conv.weight.data
    if out_map is not None:
        w = w[out_map]
    if in_map is not None:
        frac = split_fractions(in_map, old_in, gen, (w.shape[0], w.shape[2], w.shape[3]))
        w = w[:, in_map] * frac.permute(1, 0, 2, 3)
    return w


def copy_norm(dst, src, mapping):
    dst.scale.data.copy_(src.scale.data[:, mapping])
    dst.shift.data.copy_(src.shift.data[:, mapping])


def grow(small, widths, blocks, seed=0):
    """Returns a StyleNet of the given widths/blocks computing what `small` computes."""
    gen = torch.Generator().manual_seed(seed)
    (a0, b0, c0), (a, b, c) = small.widths, widths
    if a < a0 or b < b0 or c < c0 or blocks < small.blocks:
        raise ValueError(f"cannot shrink {small.widths}/{small.blocks} to {widths}/{blocks}")
    big = StyleNet(small.styles, widths, blocks)
    ma, mb, mc = channel_map(a0, a, gen), channel_map(b0, b, gen), channel_map(c0, c, gen)
    with torch.no_grad():
        # (big conv, small conv, out map, in map, old input width)
        convs = [(big.conv1, small.conv1, ma, None, 3), (big.conv2, small.conv2, mb, ma, a0),
                 (big.conv3, small.conv3, mc, mb, b0), (big.up1, small.up1, mb, mc, c0),
                 (big.up2, small.up2, ma, mb, b0), (big.out, small.out, None, ma, a0)]
        for r_big, r_small in zip(big.res, small.res):
            convs += [(r_big["conv1"].conv, r_small["conv1"].conv, mc, mc, c0),
                      (r_big["conv2"].conv, r_small["conv2"].conv, mc, mc, c0)]
        for dst, src, out_map, in_map, old_in in convs:
            dst = getattr(dst, "conv", dst)
            src = getattr(src, "conv", src)
            dst.weight.data.copy_(widen_conv(src, out_map, in_map, old_in, gen))
            if src.bias is not None:
                dst.bias.data.copy_(src.bias.data if out_map is None else src.bias.data[out_map])
        norms = [(big.in1, small.in1, ma), (big.in2, small.in2, mb), (big.in3, small.in3, mc),
                 (big.in4, small.in4, mb), (big.in5, small.in5, ma)]
        for r_big, r_small in zip(big.res, small.res):
            norms += [(r_big["in1"], r_small["in1"], mc), (r_big["in2"], r_small["in2"], mc)]
        for dst, src, mapping in norms:
            copy_norm(dst, src, mapping)
        for r in big.res[small.blocks:]:
            r["in2"].scale.data.zero_()
            r["in2"].shift.data.zero_()
    return big


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint", help="a train.py checkpoint of the smaller variant")
    p.add_argument("out", help="the grown checkpoint to write")
    p.add_argument("--variant", choices=sorted(VARIANTS), default="full")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    state = load_checkpoint_file(a.checkpoint)
    v0 = VARIANTS[state["variant"]]
    small = StyleNet(len(state["styles"]), v0["widths"], v0["blocks"])
    small.load_state_dict(state["model"])
    v = VARIANTS[a.variant]
    big = grow(small, v["widths"], v["blocks"], a.seed)
    x = torch.rand(2, 3, 64, 96) * 2 - 1
    w = torch.eye(small.styles)[:2]
    with torch.no_grad():
        diff = float((big(x, w) - small(x, w)).abs().max()) * 127.5
    torch.save({"model": big.state_dict(), "optimizer": None, "step": state["step"],
                "settings": state["settings"], "styles": state["styles"], "variant": a.variant,
                "trainable": "all", "grown_from": {"variant": state["variant"], "step": state["step"]}},
               a.out)
    print(f"grew {state['variant']} {v0['widths']}/{v0['blocks']} blocks at step {state['step']} into "
          f"{a.variant} {v['widths']}/{v['blocks']} blocks: {a.out}; max output change {diff:.2e} grey levels")


if __name__ == "__main__":
    main()
