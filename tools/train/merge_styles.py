#!/usr/bin/python3
"""Takes some styles' IN vectors from one checkpoint into another: keep the styles a
--tune-styles run improved, leave the ones it made worse (or merge two tune runs of the
same base, each on its own styles, or two --tune-shared runs of one base: --shared-since).

usage: merge_styles.py BASE DONOR OUT --styles NAME,... [--shared-since DONOR_BASE]

Both checkpoints must be the same network: the same variant, the same style names, and
every shared weight (everything but the `.scale`/`.shift` rows) equal, as a --tune-styles
or --add-style run of BASE leaves them; anything else is refused with the first
difference named. OUT holds BASE with the named styles' rows of every `.scale` and
`.shift` from DONOR, no optimiser state (resuming it starts a fresh Adam: give --warmup)
and, in its settings, where each merged style came from (an earlier merge's kept: merge
twice to take styles from two runs).

A --tune-shared run changes the shared weights as well (its keep term holds the other
styles' renders to its --base). With --shared-since DONOR_BASE (that --base), OUT's shared
weights are BASE's plus DONOR's change since DONOR_BASE: merging two such runs of one base,
one after the other, adds up their changes. Both runs' keep terms held every style but
their own, so each change leaves the other's style nearly where it was; measure the merged
file (evaluate.py on every style) before keeping it.
"""
import argparse
import os
import sys

import torch

from checkpoint_file import load_checkpoint_file, trained_slots


def is_style_vector(key):
    return key.endswith(".scale") or key.endswith(".shift")


def same_network(a, b, what):
    """Raises ValueError unless checkpoints a and b are the same network with the same styles."""
    if a["variant"] != b["variant"]:
        raise ValueError(f"variants differ: {what[0]} {a['variant']}, {what[1]} {b['variant']}")
    if a["styles"] != b["styles"]:
        raise ValueError(f"styles differ: {what[0]} {','.join(a['styles'])}, {what[1]} {','.join(b['styles'])}")
    if set(a["model"]) != set(b["model"]) or any(v.shape != b["model"][k].shape for k, v in a["model"].items()):
        raise ValueError(f"{what[0]} and {what[1]} hold different tensors")


def check_base_of(donor, since):
    """Raises ValueError unless SINCE can be DONOR's --base: a tune run leaves the vectors of
    every style it did not train bit-identical, so those rows must be SINCE's."""
    trained = set(trained_slots(donor.get("trainable", "all"), len(donor["styles"])))
    for key, value in donor["model"].items():
        if not is_style_vector(key):
            continue
        for slot, name in enumerate(donor["styles"]):
            if slot not in trained and not torch.equal(value[slot], since["model"][key][slot]):
                raise ValueError(f"--shared-since is not DONOR's base: {name}'s vectors ({key}) differ, and DONOR "
                                 "did not train that style")


def merge(base, donor, names, since=None):
    """BASE's checkpoint dict with the named styles' vectors from DONOR; with since (DONOR's
    --base), also DONOR's change of every shared weight since then added to BASE's. Raises
    ValueError when they are not the same network, a name is not one of its styles, or
    (without since) DONOR's shared weights are not BASE's."""
    same_network(base, donor, ("base", "donor"))
    unknown = [n for n in names if n not in base["styles"]]
    if unknown:
        raise ValueError(f"not a style of these checkpoints: {','.join(unknown)} (they hold {','.join(base['styles'])})")
    if since is not None:
        same_network(since, donor, ("--shared-since", "donor"))
        check_base_of(donor, since)
    else:
        for key, value in base["model"].items():
            if not is_style_vector(key) and not torch.equal(value, donor["model"][key]):
                raise ValueError(f"shared weight {key} differs: DONOR is not a --tune-styles/--add-style run of "
                                 "BASE (a --tune-shared run merges with --shared-since ITS_BASE)")
    slots = [base["styles"].index(n) for n in names]
    model = {}
    for key, value in base["model"].items():
        value = value.clone()
        if is_style_vector(key):
            value[slots] = donor["model"][key][slots]
        elif since is not None and value.is_floating_point():
            value += donor["model"][key] - since["model"][key]
        model[key] = value
    # Where each merged style came from, with those of an earlier merge into BASE; the
    # merged styles are the trainable slots of a resume.
    settings = dict(base.get("settings") or {})
    origins = dict(settings.get("merged_styles") or {})
    origin = {"from": (donor.get("settings") or {}).get("out", "?"), "step": donor["step"]}
    if since is not None:
        origin["shared_since"] = (donor.get("settings") or {}).get("base", "?")
    origins.update({n: dict(origin) for n in names})
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
    p.add_argument("--shared-since", metavar="DONOR_BASE",
                   help="DONOR is a --tune-shared run of DONOR_BASE: add its shared weights' change since then")
    args = p.parse_args(argv)
    names = [n for n in args.styles.split(",") if n]
    for path in (args.base, args.donor) + ((args.shared_since,) if args.shared_since else ()):
        if not os.path.isfile(path):
            sys.exit(f"error: {path}: no such checkpoint file")
    since = load_checkpoint_file(args.shared_since) if args.shared_since else None
    try:
        merged = merge(load_checkpoint_file(args.base), load_checkpoint_file(args.donor), names, since)
    except ValueError as e:
        sys.exit(f"error: {args.base} + {args.donor}: {e}")
    tmp = args.out + ".tmp"
    torch.save(merged, tmp)
    os.replace(tmp, args.out)
    shared = f" and its shared weights' change since {args.shared_since}" if since is not None else ""
    print(f"wrote {args.out}: {args.base} with {', '.join(names)} from {args.donor}{shared}")


if __name__ == "__main__":
    main()
