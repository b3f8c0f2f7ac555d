#!/usr/bin/python3
"""Takes some styles' IN vectors from one checkpoint into another: keep the styles a
--tune-styles run improved, leave the ones it made worse (or merge two tune runs of the
same base, each on its own styles).

usage: merge_styles.py BASE DONOR OUT --styles NAME,...

Both checkpoints must be the same network: the same variant, the same style names, and
every shared weight (everything but the `.scale`/`.shift` rows) equal, as a --tune-styles
or --add-style run of BASE leaves them; anything else is refused with the first
difference named. OUT holds BASE with the named styles' rows of every `.scale` and
`.shift` from DONOR, no optimiser state (resuming it starts a fresh Adam: give --warmup)
and, in its settings, where each merged style came from (an earlier merge's kept: merge
twice to take styles from two runs).
"""
import argparse
import os
import sys

import torch

from checkpoint_file import load_checkpoint_file


def is_style_vector(key):
    return key.endswith(".scale") or key.endswith(".shift")


def merge(base, donor, names):
    """BASE's checkpoint dict with the named styles' vectors from DONOR; raises ValueError
    when the two are not the same network or a name is not one of its styles."""
    if base["variant"] != donor["variant"]:
        raise ValueError(f"variants differ: base {base['variant']}, donor {donor['variant']}")
    if base["styles"] != donor["styles"]:
        raise ValueError(f"styles differ: base {','.join(base['styles'])}, donor {','.join(donor['styles'])}")
    unknown = [n for n in names if n not in base["styles"]]
    if unknown:
        raise ValueError(f"not a style of these checkpoints: {','.join(unknown)} (they hold {','.join(base['styles'])})")
    if set(base["model"]) != set(donor["model"]):
        raise ValueError("the two checkpoints hold different tensors")
    for key, value in base["model"].items():
        if not is_style_vector(key) and not torch.equal(value, donor["model"][key]):
            raise ValueError(f"shared weight {key} differs: DONOR is not a --tune-styles/--add-style run of BASE")
    slots = [base["styles"].index(n) for n in names]
    model = {}
    for key, value in base["model"].items():
        value = value.clone()
        if is_style_vector(key):
            value[slots] = donor["model"][key][slots]
        model[key] = value
    # Where each merged style came from, with those of an earlier merge into BASE; the
    # merged styles are the trainable slots of a resume.
    settings = dict(base.get("settings") or {})
    origins = dict(settings.get("merged_styles") or {})
    origins.update({n: {"from": (donor.get("settings") or {}).get("out", "?"), "step": donor["step"]} for n in names})
    settings["merged_styles"] = origins
    merged = dict(base)
    merged["model"] = model
    merged["optimizer"] = None
    merged["trainable"] = "slots:" + ",".join(str(s) for s in sorted(base["styles"].index(n) for n in origins))
    merged["settings"] = settings
    return merged


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base")
    p.add_argument("donor")
    p.add_argument("out")
    p.add_argument("--styles", required=True, metavar="NAME,...", help="the styles to take from DONOR")
    args = p.parse_args(argv)
    names = [n for n in args.styles.split(",") if n]
    for path in (args.base, args.donor):
        if not os.path.isfile(path):
            sys.exit(f"error: {path}: no such checkpoint file")
    try:
        merged = merge(load_checkpoint_file(args.base), load_checkpoint_file(args.donor), names)
    except ValueError as e:
        sys.exit(f"error: {args.base} + {args.donor}: {e}")
    tmp = args.out + ".tmp"
    torch.save(merged, tmp)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}: {args.base} with {', '.join(names)} from {args.donor}")


if __name__ == "__main__":
    main()
