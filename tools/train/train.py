#!/usr/bin/python3
"""Trains Stylize's multi-style network (conditional instance norm) and checkpoints it.

  train.py --out RUN_DIR [--variant full|light] [--styles wave,starry,...]   new run
  train.py --out RUN_DIR --resume [CKPT]                                     continue
  train.py --out NEW_DIR --add-style NAME --base CKPT                       new slot only

Each step draws content crops, gives each sample a style (round robin), and minimises
content + style + total-variation losses on the loss network plus a noise-stability
term: the output for (input + small noise) must match the output for the input, which
keeps video from flickering, and (--warp-weight) a motion-stability term: the output for
a slightly shifted, rotated or zoomed input must be the same motion of the output.
Checkpoints (model, optimiser, step, settings) go to
RUN_DIR/checkpoint.pt every --save-every steps and on SIGTERM/SIGINT; losses go to
RUN_DIR/log.csv. See README.md.
"""
import argparse
import concurrent.futures
import json
import os
import random
import signal
import sys
import time

import numpy as np
import torch
from PIL import Image

import lossnet
import warp
from checkpoint_file import load_checkpoint_file, to_cpu, trained_slots
from losses import PerceptualLoss, luma_loss
from network import VARIANTS, StyleNet, pixels_to_input
from teacher import content_files, teacher_file

HERE = os.path.dirname(os.path.abspath(__file__))


def pick_device(name):
    """'auto': the first CUDA GPU when PyTorch sees one, else the CPU."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            sys.exit(f"error: --device {name}: this PyTorch ({torch.__version__}) sees no CUDA GPU; use --device cpu")
        # TF32 convolutions and matrix products (Gram matrices): ~10 bits of mantissa,
        # far below the loss's noise between batches, several times the fp32 rate.
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    return torch.device(name)


def load_style_table():
    return {s["name"]: s for s in json.load(open(os.path.join(HERE, "styles.json")))}


def image01(im):
    return torch.from_numpy(np.asarray(im.convert("RGB"), np.float32) / 255).permute(2, 0, 1)


class ContentCrops:
    """Random crops of the content images at random scales, flipped at random; with
    teachers (add_teacher), the same crop of a style's teacher picture beside each."""

    def __init__(self, folder, size, limit=None, seed=0):
        files = content_files(folder)
        if limit:
            files = files[:limit]
        if not files:
            sys.exit(f"error: no content images in {folder}; run fetch_data.py first")
        self.files = files
        self.images = [Image.open(f).convert("RGB") for f in files]
        self.size = size
        self.rng = random.Random(seed)
        self.teachers = {}  # style slot -> pictures in self.images' order, each at its content's size

    def add_teacher(self, slot, folder):
        """Reads folder/<content stem>.png for every content image (teacher.py's output)."""
        pictures = []
        for f, im in zip(self.files, self.images):
            path = teacher_file(folder, f)
            if not os.path.exists(path):
                sys.exit(f"error: teacher picture {path} not found; render it with teacher.py")
            t = Image.open(path).convert("RGB")
            if t.size != im.size:
                sys.exit(f"error: teacher picture {path} is {t.size[0]}x{t.size[1]}, its content image "
                         f"{f} {im.size[0]}x{im.size[1]}; render it again with teacher.py")
            pictures.append(t)
        self.teachers[slot] = pictures

    def batch(self, n, slots=None):
        """n crops; with slots (one style slot per crop) also (teacher crops, mask): the
        crop of that slot's teacher picture, or of the content where it has none (mask 0)."""
        out, taught, mask = [], [], []
        for i in range(n):
            k = self.rng.randrange(len(self.images))
            im = self.images[k]
            short = min(im.size)
            crop = int(short * self.rng.uniform(0.5, 1.0))
            crop = max(crop, min(self.size, short))
            x = self.rng.randint(0, im.width - crop)
            y = self.rng.randint(0, im.height - crop)
            flip = self.rng.random() < 0.5
            pictures = [im]
            teacher = self.teachers.get(slots[i]) if slots is not None else None
            if teacher is not None:
                pictures.append(teacher[k])
            cut = []
            for p in pictures:
                c = p.crop((x, y, x + crop, y + crop)).resize((self.size, self.size), Image.BILINEAR)
                cut.append(image01(c.transpose(Image.FLIP_LEFT_RIGHT) if flip else c))
            out.append(cut[0])
            taught.append(cut[-1])
            mask.append(float(teacher is not None))
        if slots is None:
            return torch.stack(out)
        return torch.stack(out), torch.stack(taught), torch.tensor(mask)


def style_image(path, short):
    im = Image.open(path).convert("RGB")
    s = short / min(im.size)
    return image01(im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS))[None]


def parse_scales(spec):
    try:
        scales = tuple(int(v) for v in spec.split(","))
    except ValueError:
        scales = ()
    if not scales or any(s < 1 for s in scales):
        sys.exit(f"error: --style-scales {spec!r}: expected downscale factors such as 1,2,4")
    return scales


def build(args, styles_dir, device=torch.device("cpu")):
    """Returns (net, criterion) for a new run, a resumed one or add-style; the loss
    network and the style targets live on `device`, the style network on the CPU."""
    try:
        net = lossnet.make_lossnet(args.lossnet, args.work, args.vgg, scales=parse_scales(args.style_scales))
    except (FileNotFoundError, ValueError) as e:
        sys.exit(f"error: {e}")
    patch_layers = [k for k in args.patch_layers.split(",") if k] if args.patch_weight > 0 else []
    try:
        crit = PerceptualLoss(net.to(device), layer_weights=layer_weights(args.style_layer_weights, net.style_layers),
                              patch_layers=patch_layers)
    except ValueError as e:
        sys.exit(f"error: --patch-layers: {e} (--style-scales chooses the pooled copies)")
    if args.patch_weight > 0 and not patch_layers:
        sys.exit("error: --patch-weight needs at least one layer in --patch-layers, e.g. relu3_1@2x")
    for name in args.style_names:
        path = os.path.join(styles_dir, args.style_table[name]["file"])
        if not os.path.exists(path):
            sys.exit(f"error: painting {path} for style {name} not found; run fetch_data.py (or give --data)")
        crit.add_style(style_image(path, args.style_size).to(device))
    v = VARIANTS[args.variant]
    net = StyleNet(len(args.style_names), v["widths"], v["blocks"])
    return net, crit


def save_checkpoint(path, net, opt, step, args):
    if not all(torch.isfinite(p).all() for p in net.parameters()):
        sys.exit(f"error: the weights went non-finite by step {step}; {path} keeps the last good ones")
    tmp = path + ".tmp"
    torch.save({"model": to_cpu(net.state_dict()), "optimizer": to_cpu(opt.state_dict()), "step": step,
                "settings": vars(args) | {"style_table": None}, "styles": args.style_names,
                "variant": args.variant, "trainable": args.trainable}, tmp)
    os.replace(tmp, path)


def trainable_parameters(net, trainable):
    """'all'; 'slots:i,j': only those style slots' IN scale/shift vectors; 'shared+slots:i,j':
    those vectors and every weight the styles share (the convolutions), the other slots'
    vectors left as they are."""
    if trainable == "all":
        return list(net.parameters())
    shared = trainable.startswith("shared+")
    for p in net.parameters():
        p.requires_grad_(shared)
    params = list(net.parameters()) if shared else []
    mask_rows = torch.zeros(net.styles, 1, device=next(net.parameters()).device)
    mask_rows[trained_slots(trainable, net.styles)] = 1
    for n in net.norms():
        for p in (n.scale, n.shift):
            p.requires_grad_(True)
            p.register_hook(lambda g, m=mask_rows: g * m)
            if not shared:
                params.append(p)
    return params


def base_network(base, styles, widths, blocks):
    """--base's network with `styles` slots (identity vectors in slots it lacks), frozen: where
    a --base run starts, and what --tune-shared holds the other styles' renders to."""
    net = StyleNet(len(base["styles"]), widths, blocks)
    net.load_state_dict(base["model"])
    for n in net.norms():
        n.add_styles(styles - len(base["styles"]), init_from=None)
    for p in net.parameters():
        p.requires_grad_(False)
    return net.eval()


def style_scales(spec, names, option="--style-scale"):
    """'wave=1.5,snow=1.2' -> a factor per style slot (1 where not named)."""
    scale = torch.ones(len(names))
    for item in filter(None, spec.split(",")):
        name, _, value = item.partition("=")
        if name not in names:
            sys.exit(f"error: {option} names {name!r}, which is not one of this run's styles {names}")
        try:
            scale[names.index(name)] = float(value)
        except ValueError:
            sys.exit(f"error: {option} {item!r}: expected NAME=FACTOR, e.g. wave=1.5")
        if scale[names.index(name)] < 0:
            sys.exit(f"error: {option} {item!r}: a factor must be 0 or more")
    return scale


def layer_weights(spec, lossnet_layers):
    """'relu3_1=3' -> {'relu3_1': 3.0}: style-term weights by layer name (scale suffix off)."""
    known = list(dict.fromkeys(k.split("@")[0] for k in lossnet_layers))
    weights = {}
    for item in filter(None, spec.split(",")):
        name, _, value = item.partition("=")
        if name not in known:
            sys.exit(f"error: --style-layer-weights names {name!r}; this loss network's style layers are {known}")
        try:
            weights[name] = float(value)
        except ValueError:
            sys.exit(f"error: --style-layer-weights {item!r}: expected LAYER=WEIGHT, e.g. relu3_1=3")
        if weights[name] < 0:
            sys.exit(f"error: --style-layer-weights {item!r}: a weight must be 0 or more")
    if weights and not any(weights.get(k, 1.0) > 0 for k in known):
        sys.exit("error: --style-layer-weights leaves no style layer with a weight above 0")
    return weights


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="run folder: checkpoint.pt, log.csv, previews")
    p.add_argument("--resume", nargs="?", const="", default=None, metavar="CKPT",
                   help="continue RUN_DIR/checkpoint.pt, or CKPT (e.g. a committed one) into RUN_DIR")
    p.add_argument("--train-all", action="store_true",
                   help="with --resume: train every weight and every style, whatever the checkpoint trained "
                        "(resumed as it is, a checkpoint of an --add-style or --tune-styles run trains only "
                        "those styles' vectors); starts a fresh Adam, so give --warmup")
    p.add_argument("--base", help="checkpoint to start from (with --add-style and/or --tune-styles)")
    p.add_argument("--add-style", metavar="NAMES",
                   help="append these styles (comma-separated names in styles.json) to --base, training only their "
                        "IN vectors")
    p.add_argument("--tune-styles", metavar="NAMES",
                   help="with --base: train only these styles' IN vectors (comma-separated names of --base), e.g. "
                        "with a larger --style-scale for one that paints too little; the rest stays bit-identical. "
                        "Combines with --add-style: one run tunes some styles and adds others")
    p.add_argument("--tune-shared", action="store_true",
                   help="with --tune-styles: train every shared weight (the convolutions) as well as those styles' "
                        "vectors, for one style the vectors alone cannot paint; the other styles' vectors stay "
                        "as they are and --keep-weight holds their renders to --base's")
    p.add_argument("--keep-weight", type=float, default=2000.0,
                   help="with --tune-shared: MSE between the other styles' renders of the step's crops and "
                        "--base's renders of them (output units, [-1, 1]); 2000 held the light network's other "
                        "thirteen within 0.003 of their style distance (checkpoints/README.md, session 28)")
    p.add_argument("--keep-samples", type=int, default=2, help="with --tune-shared: crops per step for that term")
    p.add_argument("--variant", choices=sorted(VARIANTS), default="full")
    p.add_argument("--styles", default="wave,starry,composition,moulin,harvesters,snow,auvers,summertime")
    p.add_argument("--device", default="auto",
                   help="auto (a CUDA GPU when PyTorch sees one, else the CPU), cpu, cuda or cuda:N")
    p.add_argument("--minutes", type=float, default=None,
                   help="stop (and save) after this many minutes of training, whatever --steps says")
    p.add_argument("--style-scales", default="1,2,4", metavar="F,F,...",
                   help="VGG loss: style Grams on the image and on copies average-pooled by these factors")
    p.add_argument("--lossnet", choices=["vgg", "mobilenet", "random"], default="vgg",
                   help="vgg: ImageNet VGG-19 to relu3_1 at 1x/2x/4x (default); mobilenet: nsfwjs's MobileNetV2 "
                        "(the loss network before VGG, for comparison); random: fixed random features")
    p.add_argument("--vgg", default=None, metavar="PTH",
                   help=f"the VGG-19 file (default {os.path.relpath(lossnet.DEFAULT_VGG, os.getcwd())})")
    p.add_argument("--data", default=os.path.join(HERE, "data"), help="fetch_data.py's folder")
    p.add_argument("--work", default=None, help="where the decoded loss network is cached (default: --data)")
    p.add_argument("--content-limit", type=int, default=None, help="use only the first N content images")
    p.add_argument("--size", type=int, default=192, help="training crop size (multiple of 4)")
    p.add_argument("--style-size", type=int, default=320, help="short side of the paintings for Gram targets")
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--steps", type=int, default=20000, help="stop after this many steps in total")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=0,
                   help="ramp the learning rate up over this many steps of this run (a fresh Adam's first steps "
                        "move every weight by ~lr: a shock to a trained or grown network)")
    p.add_argument("--content-weight", type=float, default=1.0)
    p.add_argument("--style-weight", type=float, default=20.0)
    p.add_argument("--style-layer-weights", metavar="LAYER=W,...", default="",
                   help="weights of the style term's layers, e.g. relu3_1=3 (every scale of that layer; 1 where not "
                        "named): relu3_1 is where the packs trail Engstrom's wave most (README)")
    p.add_argument("--patch-weight", type=float, default=0.0,
                   help="patch (MRF) style term: each 3x3 neighbourhood of --patch-layers in the output is pulled "
                        "toward its nearest one in the painting; paints the painting's local shapes where the "
                        "Gram term paints its colours and grain (README, 'The patch term')")
    p.add_argument("--teacher-weight", type=float, default=0.0,
                   help="distillation: pull each trained style's render toward its teacher picture of the same "
                        "crop (teacher.py: Magenta's arbitrary model given the painting), as --teacher-mode "
                        "says; 0 = off (README, 'Distil from Magenta's model')")
    p.add_argument("--teacher-mode", choices=("features", "gram"), default="features",
                   help="features: the teacher's strokes where it put them (relu2_1/relu3_1 distance); gram: "
                        "the teacher crop's Gram matrices as a per-crop style target (losses.teacher_loss)")
    p.add_argument("--teacher", default=None,
                   help="teacher pictures, one folder per style (default: DATA/teacher, teacher.py's output)")
    p.add_argument("--patch-layers", default="relu3_1@2x,relu3_1@4x", metavar="LAYER@Sx,...",
                   help="the style layers (at the --style-scales copies) the patch term matches")
    p.add_argument("--style-scale", metavar="NAME=F,...", default="",
                   help="per-style factor on --style-weight, e.g. wave=1.5 for a style that paints too little")
    p.add_argument("--luma-weight", type=float, default=2.0,
                   help="MSE of 4x-pooled luminance, output vs input: keeps the scene's light and shapes "
                        "while colours and texture follow the painting; speeds up early training")
    p.add_argument("--luma-scale", metavar="NAME=F,...", default="",
                   help="per-style factor on --luma-weight, e.g. spring=0.3 for a painting whose dark ground "
                        "the photo's light would hold back")
    p.add_argument("--palette-weight", type=float, default=10.0,
                   help="RGB mean/covariance of the output vs the painting's (palette)")
    p.add_argument("--tv-weight", type=float, default=5.0)
    p.add_argument("--spike-weight", type=float, default=5.0,
                   help="instance-norm spike penalty (network.StyleNet.spikes): against saturated blobs "
                        "at bright high-contrast edges")
    p.add_argument("--stability-weight", type=float, default=20.0)
    p.add_argument("--stability-noise", type=float, default=0.03, help="noise std in [-1, 1] input units")
    p.add_argument("--stability-samples", type=int, default=2, help="samples per step given the noise test")
    p.add_argument("--warp-weight", type=float, default=0.0,
                   help="motion stability: the output of a slightly moved input (shift, rotation, zoom: "
                        "warp.random_affine) must be the moved output; against texture that swims or "
                        "flickers when the camera moves (the stride-2 layers alias sub-4-pixel motion)")
    p.add_argument("--warp-samples", type=int, default=2, help="samples per step given the motion test")
    p.add_argument("--warp-shift", type=float, default=3.0, help="largest shift, in pixels")
    p.add_argument("--warp-subpixel", action="store_true",
                   help="sub-pixel shifts plus --warp-rotate/--warp-zoom (default: whole-pixel shifts only, "
                        "which move the output exactly; see warp.py)")
    p.add_argument("--warp-rotate", type=float, default=1.0, help="largest rotation, in degrees (--warp-subpixel)")
    p.add_argument("--warp-zoom", type=float, default=0.01, help="largest relative zoom (--warp-subpixel)")
    p.add_argument("--save-every", type=int, default=100)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = pick_device(args.device)
    args.work = args.work or args.data
    args.style_table = load_style_table()
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    state = None
    args.trainable = "all"
    if args.tune_shared and not args.tune_styles:
        sys.exit("error: --tune-shared trains the shared weights for the styles --tune-styles names; give them")
    if args.tune_shared and args.keep_weight <= 0:
        sys.exit("error: --tune-shared needs --keep-weight above 0, or every other style drifts with the "
                 "shared weights")
    if args.resume is not None:
        state = load_checkpoint_file(args.resume or ckpt_path)
        args.style_names, args.variant, args.trainable = state["styles"], state["variant"], state["trainable"]
        if args.train_all:
            args.trainable = "all"
    elif args.train_all:
        sys.exit("error: --train-all widens a resumed run (--resume CKPT); a new run trains every weight anyway")
    elif args.tune_styles or args.add_style:
        if not args.base:
            sys.exit("error: --add-style and --tune-styles start from a trained model: give it with --base")
        base = load_checkpoint_file(args.base)
        tuned = args.tune_styles.split(",") if args.tune_styles else []
        added = args.add_style.split(",") if args.add_style else []
        unknown = [n for n in tuned if n not in base["styles"]]
        if unknown:
            sys.exit(f"error: {args.base} has no style named {unknown}; it has {base['styles']}")
        present = [n for n in added if n in base["styles"]]
        if present:
            sys.exit(f"error: {args.base} already has a style named {present}")
        missing = [n for n in added if n not in args.style_table]
        if missing:
            sys.exit(f"error: {missing} not in styles.json; add the entry there first")
        if len(set(added)) != len(added):
            sys.exit(f"error: --add-style names a style twice: {added}")
        args.style_names, args.variant = base["styles"] + added, base["variant"]
        slots = [base["styles"].index(n) for n in tuned] + list(range(len(base["styles"]), len(args.style_names)))
        args.trainable = ("shared+" if args.tune_shared else "") + "slots:" + ",".join(str(i) for i in slots)
    else:
        args.style_names = args.styles.split(",")
        unknown = [s for s in args.style_names if s not in args.style_table]
        if unknown:
            sys.exit(f"error: styles not in styles.json: {unknown}")

    net, crit = build(args, os.path.join(args.data, "styles"), device)
    scale = style_scales(args.style_scale, args.style_names).to(device)
    luma_scale = style_scales(args.luma_scale, args.style_names, "--luma-scale").to(device)
    if state is None and (args.add_style or args.tune_styles):
        net.load_state_dict(base_network(base, net.styles, net.widths, net.blocks).state_dict())
    if state:
        net.load_state_dict(state["model"])
    keeper, keep_slots = None, []
    if args.trainable.startswith("shared+"):
        base_path = args.base or state["settings"].get("base")
        if not base_path or not os.path.exists(base_path):
            sys.exit(f"error: this run trains the shared weights and holds the other styles to its --base "
                     f"({base_path or 'not recorded'}), which is not there; give it with --base")
        if state is not None:  # a new run loaded its base above
            base = load_checkpoint_file(base_path)
        args.base = base_path
        keeper = base_network(base, net.styles, net.widths, net.blocks).to(device)
        tuned = set(trained_slots(args.trainable, net.styles))
        keep_slots = [i for i in range(len(base["styles"])) if i not in tuned]
    net.to(device)
    params = trainable_parameters(net, args.trainable)
    opt = torch.optim.Adam(params, lr=args.lr)
    step = 0
    if state:
        # grow.py's checkpoints start a fresh Adam, and so does a run widened by --train-all
        # (the saved state covers only the parameters the checkpoint trained).
        if state["optimizer"] is not None and state["trainable"] == args.trainable:
            opt.load_state_dict(state["optimizer"])
        elif state["trainable"] != args.trainable:
            print(f"--train-all: every weight trains from here (the checkpoint trained {state['trainable']}); "
                  f"a fresh Adam, warm-up {args.warmup} steps")
        for group in opt.param_groups:  # the command line's rate: lower it to settle a run
            group["lr"] = args.lr
        step = state["step"]
        print(f"resumed {args.resume or ckpt_path} at step {step}")
    crops = ContentCrops(os.path.join(args.data, "content"), args.size, args.content_limit, seed=args.seed + step)
    slots = trained_slots(args.trainable, net.styles)
    if args.teacher_weight > 0:
        folder = args.teacher or os.path.join(args.data, "teacher")
        taught = [i for i in slots if os.path.isdir(os.path.join(folder, args.style_names[i]))]
        if not taught:
            sys.exit(f"error: --teacher-weight: no teacher pictures for {[args.style_names[i] for i in slots]} "
                     f"under {folder}; render them with teacher.py")
        for i in taught:
            crops.add_teacher(i, os.path.join(folder, args.style_names[i]))
        print(f"teacher pictures for {[args.style_names[i] for i in taught]} from {folder}")

    def next_batch(at):
        """The style slots and crops of step `at` (cut on the loader thread)."""
        ids = [slots[(at * args.batch + i) % len(slots)] for i in range(args.batch)]
        if crops.teachers:
            return (ids, *crops.batch(args.batch, ids))
        return ids, crops.batch(args.batch), None, None

    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    log_path = os.path.join(args.out, "log.csv")
    new_log = not os.path.exists(log_path)
    log = open(log_path, "a")
    if new_log:
        log.write("step,seconds_per_step,total,content,style,tv,stability\n")
    history = []
    t0 = time.time()
    net.train()
    first_step = step
    skipped = 0
    started = time.time()
    # The next batch of crops is cut and resized on a helper thread (PIL lets go of the
    # GIL) while this one trains: on a GPU the crops would otherwise set the pace.
    loader = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    pending = loader.submit(next_batch, step)
    while step < args.steps and not stop["now"]:
        if args.minutes is not None and time.time() - started >= args.minutes * 60:
            print(f"--minutes {args.minutes:g} reached at step {step}", flush=True)
            break
        if args.warmup > 0:
            for group in opt.param_groups:
                group["lr"] = args.lr * min(1.0, (step - first_step + 1) / args.warmup)
        ids, content, teacher, teacher_mask = pending.result()
        content = content.to(device, non_blocking=True)
        teacher = teacher.to(device, non_blocking=True) if teacher is not None else None
        pending = loader.submit(next_batch, step + 1)
        w = torch.nn.functional.one_hot(torch.tensor(ids), net.styles).float().to(device)
        x = pixels_to_input(content * 255)
        y = net(x, w)
        out01 = (y + 1) / 2
        loss, parts = crit(out01, content, ids, args.content_weight, args.style_weight, args.tv_weight,
                           style_scale=scale[ids], patch_weight=args.patch_weight,
                           teacher01=teacher, teacher_mask=teacher_mask, teacher_weight=args.teacher_weight,
                           teacher_mode=args.teacher_mode)
        if args.luma_weight > 0:
            luma = luma_loss(out01, content, luma_scale[ids])
            loss = loss + args.luma_weight * luma
            parts["luma"] = float(luma)
        if args.palette_weight > 0:
            pal = crit.palette_loss(out01, ids)
            loss = loss + args.palette_weight * pal
            parts["palette"] = float(pal)
        if args.spike_weight > 0:
            spikes = net.spikes()
            loss = loss + args.spike_weight * spikes
            parts["spikes"] = float(spikes)
        stab = torch.zeros((), device=device)
        k = min(args.stability_samples, args.batch)
        if args.stability_weight > 0 and k > 0:
            noisy = x[:k] + torch.randn_like(x[:k]) * args.stability_noise
            stab = ((net(noisy, w[:k]) - y[:k].detach()) ** 2).mean()
            loss = loss + args.stability_weight * stab
        motion = torch.zeros((), device=device)
        k = min(args.warp_samples, args.batch)
        if args.warp_weight > 0 and k > 0:
            grid = warp.random_affine(k, x.shape[2], x.shape[3], args.warp_shift, args.warp_rotate, args.warp_zoom,
                                       whole_pixels=not args.warp_subpixel).to(device)
            moved = warp.apply(x[:k], grid) + torch.randn_like(x[:k]) * args.stability_noise
            motion = warp.masked_mse(net(moved, w[:k]), warp.apply(y[:k].detach(), grid), grid)
            loss = loss + args.warp_weight * motion
            parts["motion"] = float(motion)
        k = min(args.keep_samples, args.batch)
        if keeper is not None and keep_slots and k > 0:
            kept = [keep_slots[(step * k + i) % len(keep_slots)] for i in range(k)]
            wk = torch.nn.functional.one_hot(torch.tensor(kept), net.styles).float().to(device)
            with torch.no_grad():
                target = keeper(x[:k], wk)
            keep = ((net(x[:k], wk) - target) ** 2).mean()
            loss = loss + args.keep_weight * keep
            parts["keep"] = float(keep)
        opt.zero_grad()
        loss.backward()
        # A non-finite loss or gradient (one degenerate batch) would turn every weight into
        # NaN at this update and in the next checkpoint: skip the step instead.
        grad_norm = torch.nn.utils.clip_grad_norm_(params, float("inf"))
        if not (torch.isfinite(loss) and torch.isfinite(grad_norm)):
            skipped += 1
            print(f"step {step + 1}: non-finite loss or gradient, skipped ({skipped} so far)", flush=True)
            if skipped > 20:
                sys.exit(f"error: {skipped} steps with non-finite values; {ckpt_path} holds step {step}")
            continue
        opt.step()
        step += 1
        history.append(float(loss))
        if step % args.log_every == 0 or step == args.steps:
            dt = (time.time() - t0) / args.log_every
            t0 = time.time()
            log.write(f"{step},{dt:.3f},{float(loss):.5f},{parts['content']:.5f},{parts['style']:.5f},"
                      f"{parts['tv']:.5f},{float(stab):.6f}\n")
            log.flush()
            print(f"step {step} loss {float(loss):.4f} content {parts['content']:.4f} style {parts['style']:.4f} "
                  f"patch {parts.get('patch', 0):.4f} luma {parts.get('luma', 0):.4f} "
                  f"palette {parts.get('palette', 0):.4f} spikes {parts.get('spikes', 0):.4f} "
                  f"keep {parts.get('keep', 0):.6f} teacher {parts.get('teacher', 0):.4f} "
                  f"stab {float(stab):.5f} motion {float(motion):.5f} {dt:.2f} s/step", flush=True)
        if step % args.save_every == 0:
            save_checkpoint(ckpt_path, net, opt, step, args)
    loader.shutdown(wait=True, cancel_futures=True)
    save_checkpoint(ckpt_path, net, opt, step, args)
    log.close()
    print(f"saved {ckpt_path} at step {step}")
    return history


if __name__ == "__main__":
    main()
