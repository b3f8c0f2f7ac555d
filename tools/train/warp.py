"""Synthetic camera motion for the motion-stability loss (train.py --warp-weight).

A real clip moves by a few pixels a frame. A feed-forward network is only shift-equivariant
for shifts that are multiples of its total stride (4 here): any other motion changes which
pixels its stride-2 layers sample, so texture that is not tied to the content swims and
flickers. The loss compares net(move(x)) with move(net(x)) for small random affine motions
(shift, rotation, zoom), leaving out the border that the motion brings in from outside.
"""
import math

import torch
import torch.nn.functional as F


def random_affine(n, height, width, shift_px, rotate_deg=0.0, zoom=0.0, whole_pixels=True):
    """Sampling grids (n, H, W, 2) for n random motions up to the given sizes.

    whole_pixels: shifts by whole pixels and nothing else, which bilinear sampling moves
    exactly. A sub-pixel motion blurs the moved output, so the loss would also ask for
    blurred texture; whole-pixel shifts that are not multiples of the stride are what
    exposes the aliasing, without that bias."""
    if whole_pixels:
        rotate_deg, zoom = 0.0, 0.0
    angle = (torch.rand(n) * 2 - 1) * math.radians(rotate_deg)
    scale = 1 + (torch.rand(n) * 2 - 1) * zoom
    # Shifts in normalised coordinates: 2 / size per pixel.
    tx = (torch.rand(n) * 2 - 1) * shift_px * 2 / width
    ty = (torch.rand(n) * 2 - 1) * shift_px * 2 / height
    if whole_pixels:
        r = int(round(shift_px))
        tx = torch.randint(-r, r + 1, (n,)).float() * 2 / width
        ty = torch.randint(-r, r + 1, (n,)).float() * 2 / height
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    # Rotation in pixel space, not in the normalised square (the crop need not be square).
    aspect = height / width
    theta = torch.stack([torch.stack([cos, -sin * aspect, tx], 1),
                         torch.stack([sin / aspect, cos, ty], 1)], 1)
    return F.affine_grid(theta, (n, 1, height, width), align_corners=False)


def apply(images, grid):
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)


def inside(grid, margin_px=4):
    """1 where the comparison is fair, else 0: (n, 1, H, W). Left out: pixels whose motion
    samples within margin_px of the image's edge (what moved in from outside) and pixels
    within margin_px of the frame's own edge (where the network's padding differs)."""
    h, w = grid.shape[1], grid.shape[2]
    mx, my = 1 - 2 * margin_px / w, 1 - 2 * margin_px / h
    ok = (grid[..., 0].abs() <= mx) & (grid[..., 1].abs() <= my)
    frame = torch.zeros(h, w, dtype=torch.bool, device=grid.device)
    frame[margin_px:h - margin_px, margin_px:w - margin_px] = True
    return (ok & frame)[:, None].float()


def masked_mse(a, b, grid):
    mask = inside(grid)
    return (((a - b) ** 2) * mask).sum() / (mask.sum() * a.shape[1]).clamp(min=1)
