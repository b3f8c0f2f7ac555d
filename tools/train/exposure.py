"""Exposure jitter for the training crops: dim rooms, night shots and washed-out video.

The content photos are well-exposed daylight pictures, but a webcam in a dim room, a
night shot or a pale, low-contrast phone clip (the dog frame of the evaluation) is what
the app often paints. Trained only on good exposures, a style lets such a frame's light
win over the painting (a night sky turns into a cream wash, a pale frame stays pale).
`jitter` gives a share of the crops a random exposure (a gain in stops), gamma and
contrast, so every loss term (content, style, luma, stability) also sees those frames.
"""
import random

import torch

# Ranges, drawn uniformly: stops of gain (mostly darker, a little brighter), log2 of the
# gamma, and the factor on the contrast around the crop's mean.
STOPS = (-2.5, 0.8)
LOG2_GAMMA = (-0.5, 0.5)
CONTRAST = (0.45, 1.0)


def jitter_one(img, rng):
    """One (3, H, W) crop in [0, 1] with a random exposure, gamma and contrast."""
    gain = 2.0 ** rng.uniform(*STOPS)
    gamma = 2.0 ** rng.uniform(*LOG2_GAMMA)
    contrast = rng.uniform(*CONTRAST)
    out = (img * gain).clamp(0, 1) ** gamma
    mean = out.mean()
    return (mean + (out - mean) * contrast).clamp(0, 1)


def jitter(batch, share, rng=None):
    """Gives about `share` of the (N, 3, H, W) batch's crops a random exposure (see module doc)."""
    if not 0 <= share <= 1:
        raise ValueError(f"--exposure-jitter is a share of the crops, 0 to 1, not {share}")
    if share == 0:  # draws nothing: a run without jitter cuts the same crops as before
        return batch
    rng = rng or random.Random()
    out = batch.clone()
    for i in range(batch.shape[0]):
        if rng.random() < share:
            out[i] = jitter_one(batch[i], rng)
    return out


def describe(img):
    """Mean and standard deviation of the luminance, for tests and logs."""
    y = 0.299 * img[..., 0, :, :] + 0.587 * img[..., 1, :, :] + 0.114 * img[..., 2, :, :]
    return float(y.mean()), float(y.std())


if __name__ == "__main__":  # a quick look at the range: the luminance of a mid-grey ramp, jittered
    ramp = torch.linspace(0, 1, 64).expand(3, 64, 64).contiguous()
    r = random.Random(0)
    for _ in range(8):
        print("mean %.3f std %.3f" % describe(jitter_one(ramp, r)))
