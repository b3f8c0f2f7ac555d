#!/usr/bin/python3
"""Unit tests of tools/train: a tiny training step runs, the loss falls over a few
steps, checkpoints resume, add-style trains only the new slot, and an exported pack
loads in the engine (stylize-cli, Vulkan) with outputs matching PyTorch.

Run with Debian's /usr/bin/python3; exits 77 (ctest SKIP) when torch is missing.
Environment: STYLIZE_CLI (path of stylize-cli; the round-trip test skips without it).
"""
import os
import subprocess
import sys
import tempfile
import unittest

try:
    import numpy as np
    import torch
    from PIL import Image
except ImportError as e:  # pragma: no cover
    print(f"skipping: {e} (run with Debian's /usr/bin/python3 and python3-torch)")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.normpath(os.path.join(HERE, "../../tools/train"))
sys.path.insert(0, TOOL)

import merge_styles  # noqa: E402
import train  # noqa: E402
import warp  # noqa: E402
from network import StyleNet, output_to_pixels, pixels_to_input  # noqa: E402
from stylepack import read_stylepack_json, write_stylepack  # noqa: E402

torch.set_num_threads(2)


def make_data(root, rng):
    """A tiny data folder: four content images and the painting files styles.json names
    (random-texture stand-ins, so the test needs no package download)."""
    os.makedirs(os.path.join(root, "content"))
    os.makedirs(os.path.join(root, "styles"))
    for i in range(4):
        a = rng.randint(0, 256, (12, 16, 3)).astype(np.uint8)
        Image.fromarray(a).resize((64, 48), Image.BILINEAR).save(os.path.join(root, "content", f"c{i}.jpg"))
    for s in train.load_style_table().values():
        a = rng.randint(0, 256, (8, 8, 3)).astype(np.uint8)
        Image.fromarray(a).resize((64, 64), Image.NEAREST).save(os.path.join(root, "styles", s["file"]))


class TrainToolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.data = os.path.join(cls.tmp.name, "data")
        make_data(cls.data, np.random.RandomState(3))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def args(self, out, *extra):
        # The random loss network: no npm download inside unit tests.
        return ["--out", out, "--data", self.data, "--lossnet", "random", "--variant", "light",
                "--styles", "wave,starry", "--size", "32", "--style-size", "48", "--batch", "2",
                "--log-every", "1", "--save-every", "1000", "--threads", "2", *extra]

    def test_one_step_runs_and_checkpoints(self):
        out = os.path.join(self.tmp.name, "one")
        history = train.main(self.args(out, "--steps", "1"))
        self.assertEqual(len(history), 1)
        self.assertTrue(np.isfinite(history[0]))
        state = torch.load(os.path.join(out, "checkpoint.pt"))
        self.assertEqual(state["step"], 1)
        self.assertEqual(state["styles"], ["wave", "starry"])
        with open(os.path.join(out, "log.csv")) as f:
            self.assertEqual(len(f.read().strip().splitlines()), 2)

    def test_loss_decreases_and_resume_continues(self):
        out = os.path.join(self.tmp.name, "few")
        # Same content batch every step (one image): the loss must fall.
        first = train.main(self.args(out, "--steps", "12", "--content-limit", "1", "--lr", "5e-3"))
        self.assertLess(np.mean(first[-3:]), np.mean(first[:3]) * 0.9, first)
        more = train.main(self.args(out, "--steps", "14", "--resume"))
        self.assertEqual(len(more), 2)
        self.assertEqual(torch.load(os.path.join(out, "checkpoint.pt"))["step"], 14)

    def run_from_base(self, name, *extra):
        """A 1-step base run, then a 3-step run from it with `extra`: (base weights, new checkpoint)."""
        base = os.path.join(self.tmp.name, name + "-base")
        train.main(self.args(base, "--steps", "1"))
        before = torch.load(os.path.join(base, "checkpoint.pt"))["model"]
        out = os.path.join(self.tmp.name, name)
        train.main(["--out", out, "--data", self.data, "--lossnet", "random", "--size", "32",
                    "--style-size", "48", "--batch", "2", "--steps", "3", "--threads", "2",
                    "--base", os.path.join(base, "checkpoint.pt"), *extra])  # a later --steps wins
        return before, torch.load(os.path.join(out, "checkpoint.pt"))

    def test_add_style_trains_only_the_new_slot(self):
        before, state = self.run_from_base("added", "--add-style", "snow")
        self.assertEqual(state["styles"], ["wave", "starry", "snow"])
        after = state["model"]
        changed_new_slot = False
        for k, v in before.items():
            if k.endswith(".scale") or k.endswith(".shift"):
                torch.testing.assert_close(after[k][:2], v, msg=f"{k}: old slots changed")
                changed_new_slot |= not torch.equal(after[k][2], torch.ones_like(v[0]) if k.endswith("scale")
                                                    else torch.zeros_like(v[0]))
            else:
                torch.testing.assert_close(after[k], v, msg=f"{k}: shared weights changed")
        self.assertTrue(changed_new_slot)

    def test_train_all_widens_a_resumed_add_style_run(self):
        before, state = self.run_from_base("widened", "--add-style", "snow")
        self.assertEqual(state["trainable"], "slots:2")
        added = os.path.join(self.tmp.name, "widened", "checkpoint.pt")

        def resume(name, *extra):
            out = os.path.join(self.tmp.name, name)
            train.main(["--out", out, "--data", self.data, "--lossnet", "random", "--size", "32", "--style-size",
                        "48", "--batch", "3", "--steps", str(state["step"] + 2), "--threads", "2",
                        "--resume", added, *extra])
            return torch.load(os.path.join(out, "checkpoint.pt"))

        shared = [k for k in before if not (k.endswith(".scale") or k.endswith(".shift"))]
        kept = resume("widened-as-is")  # resumed as it is: still the new slot's vectors only
        self.assertEqual(kept["trainable"], "slots:2")
        for k in shared:
            torch.testing.assert_close(kept["model"][k], before[k], msg=f"{k}: shared weights changed")
        wide = resume("widened-all", "--train-all", "--warmup", "1")
        self.assertEqual(wide["trainable"], "all")
        self.assertTrue(any(not torch.equal(wide["model"][k], before[k]) for k in shared), "no shared weight trained")
        for k in before:
            if k.endswith(".scale"):
                self.assertFalse(torch.equal(wide["model"][k][0], before[k][0]), f"{k}: wave's vectors did not train")
        with self.assertRaises(SystemExit):
            train.main(self.args(os.path.join(self.tmp.name, "not-resumed"), "--steps", "1", "--train-all"))

    def test_tune_styles_trains_only_those_slots(self):
        before, state = self.run_from_base("tuned", "--tune-styles", "starry")
        self.assertEqual(state["styles"], ["wave", "starry"])
        changed = False
        for k, v in before.items():
            if k.endswith(".scale") or k.endswith(".shift"):
                torch.testing.assert_close(state["model"][k][0], v[0], msg=f"{k}: wave changed")
                changed |= not torch.equal(state["model"][k][1], v[1])
            else:
                torch.testing.assert_close(state["model"][k], v, msg=f"{k}: shared weights changed")
        self.assertTrue(changed, "starry did not train")
        with self.assertRaises(SystemExit):
            train.main(["--out", os.path.join(self.tmp.name, "unknown"), "--data", self.data, "--lossnet", "random",
                        "--tune-styles", "nope", "--base", os.path.join(self.tmp.name, "tuned-base", "checkpoint.pt")])


    def test_tune_shared_trains_the_convolutions_and_holds_the_other_styles(self):
        photo = Image.open(os.path.join(self.data, "content", "c0.jpg")).resize((32, 32), Image.BILINEAR)
        x = pixels_to_input(train.image01(photo)[None] * 255)
        one_hot = torch.eye(2)

        def render(model, slot):
            net = StyleNet(2, (16, 32, 64), 3)
            net.load_state_dict(model)
            with torch.no_grad():
                return net.eval()(x, one_hot[slot:slot + 1])

        drift = {}
        for weight in ("0.001", "3000"):
            before, state = self.run_from_base("shared-" + weight, "--tune-styles", "wave", "--tune-shared",
                                               "--keep-weight", weight, "--lr", "2e-3", "--warmup", "10", "--steps", "60")
            self.assertEqual(state["trainable"], "shared+slots:0")
            for k, v in before.items():
                after = state["model"][k]
                if k.endswith(".scale") or k.endswith(".shift"):
                    torch.testing.assert_close(after[1], v[1], msg=f"{k}: starry's vectors changed")
                    self.assertFalse(torch.equal(after[0], v[0]), f"{k}: wave's vectors did not train")
            self.assertTrue(any(not torch.equal(state["model"][k], before[k]) for k in before
                                if not (k.endswith(".scale") or k.endswith(".shift"))), "no shared weight trained")
            drift[weight] = float((render(state["model"], 1) - render(before, 1)).abs().mean())
        # Starry shares every convolution with wave: held to the base, its render moves far less
        # (0.23 against 0.57 here; without the term the two drift alike).
        self.assertLess(drift["3000"], 0.6 * drift["0.001"], drift)
        # Resumed, the run finds its --base (recorded in the checkpoint) and goes on as it was.
        run = os.path.join(self.tmp.name, "shared-3000")
        train.main(self.args(run, "--resume", "--steps", "62"))
        resumed = torch.load(os.path.join(run, "checkpoint.pt"))
        self.assertEqual((resumed["step"], resumed["trainable"]), (62, "shared+slots:0"))
        with self.assertRaises(SystemExit):  # the shared weights need a style to train them for
            train.main(["--out", os.path.join(self.tmp.name, "shared-bad"), "--data", self.data, "--lossnet",
                        "random", "--tune-shared", "--base", os.path.join(self.tmp.name, "shared-3000-base",
                                                                          "checkpoint.pt")])

    def teacher_folder(self, name, picture):
        """A teacher folder for wave: `picture(content image)` for every content image."""
        folder = os.path.join(self.tmp.name, name, "wave")
        os.makedirs(folder)
        for f in sorted(os.listdir(os.path.join(self.data, "content"))):
            im = Image.open(os.path.join(self.data, "content", f)).convert("RGB")
            picture(im).save(os.path.join(folder, os.path.splitext(f)[0] + ".png"))
        return os.path.dirname(folder)

    def test_teacher_crops_are_cut_where_the_content_is(self):
        crops = train.ContentCrops(os.path.join(self.data, "content"), 24, seed=5)
        crops.add_teacher(0, os.path.join(self.teacher_folder("teacher-same", lambda im: im), "wave"))
        content, teacher, mask = crops.batch(6, [0, 1, 0, 0, 1, 0])
        self.assertEqual(mask.tolist(), [1, 0, 1, 1, 0, 1])
        # The teacher is the content itself (PNG of the decoded JPEG): the crops agree exactly
        # where a slot has one; a slot without one gets the content crop, masked out.
        torch.testing.assert_close(teacher, content, atol=0, rtol=0)
        plain = train.ContentCrops(os.path.join(self.data, "content"), 24, seed=5).batch(6)
        torch.testing.assert_close(plain, content, atol=0, rtol=0)  # the same crops as without teachers

    def test_teacher_term_pulls_the_render_toward_the_teacher(self):
        inverted = self.teacher_folder("teacher-inverted", lambda im: Image.eval(im, lambda v: 255 - v))
        photo = Image.open(os.path.join(self.data, "content", "c1.jpg")).convert("RGB")
        x = pixels_to_input(train.image01(photo)[None] * 255)
        target = 1 - train.image01(photo)[None]

        import lossnet
        from losses import PerceptualLoss
        crit = PerceptualLoss(lossnet.make_lossnet("random", None), jitter=0)

        def distance(state, mode):
            """The term's own measure: the loss network's features (or their Gram matrices)
            against the teacher's."""
            net = StyleNet(2, (16, 32, 64), 3)
            net.load_state_dict(state["model"])
            with torch.no_grad():
                render = output_to_pixels(net.eval()(x, torch.eye(2)[:1])) / 255
                return float(crit.teacher_loss(crit.net(render), target, torch.ones(1), mode))

        def run(name, *extra):
            return self.run_from_base(name, "--tune-styles", "wave", "--tune-shared", "--teacher", inverted,
                                      "--lr", "1e-3", "--steps", "40", "--content-weight", "0.1",
                                      "--style-weight", "0.1", *extra)[1]

        untaught = run("taught-0", "--teacher-weight", "0")
        for mode in ("features", "gram"):
            taught = run("taught-" + mode, "--teacher-weight", "200", "--teacher-mode", mode)
            far = {"untaught": distance(untaught, mode), "taught": distance(taught, mode)}
            # The inverted photo is nothing the style or content terms ask for: only the
            # teacher term brings the render near it.
            self.assertLess(far["taught"], 0.7 * far["untaught"], f"{mode}: {far}")
        base = os.path.join(self.tmp.name, "taught-0-base", "checkpoint.pt")
        for folder, why in ((os.path.join(self.tmp.name, "nowhere"), "no teacher folder"),
                            (self.teacher_folder("teacher-small", lambda im: im.resize((8, 8))), "wrong size")):
            with self.assertRaises(SystemExit, msg=why) as e:
                train.main(["--out", os.path.join(self.tmp.name, "taught-bad"), "--data", self.data,
                            "--lossnet", "random", "--base", base, "--tune-styles", "wave", "--steps", "1",
                            "--teacher", folder, "--teacher-weight", "1"])
            self.assertIn(folder, str(e.exception))

    def test_one_run_tunes_some_styles_and_adds_others(self):
        before, state = self.run_from_base("tune-add", "--tune-styles", "starry", "--add-style", "snow,auvers",
                                           "--style-scale", "starry=1.5,auvers=0.5")
        self.assertEqual(state["styles"], ["wave", "starry", "snow", "auvers"])
        self.assertEqual(state["trainable"], "slots:1,2,3")
        moved = set()
        for k, v in before.items():
            after = state["model"][k]
            if k.endswith(".scale") or k.endswith(".shift"):
                torch.testing.assert_close(after[0], v[0], msg=f"{k}: wave changed")
                if not torch.equal(after[1], v[1]):
                    moved.add("starry")
                init = torch.ones_like(v[0]) if k.endswith("scale") else torch.zeros_like(v[0])
                for slot, name in ((2, "snow"), (3, "auvers")):
                    if not torch.equal(after[slot], init):
                        moved.add(name)
            else:
                torch.testing.assert_close(after, v, msg=f"{k}: shared weights changed")
        self.assertEqual(moved, {"starry", "snow", "auvers"})
        base = os.path.join(self.tmp.name, "tune-add-base", "checkpoint.pt")
        for bad in (["--style-scale", "nope=2"], ["--style-scale", "wave=big"], ["--add-style", "wave"]):
            with self.assertRaises(SystemExit, msg=bad):
                train.main(["--out", os.path.join(self.tmp.name, "bad"), "--data", self.data, "--lossnet", "random",
                            "--size", "32", "--style-size", "48", "--batch", "2", "--steps", "1",
                            "--base", base, "--tune-styles", "wave", *bad])

    def test_merge_styles_takes_only_the_named_styles_and_resumes(self):
        _, donor = self.run_from_base("merge", "--tune-styles", "starry")
        base_path = os.path.join(self.tmp.name, "merge-base", "checkpoint.pt")
        base = torch.load(base_path)
        donor_path = os.path.join(self.tmp.name, "merge", "checkpoint.pt")
        out = os.path.join(self.tmp.name, "merged.pt")
        merge_styles.main([base_path, donor_path, out, "--styles", "starry"])
        merged = torch.load(out)
        self.assertEqual(merged["trainable"], "slots:1")
        self.assertIsNone(merged["optimizer"])
        self.assertEqual(merged["settings"]["merged_styles"]["starry"]["step"], donor["step"])
        for k, v in base["model"].items():
            if merge_styles.is_style_vector(k):
                self.assertTrue(torch.equal(merged["model"][k][0], v[0]), f"{k}: wave is not the base's")
                self.assertTrue(torch.equal(merged["model"][k][1], donor["model"][k][1]), f"{k}: starry not taken")
            else:
                self.assertTrue(torch.equal(merged["model"][k], v), f"{k}: shared weight changed")
        self.assertTrue(any(not torch.equal(donor["model"][k][1], v[1]) for k, v in base["model"].items()
                            if merge_styles.is_style_vector(k)), "the tune run left starry as it was: nothing tested")
        # Not the same network, or not its style: refused with the difference named.
        other = dict(donor, model=dict(donor["model"]))
        shared = next(k for k in other["model"] if not merge_styles.is_style_vector(k))
        other["model"][shared] = other["model"][shared] + 1
        with self.assertRaisesRegex(ValueError, shared):
            merge_styles.merge(base, other, ["starry"])
        with self.assertRaisesRegex(ValueError, "nope"):
            merge_styles.merge(base, donor, ["nope"])
        with self.assertRaisesRegex(ValueError, "styles differ"):
            merge_styles.merge(base, dict(donor, styles=["wave", "snow"]), ["wave"])
        # A second merge into the merged file keeps the first one's record and slot.
        twice = os.path.join(self.tmp.name, "merged-twice.pt")
        merge_styles.main([out, base_path, twice, "--styles", "wave"])
        self.assertEqual(sorted(torch.load(twice)["settings"]["merged_styles"]), ["starry", "wave"])
        self.assertEqual(torch.load(twice)["trainable"], "slots:0,1")
        # The merged file resumes (a fresh Adam for the merged slot).
        resumed = os.path.join(self.tmp.name, "merged-resumed")
        train.main(["--out", resumed, "--data", self.data, "--lossnet", "random", "--size", "32", "--style-size",
                    "48", "--batch", "2", "--steps", str(merged["step"] + 1), "--threads", "2", "--warmup", "1",
                    "--resume", out])
        self.assertEqual(torch.load(os.path.join(resumed, "checkpoint.pt"))["trainable"], "slots:1")

    def test_merge_adds_up_two_tune_shared_runs_of_one_base(self):
        _, wave_run = self.run_from_base("sum", "--tune-styles", "wave", "--tune-shared", "--keep-weight", "2000",
                                         "--lr", "2e-3", "--warmup", "1")
        base_path = os.path.join(self.tmp.name, "sum-base", "checkpoint.pt")
        train.main(["--out", os.path.join(self.tmp.name, "sum-starry"), "--data", self.data, "--lossnet", "random",
                    "--size", "32", "--style-size", "48", "--batch", "2", "--steps", "3", "--threads", "2",
                    "--base", base_path, "--tune-styles", "starry", "--tune-shared", "--keep-weight", "2000",
                    "--lr", "2e-3", "--warmup", "1"])
        starry_path = os.path.join(self.tmp.name, "sum-starry", "checkpoint.pt")
        base, starry_run = torch.load(base_path), torch.load(starry_path)
        shared = [k for k in base["model"] if not merge_styles.is_style_vector(k)]
        for run in (wave_run, starry_run):  # both runs moved the shared weights, differently
            self.assertTrue(any(not torch.equal(run["model"][k], base["model"][k]) for k in shared))
        # Without --shared-since a --tune-shared run is refused, and the message says what to give.
        with self.assertRaisesRegex(ValueError, "--shared-since"):
            merge_styles.merge(base, wave_run, ["wave"])
        with self.assertRaisesRegex(ValueError, "styles differ"):
            merge_styles.merge(base, wave_run, ["wave"], since=dict(base, styles=["wave", "snow"]))
        with self.assertRaisesRegex(ValueError, "not DONOR's base: starry"):  # another run is not its base
            merge_styles.merge(base, wave_run, ["wave"], since=starry_run)
        # One run merged into its own base is that run.
        one = merge_styles.merge(base, wave_run, ["wave"], since=base)
        for k, v in wave_run["model"].items():
            torch.testing.assert_close(one["model"][k], v, msg=k)
        # Two, one after the other: each style's vectors from its run, the shared changes added up.
        wave_path = os.path.join(self.tmp.name, "sum-wave-merged.pt")
        both_path = os.path.join(self.tmp.name, "sum-both.pt")
        merge_styles.main([base_path, os.path.join(self.tmp.name, "sum", "checkpoint.pt"), wave_path,
                           "--styles", "wave", "--shared-since", base_path])
        merge_styles.main([wave_path, starry_path, both_path, "--styles", "starry", "--shared-since", base_path])
        both = torch.load(both_path)
        for k, v in base["model"].items():
            if merge_styles.is_style_vector(k):
                self.assertTrue(torch.equal(both["model"][k][0], wave_run["model"][k][0]), f"{k}: wave not taken")
                self.assertTrue(torch.equal(both["model"][k][1], starry_run["model"][k][1]), f"{k}: starry not taken")
            else:
                torch.testing.assert_close(both["model"][k], v + (wave_run["model"][k] - v)
                                           + (starry_run["model"][k] - v), msg=k)
        self.assertTrue(any(not torch.allclose(both["model"][k], run["model"][k])
                            for k in shared for run in (wave_run, starry_run)))
        self.assertEqual(sorted(both["settings"]["merged_styles"]), ["starry", "wave"])
        self.assertIn("shared_since", both["settings"]["merged_styles"]["starry"])
        with self.assertRaises(SystemExit):  # a --shared-since file that is not there is named
            merge_styles.main([base_path, starry_path, both_path, "--styles", "starry", "--shared-since",
                               os.path.join(self.tmp.name, "nope.pt")])

    def test_patch_term_trains_and_a_wrong_layer_is_a_sentence(self):
        out = os.path.join(self.tmp.name, "patch")
        history = train.main(self.args(out, "--steps", "3", "--patch-weight", "5", "--patch-layers", "r1,r2"))
        self.assertEqual(len(history), 3)
        self.assertTrue(all(np.isfinite(history)))
        state = torch.load(os.path.join(out, "checkpoint.pt"))
        self.assertEqual(state["settings"]["patch_weight"], 5.0)
        plain = train.main(self.args(os.path.join(self.tmp.name, "nopatch"), "--steps", "1"))
        self.assertGreater(history[0], plain[0] + 1.0)  # 5 x a patch term of ~0.7 on top
        with self.assertRaises(SystemExit) as e:
            train.main(self.args(os.path.join(self.tmp.name, "badpatch"), "--steps", "1", "--patch-weight", "1",
                                 "--patch-layers", "relu3_1@2x"))
        self.assertIn("--patch-layers", str(e.exception))
        self.assertIn("relu3_1@2x", str(e.exception))

    def test_minutes_stop_the_run_and_save_it(self):
        out = os.path.join(self.tmp.name, "timed")
        history = train.main(self.args(out, "--steps", "100000", "--minutes", "0.002"))
        self.assertGreaterEqual(len(history), 1)
        self.assertLess(len(history), 100000)
        self.assertEqual(torch.load(os.path.join(out, "checkpoint.pt"))["step"], len(history))

    def test_checkpoints_hold_cpu_tensors_and_a_cuda_request_without_one_is_a_sentence(self):
        from checkpoint_file import load_checkpoint_file, to_cpu
        out = os.path.join(self.tmp.name, "cpu")
        train.main(self.args(out, "--steps", "1", "--device", "cpu"))
        state = load_checkpoint_file(os.path.join(out, "checkpoint.pt"))
        tensors = list(state["model"].values()) + [t for s in state["optimizer"]["state"].values()
                                                   for t in s.values() if torch.is_tensor(t)]
        self.assertTrue(tensors)
        self.assertTrue(all(t.device.type == "cpu" for t in tensors))
        nested = to_cpu({"a": [torch.ones(2)], "b": (torch.zeros(1), 3), "c": "x"})
        self.assertEqual(nested["c"], "x")
        self.assertIsInstance(nested["b"], tuple)
        if not torch.cuda.is_available():
            with self.assertRaises(SystemExit) as e:
                train.main(self.args(os.path.join(self.tmp.name, "nogpu"), "--steps", "1", "--device", "cuda"))
            self.assertIn("--device cuda", str(e.exception))
            self.assertIn("--device cpu", str(e.exception))

    def test_style_scale_weighs_each_samples_style_term(self):
        import lossnet
        from losses import PerceptualLoss
        crit = PerceptualLoss(lossnet.make_lossnet("random", None), jitter=0)
        torch.manual_seed(3)
        crit.add_style(torch.rand(1, 3, 40, 40))
        crit.add_style(torch.rand(1, 3, 40, 40))
        out, content = torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32)
        _, plain = crit(out, content, [0, 1])
        _, first = crit(out[:1], content[:1], [0])
        _, second = crit(out[1:], content[1:], [1])
        _, scaled = crit(out, content, [0, 1], style_scale=torch.tensor([2.0, 0.0]))
        self.assertAlmostEqual(plain["style"], (first["style"] + second["style"]) / 2, places=5)
        self.assertAlmostEqual(scaled["style"], first["style"], places=5)


    def test_luma_scale_weighs_each_samples_luma_term(self):
        from losses import luma_loss
        torch.manual_seed(6)
        out, content = torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16)
        self.assertEqual(float(luma_loss(content, content)), 0.0)
        plain = float(luma_loss(out, content))
        first, second = float(luma_loss(out[:1], content[:1])), float(luma_loss(out[1:], content[1:]))
        self.assertGreater(first, 0.0)
        self.assertAlmostEqual(plain, (first + second) / 2, places=6)
        self.assertAlmostEqual(float(luma_loss(out, content, torch.tensor([2.0, 0.0]))), first, places=6)
        names = ["wave", "spring"]
        self.assertEqual(train.style_scales("spring=0.3", names, "--luma-scale").tolist(), [1.0, 0.30000001192092896])
        for bad, words in (("kiss=0.3", "--luma-scale names 'kiss'"), ("spring=x", "expected NAME=FACTOR"),
                           ("spring=-1", "0 or more")):
            with self.assertRaises(SystemExit) as e:
                train.style_scales(bad, names, "--luma-scale")
            self.assertIn(words, str(e.exception))

    def test_luma_scale_runs_and_is_kept_in_the_checkpoint(self):
        out = os.path.join(self.tmp.name, "lumascale")
        train.main(self.args(out, "--steps", "2", "--luma-weight", "1", "--luma-scale", "starry=0"))
        state = torch.load(os.path.join(out, "checkpoint.pt"))
        self.assertEqual(state["settings"]["luma_scale"], "starry=0")
        self.assertEqual(train.trained_slots("all", 3), [0, 1, 2])
        self.assertEqual(train.trained_slots("slots:2,0", 3), [2, 0])

class ExposureInvarianceTest(unittest.TestCase):
    def test_the_network_does_not_see_the_inputs_exposure_or_contrast(self):
        # Instance norm after the first (reflection-padded) convolution takes out any gain
        # and offset of the input: a dim webcam or a pale clip is painted at the painting's
        # light (README, "Exposure"). A gamma curve is not affine and does reach the network.
        torch.manual_seed(8)
        net = StyleNet(2, (8, 16, 32), 1)
        for p in net.parameters():
            p.data.add_(torch.randn_like(p) * 0.1)  # trained-looking vectors, not the init's 1 and 0
        net.eval()
        px = torch.rand(1, 3, 32, 48) * 200 + 30
        w = torch.tensor([[0.3, 0.7]])
        with torch.no_grad():
            base = net(pixels_to_input(px), w)
            darker = net(pixels_to_input(px * 0.2), w)
            flatter = net(pixels_to_input(px.mean() + (px - px.mean()) * 0.4), w)
            gamma = net(pixels_to_input(255 * (px / 255) ** 2), w)
        self.assertLess(float((darker - base).abs().max()), 1e-3)
        self.assertLess(float((flatter - base).abs().max()), 1e-3)
        self.assertGreater(float((gamma - base).abs().mean()), 1e-2)


class GrowTest(unittest.TestCase):
    """grow.py: a light network grown into the full layout computes the same image, and
    the grown checkpoint trains on (the copied channels then drift apart)."""

    def test_grown_network_matches_and_trains(self):
        import grow
        torch.manual_seed(5)
        small = StyleNet(3, (16, 32, 64), 3)
        with torch.no_grad():  # trained-looking IN vectors, not the identity start
            for n in small.norms():
                n.scale.uniform_(0.5, 1.5)
                n.shift.uniform_(-0.3, 0.3)
        big = grow.grow(small, (32, 64, 128), 5)
        self.assertGreater(sum(p.numel() for p in big.parameters()), 3 * sum(p.numel() for p in small.parameters()))
        x = torch.rand(2, 3, 40, 56) * 2 - 1
        for w in (torch.eye(3)[:2], torch.tensor([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])):
            with torch.no_grad():
                a, b = small(x, w), big(x, w)
            self.assertLess(float((a - b).abs().max()) * 127.5, 0.05)
            self.assertGreater(float(a.std()), 0.05)  # a real image, not a constant

        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "data")
            make_data(data, np.random.RandomState(4))
            ckpt = os.path.join(tmp, "grown.pt")
            torch.save({"model": big.state_dict(), "optimizer": None, "step": 7, "settings": {},
                        "styles": ["wave", "starry", "snow"], "variant": "full", "trainable": "all"}, ckpt)
            out = os.path.join(tmp, "run")
            history = train.main(["--out", out, "--data", data, "--lossnet", "random", "--size", "32",
                                  "--style-size", "48", "--batch", "3", "--steps", "9", "--threads", "2",
                                  "--resume", ckpt])
            self.assertEqual(len(history), 2)
            trained = torch.load(os.path.join(out, "checkpoint.pt"))["model"]
            w = trained["conv1.conv.weight"]
            # Channel 16 onwards copy channels 0..15 in some order: after training no
            # copy may still equal its original (equal splits would keep them identical).
            for j in range(16, 32):
                self.assertFalse(any(torch.equal(w[j], w[i]) for i in range(16)), f"channel {j} still a copy")


class SpikeTermTest(unittest.TestCase):
    def test_counts_isolated_outliers_only(self):
        from network import CondInstanceNorm
        norm = CondInstanceNorm(2, 1).train()
        w = torch.ones(1, 1)
        torch.manual_seed(0)
        x = torch.randn(1, 2, 64, 64)  # Gaussian: nothing near 6 standard deviations
        norm(x, w)
        self.assertLess(float(norm.spike), 1e-6)
        x[0, 1, 10, 10] = 500.0  # one pixel standing far out of its channel: a droplet
        norm(x, w)
        self.assertGreater(float(norm.spike), 1e-3)
        net = StyleNet(2, (8, 8, 8), 1).train()
        net(torch.rand(1, 3, 32, 32) * 2 - 1, torch.eye(2)[:1])
        self.assertEqual(len([n for n in net.norms() if n.spike is not None]), len(net.norms()))
        self.assertGreaterEqual(float(net.spikes()), 0.0)


class PaletteLossTest(unittest.TestCase):
    def test_zero_for_the_painting_and_larger_the_further_the_colours(self):
        import lossnet
        from losses import PerceptualLoss
        crit = PerceptualLoss(lossnet.make_lossnet("random", None))
        rng = np.random.RandomState(5)
        painting = torch.from_numpy(rng.rand(1, 3, 24, 24).astype(np.float32)) * torch.tensor([0.3, 0.5, 1.0])[:, None, None]
        crit.add_style(painting)
        self.assertLess(float(crit.palette_loss(painting, [0])), 1e-10)
        near = painting * 0.9
        far = painting[:, [2, 1, 0]]
        self.assertGreater(float(crit.palette_loss(far, [0])), float(crit.palette_loss(near, [0])) * 5)


class VGGLossTest(unittest.TestCase):
    """The default loss network: ImageNet VGG-19 from ../shared/training/vgg19 (skipped
    where that file is not beside the checkout)."""

    def setUp(self):
        import lossnet
        if not os.path.exists(lossnet.DEFAULT_VGG):
            self.skipTest(f"no VGG-19 file at {lossnet.DEFAULT_VGG}")

    def painting(self):
        styles = os.path.join(os.path.dirname(__import__("lossnet").DEFAULT_VGG), "..", "styles", "starry_night.jpg")
        im = Image.open(styles).convert("RGB").resize((128, 96), Image.LANCZOS)
        return torch.from_numpy(np.asarray(im, np.float32) / 255).permute(2, 0, 1)[None]

    def test_style_loss_zero_for_the_painting_larger_for_a_shuffled_copy(self):
        import lossnet
        from losses import PerceptualLoss
        crit = PerceptualLoss(lossnet.make_lossnet("vgg", None), jitter=0)
        painting = self.painting()
        crit.add_style(painting)
        _, same = crit(painting, painting, [0])
        # The same pixels in random places: the same palette, none of the strokes.
        perm = torch.from_numpy(np.random.RandomState(1).permutation(128 * 96))
        shuffled = painting.flatten(2)[:, :, perm].reshape(painting.shape)
        _, other = crit(shuffled, painting, [0])
        self.assertLess(same["style"], 1e-6, same)
        self.assertLess(same["content"], 1e-6, same)
        self.assertGreater(other["style"], 0.1, other)
        self.assertGreater(other["content"], 0.1, other)
        self.assertEqual(len(crit.net.style_layers), 9)  # relu1_1/2_1/3_1 at 1x, 2x, 4x

    def test_patch_loss_zero_for_the_painting_larger_for_a_shuffled_copy(self):
        import lossnet
        from losses import PerceptualLoss
        crit = PerceptualLoss(lossnet.make_lossnet("vgg", None, scales=(1, 2)), jitter=0,
                              patch_layers=["relu3_1@1x", "relu3_1@2x"])
        painting = self.painting()
        crit.add_style(painting)
        total_plain, _ = crit(painting, painting, [0])
        total, same = crit(painting, painting, [0], patch_weight=10.0)
        # Every patch of the painting finds itself: nothing to pull.
        self.assertLess(same["patch"], 1e-6, same)
        self.assertAlmostEqual(float(total), float(total_plain), places=5)
        # A part of the painting, cut on the 2x copy's feature grid (8 px), finds its own
        # patches away from its borders; shuffled pixels keep the palette and none of them.
        perm = torch.from_numpy(np.random.RandomState(1).permutation(128 * 96))
        shuffled = painting.flatten(2)[:, :, perm].reshape(painting.shape)
        _, other = crit(shuffled, painting, [0], patch_weight=10.0)
        cut = painting[:, :, 8:, 16:]
        _, part = crit(cut, cut, [0], patch_weight=10.0)
        self.assertGreater(other["patch"], 0.3, other)
        self.assertLess(part["patch"], other["patch"] / 3, (part, other))
        # Per-sample factors weigh it like the style term; a batch keeps samples apart.
        both = torch.cat([shuffled, painting])
        _, batch = crit(both, both, [0, 0], patch_weight=1.0, style_scale=torch.tensor([2.0, 1.0]))
        self.assertAlmostEqual(batch["patch"], other["patch"], places=4)  # (2 x other + 0) / 2
        # Descending it from the shuffled copy brings the painting's patches back.
        x = shuffled.clone().requires_grad_(True)
        opt = torch.optim.Adam([x], lr=0.02)
        for _ in range(15):
            loss, parts = crit(x.clamp(0, 1), painting, [0], 0.0, 0.0, patch_weight=1.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
        self.assertLess(parts["patch"], other["patch"] * 0.7, (parts, other))
        with self.assertRaises(ValueError) as e:
            PerceptualLoss(crit.net, patch_layers=["relu3_1@4x"])
        self.assertIn("relu3_1@4x", str(e.exception))
        with self.assertRaises(ValueError):
            PerceptualLoss(crit.net)(painting, painting, [0], patch_weight=1.0)

    def test_evaluate_scores_the_painting_zero_and_its_shuffled_pixels_far(self):
        import evaluate
        path = os.path.join(os.path.dirname(__import__("lossnet").DEFAULT_VGG), "..", "styles", "starry_night.jpg")
        painting = evaluate.painting_at_512(path)
        a = np.asarray(painting)
        shuffled = Image.fromarray(a.reshape(-1, 3)[np.random.RandomState(2).permutation(a.shape[0] * a.shape[1])]
                                   .reshape(a.shape))
        flat = Image.new("RGB", painting.size, tuple(int(v) for v in a.reshape(-1, 3).mean(0)))
        gram, patches = evaluate.StyleDistance(), evaluate.PatchDistance()
        # The painting at the size both measures scale it to is its own nearest: zero.
        self.assertLess(gram(painting, path), 1e-6)
        self.assertLess(patches(painting, path), 1e-5)
        # Its pixels shuffled keep the palette and lose every stroke and shape; a flat
        # image of its mean colour has no shapes at all.
        self.assertGreater(gram(shuffled, path), 0.1)
        self.assertGreater(patches(shuffled, path), 0.4)
        self.assertGreater(patches(flat, path), patches(shuffled, path))
        # A crop of it, off the 4x copy's 16 px feature grid, still holds most of its shapes.
        crop = painting.crop((5, 3, painting.width - 40, painting.height - 30))
        self.assertLess(patches(crop, path), patches(shuffled, path) / 2)

    def test_identify_names_each_painting_from_a_crop_of_it(self):
        import evaluate
        styles_dir = os.path.join(os.path.dirname(__import__("lossnet").DEFAULT_VGG), "..", "styles")
        paintings = evaluate.all_paintings(styles_dir)
        self.assertGreaterEqual(len(paintings), 11)
        dist = evaluate.StyleDistance()
        # Three paintings of the kinds the packs hold (a print, an oil of strokes, an
        # abstraction), each cropped off its edges: the crop is nearest its own painting.
        for name in ("wave", "starry", "composition"):
            path = evaluate.painting_path(name, styles_dir)
            im = evaluate.painting_at_512(path)
            crop = im.crop((im.width // 8, im.height // 8, im.width * 7 // 8, im.height * 7 // 8))
            own, nearest, rank = evaluate.identify(dist, crop, path, paintings)
            self.assertEqual((nearest, rank), (name, 1))
            self.assertAlmostEqual(own, dist(crop, path), places=6)
        # A painting outside the table has no rank; the nearest is still one of the table's.
        other = evaluate.painting_at_512(evaluate.painting_path("wave", styles_dir)).transpose(Image.FLIP_LEFT_RIGHT)
        with tempfile.TemporaryDirectory() as tmp:
            outside = os.path.join(tmp, "outside.png")
            other.save(outside)
            own, nearest, rank = evaluate.identify(dist, other, outside, paintings)
            self.assertAlmostEqual(own, dist(other, outside), places=6)
        self.assertIsNone(rank)
        self.assertIn(nearest, [n for n, _ in paintings])

    def test_style_layer_weights_make_a_weighted_mean_of_the_layers(self):
        import lossnet
        from losses import PerceptualLoss
        crit = PerceptualLoss(lossnet.make_lossnet("vgg", None, scales=(1, 2)), jitter=0)
        crit.add_style(self.painting())
        torch.manual_seed(4)
        out, content = torch.rand(1, 3, 64, 64), torch.rand(1, 3, 64, 64)
        per_layer = {}
        for layer in ("relu1_1", "relu2_1", "relu3_1"):
            crit.layer_weights = {k: float(k == layer) for k in ("relu1_1", "relu2_1", "relu3_1")}
            per_layer[layer] = crit(out, content, [0])[1]["style"]
        crit.layer_weights = {}
        plain = crit(out, content, [0])[1]["style"]
        crit.layer_weights = {"relu3_1": 3.0}
        weighted = crit(out, content, [0])[1]["style"]
        built = PerceptualLoss(crit.net, jitter=0, layer_weights={"relu3_1": 3.0})
        built.add_style(self.painting())
        self.assertAlmostEqual(built(out, content, [0])[1]["style"], weighted, places=6)
        self.assertAlmostEqual(plain, sum(per_layer.values()) / 3, places=5)
        self.assertAlmostEqual(weighted, (per_layer["relu1_1"] + per_layer["relu2_1"] + 3 * per_layer["relu3_1"]) / 5,
                               places=5)
        self.assertNotAlmostEqual(weighted, plain, places=3)
        self.assertEqual(train.layer_weights("relu3_1=3", crit.net.style_layers), {"relu3_1": 3.0})
        for bad, words in (("relu4_1=2", "style layers are ['relu1_1', 'relu2_1', 'relu3_1']"),
                           ("relu3_1=x", "expected LAYER=WEIGHT"), ("relu2_1=-1", "0 or more"),
                           ("relu1_1=0,relu2_1=0,relu3_1=0", "no style layer")):
            with self.assertRaises(SystemExit) as e:
                train.layer_weights(bad, crit.net.style_layers)
            self.assertIn(words, str(e.exception))

    def test_style_scales_choose_the_pooled_copies(self):
        import lossnet
        net = lossnet.make_lossnet("vgg", None, scales=(1, 2, 4, 8))
        self.assertEqual(len(net.style_layers), 12)
        f = net(torch.rand(1, 3, 64, 64))
        self.assertEqual(tuple(f["relu3_1@8x"].shape), (1, 256, 2, 2))
        with self.assertRaises(SystemExit) as e:
            train.parse_scales("1,x")
        self.assertIn("--style-scales", str(e.exception))

    def test_missing_file_says_where_to_get_it(self):
        import lossnet
        with self.assertRaises(FileNotFoundError) as e:
            lossnet.VGGLossNet("/nonexistent/vgg.pth")
        self.assertIn("/nonexistent/vgg.pth", str(e.exception))
        self.assertIn("deep-transfer", str(e.exception))
        self.assertIn("--vgg", str(e.exception))


class MotionTermTest(unittest.TestCase):
    """warp.py: whole-pixel shifts move a picture exactly; the motion loss is zero for a
    shift-equivariant op and not for a stride-2 one that aliases odd shifts."""

    def test_shifts_are_exact_and_the_loss_catches_aliasing(self):
        torch.manual_seed(3)
        x = torch.rand(4, 3, 32, 48)
        grid = warp.random_affine(4, 32, 48, 3)
        moved = warp.apply(x, grid)
        mask = warp.inside(grid)
        self.assertGreater(float(mask.mean()), 0.5)
        # A whole-pixel shift: moved(y, x) = original(y + dy, x + dx), to rounding.
        for n in range(4):
            dx = int(round(float(grid[n, 0, 0, 0] + 1 - 1 / 48) * 24))
            dy = int(round(float(grid[n, 0, 0, 1] + 1 - 1 / 32) * 16))
            self.assertLessEqual(max(abs(dx), abs(dy)), 3)
            crop = moved[n, :, 4:28, 4:44]
            self.assertLess(float((crop - x[n, :, 4 + dy:28 + dy, 4 + dx:44 + dx]).abs().max()), 1e-5)
        smooth = torch.nn.Conv2d(3, 3, 3, padding=1, bias=False)
        with torch.no_grad():
            equivariant = warp.masked_mse(smooth(moved), warp.apply(smooth(x), grid), grid)
            strided = torch.nn.Sequential(torch.nn.Conv2d(3, 3, 3, stride=2, padding=1, bias=False),
                                          torch.nn.Upsample(scale_factor=2))
            aliasing = warp.masked_mse(strided(moved), warp.apply(strided(x), grid), grid)
        # The border of a 3x3 conv sees the shifted-in edge: small but not zero.
        self.assertLess(float(equivariant), 0.01 * float(aliasing))
        self.assertGreater(float(aliasing), 1e-3)


class FlickerToolTest(unittest.TestCase):
    """flicker.py --rendered: an engine render's warping error, read frame for frame."""

    def setUp(self):
        try:
            import cv2  # noqa: F401
        except ImportError:
            self.skipTest("python3-opencv is not installed (tools/debian-packages.txt lists it)")
        self.tmp = tempfile.TemporaryDirectory()
        self.clip = os.path.join(self.tmp.name, "clip.mkv")
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=96x64:rate=10", "-frames:v", "8",
                        "-c:v", "ffv1", self.clip], check=True)

    def tearDown(self):
        self.tmp.cleanup()

    def flicker(self, rendered, width=96):
        r = subprocess.run([sys.executable, os.path.join(TOOL, "flicker.py"), self.clip, "--rendered", rendered,
                            "--width", str(width), "--frames", "6"], capture_output=True, text=True)
        return r

    def errors(self, rendered):
        r = self.flicker(rendered)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.split("warping error ")[1]
        return float(out.split()[0]), float(out.split("(input ")[1].split(",")[0])

    def test_a_copy_scores_the_clips_own_error_even_with_late_timestamps(self):
        # An export keeps its source's timestamps: video may start after the audio (0.069 s
        # in cockatoo.mp4), and FFmpeg's default frame-rate conversion would then fill the
        # gap with a copy of the first frame and shift every pair.
        late = os.path.join(self.tmp.name, "late.mkv")
        subprocess.run(["ffmpeg", "-v", "error", "-itsoffset", "0.25", "-i", self.clip, "-f", "lavfi", "-i",
                        "sine=duration=1.5", "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "flac", late],
                       check=True)
        err, own = self.errors(late)
        self.assertAlmostEqual(err, own, places=2)
        # The frames in reverse order (the motion backwards) are far from the flow.
        backwards = os.path.join(self.tmp.name, "backwards.mkv")
        subprocess.run(["ffmpeg", "-v", "error", "-i", self.clip, "-vf", "reverse", "-c:v", "ffv1", backwards],
                       check=True)
        err, own = self.errors(backwards)
        self.assertGreater(err, own + 1.0)

    def test_a_render_of_another_shape_is_a_sentence(self):
        square = os.path.join(self.tmp.name, "square.mkv")
        subprocess.run(["ffmpeg", "-v", "error", "-i", self.clip, "-vf", "scale=64:64", "-c:v", "ffv1", square],
                       check=True)
        r = self.flicker(square)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("square.mkv", r.stderr)
        self.assertIn("aspect ratio", r.stderr)


class TeacherToolTest(unittest.TestCase):
    """teacher.py: Magenta's arbitrary model through stylize-cli paints every content image
    once (skipped without STYLIZE_CLI or the model beside the checkout)."""

    MODEL = os.path.normpath(os.path.join(TOOL, "../../../shared/fixtures/models/magenta-arbitrary"))

    def test_paints_each_content_image_once_and_a_failure_names_the_file(self):
        import teacher
        cli = os.environ.get("STYLIZE_CLI")
        if not cli or not os.path.exists(cli):
            self.skipTest("STYLIZE_CLI is not set to a built stylize-cli")
        if not os.path.isdir(self.MODEL):
            self.skipTest(f"no Magenta model at {self.MODEL}")
        with tempfile.TemporaryDirectory() as d:
            make_data(d, np.random.RandomState(4))
            contents = teacher.content_files(os.path.join(d, "content"))[:2]
            for f in teacher.content_files(os.path.join(d, "content"))[2:]:
                os.remove(f)
            teacher.main([cli, self.MODEL, "--styles", "wave", "--data", d])
            written = {}
            for f in contents:
                path = teacher.teacher_path(d, "wave", f)
                content, painted = Image.open(f).convert("RGB"), Image.open(path).convert("RGB")
                self.assertEqual(painted.size, content.size)  # train.py crops both in one place
                diff = np.abs(np.asarray(painted, np.float32) - np.asarray(content, np.float32)).mean()
                self.assertGreater(diff, 10, f"{path} is not painted")
                written[path] = os.stat(path).st_mtime_ns
            teacher.main([cli, self.MODEL, "--styles", "wave", "--data", d])  # nothing left to do
            self.assertEqual({p: os.stat(p).st_mtime_ns for p in written}, written)
            os.remove(next(iter(written)))
            with self.assertRaises(SystemExit) as e:  # a model folder without the model
                teacher.main([cli, d, "--styles", "wave", "--data", d])
            self.assertIn(contents[0], str(e.exception))
            self.assertEqual(os.listdir(os.path.join(d, "teacher", "wave")), [os.path.basename(list(written)[1])])
            with self.assertRaises(SystemExit):
                teacher.main([cli, self.MODEL, "--styles", "nosuchstyle", "--data", d])
            Image.open(contents[1]).save(os.path.splitext(contents[1])[0] + ".png")
            with self.assertRaises(SystemExit) as e:  # c1.jpg and c1.png would share c1.png
                teacher.main([cli, self.MODEL, "--styles", "wave", "--data", d])
            self.assertIn("c1.png", str(e.exception))


class ExportRoundTripTest(unittest.TestCase):
    def test_pack_json_describes_the_network(self):
        net = StyleNet(3, (4, 8, 8), 1)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "n.stylepack")
            write_stylepack(path, net, [{"name": n, "title": "t", "artist": "a", "year": "1", "source": "s",
                                         "license": "l"} for n in "abc"], "tiny",
                            [Image.new("RGB", (4, 4)), None, None])
            doc = read_stylepack_json(path)
            self.assertEqual([s["name"] for s in doc["styles"]], ["a", "b", "c"])
            self.assertIsNotNone(doc["styles"][0]["thumbnail"])
            self.assertIsNone(doc["styles"][1]["thumbnail"])
            norms = [n for n in doc["graph"]["nodes"] if n["op"] == "InstanceNorm"]
            self.assertEqual(len(norms), 5 + 2)
            self.assertTrue(all(len(n["scale"]) == 3 for n in norms))
            with open(path, "rb") as f:
                data_offset = int.from_bytes(f.read(48)[32:40], "little")
            self.assertEqual(data_offset % 16, 0)

    def test_engine_matches_pytorch(self):
        cli = os.environ.get("STYLIZE_CLI")
        if not cli or not os.path.exists(cli):
            self.skipTest("STYLIZE_CLI is not set to a built stylize-cli")
        torch.manual_seed(0)
        net = StyleNet(2, (8, 16, 16), 1).eval()
        with torch.no_grad():
            for n in net.norms():
                n.scale.uniform_(0.5, 1.5)
                n.shift.uniform_(-0.5, 0.5)
        rng = np.random.RandomState(0)
        img = (np.asarray(Image.fromarray(rng.randint(0, 256, (10, 12, 3)).astype(np.uint8))
                          .resize((48, 40), Image.BILINEAR))).astype(np.uint8)
        with tempfile.TemporaryDirectory() as d:
            pack = os.path.join(d, "rt.stylepack")
            write_stylepack(pack, net, [{"name": "a"}, {"name": "b"}], "round trip", None)
            src = os.path.join(d, "in.png")
            Image.fromarray(img).save(src)
            x = torch.from_numpy(img.astype(np.float32)).permute(2, 0, 1)[None]
            for style, w in (("a", [1.0, 0.0]), ("b", [0.0, 1.0]), ("a=0.3,b=0.7", [0.3, 0.7])):
                with torch.no_grad():
                    ref = output_to_pixels(net(pixels_to_input(x), torch.tensor([w]))).clamp(0, 255)
                ref = ref[0].permute(1, 2, 0).numpy()
                dst = os.path.join(d, "out.png")
                r = subprocess.run([cli, "image", src, dst, "--model", pack, "--style", style,
                                    "--precision", "fp32"], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                got = np.asarray(Image.open(dst).convert("RGB"), np.float32)
                err = np.abs(got - ref)
                self.assertLess(err.max(), 2.0, f"style {style}: max error {err.max()}")


if __name__ == "__main__":
    unittest.main()
