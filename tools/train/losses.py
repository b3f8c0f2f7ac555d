"""Perceptual losses over a loss network: Gram-matrix style loss, patch (nearest
neighbour) style loss, feature content loss, total variation. Each term is normalised by
its target's magnitude, so the same weights work for loss networks whose activations
differ in scale."""
import random

import torch
import torch.nn.functional as F

from lossnet import gram


def colour_moments(x01):
    """x01: N x 3 x H x W. Returns per-sample RGB mean (N x 3) and covariance (N x 3 x 3)."""
    f = x01.flatten(2)
    mean = f.mean(2)
    d = f - mean[:, :, None]
    return mean, d @ d.transpose(1, 2) / f.shape[2]


LUMA = (0.299, 0.587, 0.114)


def luma_loss(out01, content01, weights=None):
    """Squared error of the 4x-pooled luminance, output against input, per sample, times
    `weights` (N factors, e.g. a lower one for a painting with a dark ground), averaged.
    Keeps the scene's light and shapes while colours and texture follow the painting."""
    luma = out01.new_tensor(LUMA)[None, :, None, None]
    pooled = [F.avg_pool2d((t * luma).sum(1, keepdim=True), 4) for t in (out01, content01)]
    per_sample = ((pooled[0] - pooled[1]) ** 2).mean(dim=(1, 2, 3))
    if weights is not None:
        per_sample = per_sample * weights
    return per_sample.mean()


def feature_patches(f):
    """1 x C x H x W features -> (H-2)(W-2) x 9C: each 3x3 neighbourhood as one row."""
    return F.unfold(f, 3)[0].T


class PerceptualLoss(torch.nn.Module):
    def __init__(self, lossnet, jitter=2, smoothing=0.0, layer_weights=None, patch_layers=()):
        super().__init__()
        # smoothing > 0: style features pass through a softmax over channels at each
        # position (temperature = smoothing) before the Gram matrix. Wang et al. (CVPR
        # 2021) show that peaky, low-entropy activations of non-VGG loss networks make
        # Gram losses favour repetitive artifacts; a softmax raises their entropy.
        self.smoothing = smoothing
        # Strided loss networks are blind to some pixel phases; a generator trained
        # against one fixed phase fills the blind spots with checkerboard patterns.
        # Shifting output and content together by a random -jitter..jitter-1 pixels
        # each step removes that blind spot (Gram matrices are shift-invariant).
        self.jitter = jitter
        self.net = lossnet.eval()
        # Weight of each style layer in the style term, by the layer's name without its
        # scale ("relu3_1" for relu3_1@1x and @2x); 1 where not named. The term stays a
        # weighted mean, so all-ones is the plain mean.
        self.layer_weights = dict(layer_weights or {})
        self.targets = []  # per style: {layer: gram [c, c]}
        self.norms = []
        self.palettes = []  # per style: (mean [3], covariance [3, 3]) of its pixels
        # Patch term (Li & Wand's MRF loss, CVPR 2016): every 3x3 neighbourhood of these
        # style layers in the output is pulled toward its most similar neighbourhood
        # (cosine) in the painting. A Gram matrix keeps which features co-occur but not
        # where; the patches keep their arrangement, so a painting's local shapes come back,
        # not only its colours and grain (direct optimisation paints the Great Wave's
        # striated, curling bands and the Starry Night's stars: comparison/patch_study_*.jpg).
        # relu3_1 sees ~24 px of its input and a 3x3 patch of it ~32 px: ~64 and ~128 px of
        # the image on the 2x and 4x pooled copies.
        self.patch_layers = list(patch_layers)
        unknown = [k for k in self.patch_layers if k not in lossnet.style_layers]
        if unknown:
            raise ValueError(f"patch layers {unknown} are not among the loss network's style layers "
                             f"{lossnet.style_layers}")
        self.patches = []  # per style: {layer: (patches [N, 9C], 1 / row lengths [N], mean square)}

    @torch.no_grad()
    def add_style(self, image01):
        """image01: 1 x 3 x H x W in [0, 1]. Returns the style's slot index."""
        feats = self.net(image01)
        t = {k: gram(self.smooth(feats[k]))[0] for k in self.net.style_layers}
        self.targets.append(t)
        self.norms.append({k: float((v ** 2).mean()) for k, v in t.items()})
        self.palettes.append(tuple(m[0] for m in colour_moments(image01)))
        p = {k: feature_patches(feats[k]) for k in self.patch_layers}
        self.patches.append({k: (v, 1 / v.norm(dim=1).clamp_min(1e-12), float((v ** 2).mean()))
                             for k, v in p.items()})
        return len(self.targets) - 1

    def smooth(self, f):
        if self.smoothing <= 0:
            return f
        return torch.softmax(f / self.smoothing, dim=1) * f.shape[1]

    def palette_loss(self, out01, style_ids):
        """Mean and covariance of the output's RGB against the painting's, per sample:
        drives each style to its painting's palette directly, which the Gram terms on the
        loss network's features only do slowly."""
        mean, cov = colour_moments(out01)
        tm = torch.stack([self.palettes[s][0] for s in style_ids])
        tc = torch.stack([self.palettes[s][1] for s in style_ids])
        return ((mean - tm) ** 2).sum(1).mean() + ((cov - tc) ** 2).sum((1, 2)).mean() * 10

    def patch_loss(self, feats, style_ids):
        """Per sample: the mean over patch_layers of the squared distance of each output
        patch to its nearest painting patch, over the painting patches' mean square."""
        per_sample = []
        for i, s in enumerate(style_ids):
            terms = []
            for k in self.patch_layers:
                q = feature_patches(feats[k][i:i + 1])
                target, inv_length, norm = self.patches[s][k]
                with torch.no_grad():
                    # The highest cosine per row: the output patch's own length does not
                    # change which painting patch wins, the painting patches' lengths do.
                    nearest = ((q @ target.T) * inv_length).argmax(1)
                terms.append(((q - target[nearest]) ** 2).mean() / norm)
            per_sample.append(torch.stack(terms).mean())
        return torch.stack(per_sample)

    def forward(self, out01, content01, style_ids, content_weight=1.0, style_weight=1.0, tv_weight=0.0,
                style_scale=None, patch_weight=0.0, teacher01=None, teacher_mask=None, teacher_weight=0.0,
                teacher_mode="features"):
        """out01, content01: N x 3 x H x W in [0, 1]; style_ids: list of N slot indices;
        style_scale: optional N factors on each sample's style and patch terms;
        patch_weight > 0 needs patch_layers; teacher01 (N x 3 x H x W, another network's
        render of the same crops) with teacher_mask (N, 1 where a sample has one) and
        teacher_weight > 0 adds the teacher term (teacher_loss, `teacher_mode`)."""
        if patch_weight > 0 and not self.patch_layers:
            raise ValueError("patch_weight > 0 but this loss has no patch_layers")
        if self.jitter:
            j, (h, w) = self.jitter, out01.shape[2:]
            dy, dx = random.randrange(2 * j), random.randrange(2 * j)
            out01 = F.pad(out01, (j, j, j, j), mode="replicate")[:, :, dy:dy + h, dx:dx + w]
            content01 = F.pad(content01, (j, j, j, j), mode="replicate")[:, :, dy:dy + h, dx:dx + w]
            if teacher01 is not None:
                teacher01 = F.pad(teacher01, (j, j, j, j), mode="replicate")[:, :, dy:dy + h, dx:dx + w]
        fo = self.net(out01)
        with torch.no_grad():
            fc = self.net(content01)
        content = sum(F.mse_loss(fo[k], fc[k]) / (fc[k] ** 2).mean().clamp_min(1e-8)
                      for k in self.net.content_layers)
        style = out01.new_zeros(())
        weight_sum = 0.0
        for k in self.net.style_layers:
            wk = self.layer_weights.get(k.split("@")[0], 1.0)
            weight_sum += wk
            if wk == 0:
                continue
            g = gram(self.smooth(fo[k]))
            t = torch.stack([self.targets[s][k] for s in style_ids])
            n = torch.tensor([self.norms[s][k] for s in style_ids], device=g.device)
            per_sample = ((g - t) ** 2).mean(dim=(1, 2)) / n
            if style_scale is not None:
                per_sample = per_sample * style_scale
            style = style + wk * per_sample.mean()
        style = style / max(weight_sum, 1e-12)
        tv = ((out01[:, :, 1:, :] - out01[:, :, :-1, :]).abs().mean()
              + (out01[:, :, :, 1:] - out01[:, :, :, :-1]).abs().mean())
        total = content_weight * content + style_weight * style + tv_weight * tv
        parts = {"content": float(content), "style": float(style), "tv": float(tv)}
        if patch_weight > 0:
            per_sample = self.patch_loss(fo, style_ids)
            if style_scale is not None:
                per_sample = per_sample * style_scale
            patch = per_sample.mean()
            total = total + patch_weight * patch
            parts["patch"] = float(patch)
        if teacher_weight > 0 and teacher01 is not None:
            teacher = self.teacher_loss(fo, teacher01, teacher_mask, teacher_mode)
            total = total + teacher_weight * teacher
            parts["teacher"] = float(teacher)
        return total, parts

    def teacher_loss(self, fo, teacher01, mask, mode="features"):
        """Distillation toward a teacher network's render of the same crop, per sample,
        averaged over the samples the mask marks.

        "features": the content term's feature distance, taken to the teacher's render
        instead of the crop (normalised by the teacher's feature magnitude): where the
        teacher put each stroke. "gram": the style term's Gram distance on every style
        layer, with the teacher's crop as the target instead of the whole painting: the
        statistics a network did reach on this very crop, without asking for its strokes'
        exact places (which a smaller network can only blur)."""
        with torch.no_grad():
            ft = self.net(teacher01)
        if mode == "features":
            per_sample = sum(((fo[k] - ft[k]) ** 2).mean(dim=(1, 2, 3))
                             / (ft[k] ** 2).mean(dim=(1, 2, 3)).clamp_min(1e-8) for k in self.net.content_layers)
        elif mode == "gram":
            terms = []
            for k in self.net.style_layers:
                t = gram(self.smooth(ft[k]))  # ft came without gradients
                g = gram(self.smooth(fo[k]))
                terms.append(((g - t) ** 2).mean(dim=(1, 2)) / (t ** 2).mean(dim=(1, 2)).clamp_min(1e-12))
            per_sample = torch.stack(terms).mean(0)
        else:
            raise ValueError(f"teacher mode {mode!r}: expected features or gram")
        mask = mask.to(per_sample.device)
        return (per_sample * mask).sum() / mask.sum().clamp_min(1)
