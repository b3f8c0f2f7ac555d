"""The app's style network in PyTorch, with conditional instance normalization.

Johnson/Engstrom TransformerNet layout: 9x9 conv, two stride-2 convs, residual blocks,
two nearest-2x-upsample + 3x3 convs (no transposed convs: no checkerboard), 9x9 conv,
tanh. Every conv is reflection padded. Each instance norm holds one scale/shift vector
per style (Dumoulin et al. 2017); a forward takes per-sample style weights, so a
one-hot row trains one style and a mixed row renders a blend, as the engine does.
Pixels map to the input as x = p / 127.5 - 1 and back as p = 127.5 * y + 127.5.
"""
import torch
import torch.nn.functional as F
from torch import nn

VARIANTS = {
    "full": {"widths": (32, 64, 128), "blocks": 5},
    "light": {"widths": (16, 32, 64), "blocks": 3},
}
IN_EPS = 1e-5


class ConvLayer(nn.Module):
    def __init__(self, cin, cout, kernel, stride=1, upsample=False, bias=False):
        super().__init__()
        self.kernel, self.stride, self.upsample = kernel, stride, upsample
        self.conv = nn.Conv2d(cin, cout, kernel, stride, bias=bias)

    def forward(self, x):
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        p = self.kernel // 2
        return self.conv(F.pad(x, (p, p, p, p), mode="reflect"))


class CondInstanceNorm(nn.Module):
    def __init__(self, channels, styles):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(styles, channels))
        self.shift = nn.Parameter(torch.zeros(styles, channels))

    # Normalized values beyond this many standard deviations count as spikes (see spikes()).
    SPIKE_LIMIT = 6.0

    def forward(self, x, style_weights):
        s = (style_weights @ self.scale)[:, :, None, None]
        b = (style_weights @ self.shift)[:, :, None, None]
        z = F.instance_norm(x, eps=IN_EPS)
        if self.training:
            self.spike = F.relu(z.abs() - self.SPIKE_LIMIT).pow(2).mean()
        return z * s + b

    def add_styles(self, n, init_from=None):
        """Appends n style slots, initialised from slot init_from (or identity)."""
        with torch.no_grad():
            c = self.scale.shape[1]
            s = self.scale[init_from].expand(n, c) if init_from is not None else torch.ones(n, c)
            b = self.shift[init_from].expand(n, c) if init_from is not None else torch.zeros(n, c)
            self.scale = nn.Parameter(torch.cat([self.scale, s.clone()]))
            self.shift = nn.Parameter(torch.cat([self.shift, b.clone()]))


class StyleNet(nn.Module):
    def __init__(self, styles, widths=(32, 64, 128), blocks=5):
        super().__init__()
        a, b, c = widths
        self.widths, self.blocks = tuple(widths), blocks
        # (name, conv, norm or None, relu, residual role)
        self.conv1, self.in1 = ConvLayer(3, a, 9), CondInstanceNorm(a, styles)
        self.conv2, self.in2 = ConvLayer(a, b, 3, 2), CondInstanceNorm(b, styles)
        self.conv3, self.in3 = ConvLayer(b, c, 3, 2), CondInstanceNorm(c, styles)
        self.res = nn.ModuleList()
        for _ in range(blocks):
            self.res.append(nn.ModuleDict({
                "conv1": ConvLayer(c, c, 3), "in1": CondInstanceNorm(c, styles),
                "conv2": ConvLayer(c, c, 3), "in2": CondInstanceNorm(c, styles)}))
        self.up1, self.in4 = ConvLayer(c, b, 3, upsample=True), CondInstanceNorm(b, styles)
        self.up2, self.in5 = ConvLayer(b, a, 3, upsample=True), CondInstanceNorm(a, styles)
        self.out = ConvLayer(a, 3, 9, bias=True)

    @property
    def styles(self):
        return self.in1.scale.shape[0]

    def norms(self):
        return [m for m in self.modules() if isinstance(m, CondInstanceNorm)]

    def spikes(self):
        """Sum over the norms of the last training forward's spike term: the mean squared
        excess of |normalized activation| over SPIKE_LIMIT. A network can cheat instance
        norm's statistics with a few huge values at one spot (StyleGAN's "droplets"); here
        they render as saturated cyan or yellow blobs at bright high-contrast edges."""
        return sum(n.spike for n in self.norms() if getattr(n, "spike", None) is not None)

    def forward(self, x, style_weights):
        """x: N x 3 x H x W in [-1, 1] (H, W multiples of 4); style_weights: N x styles."""
        w = style_weights
        y = F.relu(self.in1(self.conv1(x), w))
        y = F.relu(self.in2(self.conv2(y), w))
        y = F.relu(self.in3(self.conv3(y), w))
        for r in self.res:
            h = F.relu(r["in1"](r["conv1"](y), w))
            y = y + r["in2"](r["conv2"](h), w)
        y = F.relu(self.in4(self.up1(y), w))
        y = F.relu(self.in5(self.up2(y), w))
        return torch.tanh(self.out(y))


def pixels_to_input(p):
    return p / 127.5 - 1.0


def output_to_pixels(y):
    return y * 127.5 + 127.5
