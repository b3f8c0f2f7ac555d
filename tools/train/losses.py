"""Perceptual losses over a loss network: Gram-matrix style loss, feature content loss,
total variation. Each term is normalised by its target's magnitude, so the same weights
work for loss networks whose activations differ in scale."""
import random

import torch
import torch.nn.functional as F

from lossnet import gram


class PerceptualLoss(torch.nn.Module):
    def __init__(self, lossnet, jitter=2):
        super().__init__()
        # Strided loss networks are blind to some pixel phases; a generator trained
        # against one fixed phase fills the blind spots with checkerboard patterns.
        # Shifting output and content together by a random -jitter..jitter-1 pixels
        # each step removes that blind spot (Gram matrices are shift-invariant).
        self.jitter = jitter
        self.net = lossnet.eval()
        self.targets = []  # per style: {layer: gram [c, c]}
        self.norms = []

    @torch.no_grad()
    def add_style(self, image01):
        """image01: 1 x 3 x H x W in [0, 1]. Returns the style's slot index."""
        feats = self.net(image01)
        t = {k: gram(feats[k])[0] for k in self.net.style_layers}
        self.targets.append(t)
        self.norms.append({k: float((v ** 2).mean()) for k, v in t.items()})
        return len(self.targets) - 1

    def forward(self, out01, content01, style_ids, content_weight=1.0, style_weight=1.0, tv_weight=0.0):
        """out01, content01: N x 3 x H x W in [0, 1]; style_ids: list of N slot indices."""
        if self.jitter:
            j, (h, w) = self.jitter, out01.shape[2:]
            dy, dx = random.randrange(2 * j), random.randrange(2 * j)
            out01 = F.pad(out01, (j, j, j, j), mode="replicate")[:, :, dy:dy + h, dx:dx + w]
            content01 = F.pad(content01, (j, j, j, j), mode="replicate")[:, :, dy:dy + h, dx:dx + w]
        fo = self.net(out01)
        with torch.no_grad():
            fc = self.net(content01)
        content = sum(F.mse_loss(fo[k], fc[k]) / (fc[k] ** 2).mean().clamp_min(1e-8)
                      for k in self.net.content_layers)
        style = out01.new_zeros(())
        for k in self.net.style_layers:
            g = gram(fo[k])
            t = torch.stack([self.targets[s][k] for s in style_ids])
            n = torch.tensor([self.norms[s][k] for s in style_ids])
            style = style + (((g - t) ** 2).mean(dim=(1, 2)) / n).mean()
        style = style / len(self.net.style_layers)
        tv = ((out01[:, :, 1:, :] - out01[:, :, :-1, :]).abs().mean()
              + (out01[:, :, :, 1:] - out01[:, :, :, :-1]).abs().mean())
        total = content_weight * content + style_weight * style + tv_weight * tv
        return total, {"content": float(content), "style": float(style), "tv": float(tv)}
