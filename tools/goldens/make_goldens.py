# Makes the PyTorch float32 goldens the CPU reference is tested against (tests/data/goldens).
#
# Run from anywhere with Debian's interpreter (it has torch, numpy):
#   /usr/bin/python3 tools/goldens/make_goldens.py [--shared ../shared]
# Everything it writes is deterministic (fixed seeds, a procedural test image), small
# (well under 2 MB) and committed; the Engstrom weights are not: the C++ test reads them
# from ../shared/fixtures at run time, only the input image and outputs live here.
import argparse
import importlib.util
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'tests', 'data', 'goldens')


def save(path, array):
    """float32 (or uint8) C-order .npy, the two dtypes tests/support/npy.h reads."""
    a = np.ascontiguousarray(array)
    if a.dtype != np.uint8:
        a = a.astype('<f4')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, a)


# ---------------------------------------------------------------- per-op goldens
class OpCases:
    """Collects op cases: tensors go to ops/<name>.<key>.npy, parameters to cases.json."""

    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)
        self.cases = []

    def rand(self, *shape, lo=-1.0, hi=1.0):
        return torch.rand(*shape, generator=self.gen) * (hi - lo) + lo

    def add(self, name, op, params, tensors):
        for key, t in tensors.items():
            save(os.path.join(OUT, 'ops', f'{name}.{key}.npy'), t.detach().numpy())
        self.cases.append({'name': name, 'op': op, 'params': params,
                           'tensors': sorted(tensors.keys())})


def tf_same(n, k, s):
    # Same formula as engstrom_ref.same_pad, for a single axis (before, after).
    out = -(-n // s)
    t = max((out - 1) * s + k - n, 0)
    return t // 2, t - t // 2


def conv_case(cases, name, cin, cout, h, w, k, stride=1, rule='explicit', mode='zero',
              pad=(0, 0, 0, 0), upsample=False, bias=True):
    x = cases.rand(cin, h, w, lo=-2, hi=2)
    wt = cases.rand(cout, cin, k, k) / (cin * k * k) ** 0.5
    b = cases.rand(cout) if bias else None
    y = x[None]
    if upsample:
        y = F.interpolate(y, scale_factor=2, mode='nearest')
    if rule == 'tfsame':
        (t, bo), (l, r) = tf_same(y.shape[2], k, stride), tf_same(y.shape[3], k, stride)
        pads = (t, bo, l, r)
    else:
        pads = pad
    torch_pad = (pads[2], pads[3], pads[0], pads[1])  # F.pad wants (left, right, top, bottom)
    y = F.pad(y, torch_pad, mode='reflect' if mode == 'reflect' else 'constant')
    y = F.conv2d(y, wt, b, stride=stride)[0]
    tensors = {'x': x, 'w': wt, 'y': y}
    if bias:
        tensors['b'] = b
    cases.add(name, 'conv', {'kernel': k, 'stride': stride, 'rule': rule, 'mode': mode,
                             'pad': list(pad), 'upsample2x': upsample}, tensors)


def conv_transpose_case(cases, name, cin, cout, h, w, k, stride, pad, torch_args=None):
    """pad = (top, bottom, left, right) in model.h's ConvTranspose convention.

    With torch_args the output comes from torch's own padding/output_padding arguments
    (checks that the convention maps onto PyTorch's); otherwise from cropping torch's
    full output (TensorFlow SAME, asymmetric pads)."""
    x = cases.rand(cin, h, w, lo=-2, hi=2)
    wt = cases.rand(cin, cout, k, k) / (cin * k * k) ** 0.5
    b = cases.rand(cout)
    if torch_args is not None:
        y = F.conv_transpose2d(x[None], wt, b, stride=stride, **torch_args)[0]
    else:
        full = F.conv_transpose2d(x[None], wt, None, stride=stride)[0]
        t, bo, l, r = pad
        assert min(pad) >= 0, 'negative ends: use torch_args (output_padding)'
        y = full[:, t:full.shape[1] - bo, l:full.shape[2] - r] + b.view(-1, 1, 1)
    expect_h = (h - 1) * stride + k - pad[0] - pad[1]
    expect_w = (w - 1) * stride + k - pad[2] - pad[3]
    assert tuple(y.shape[1:]) == (expect_h, expect_w), (name, y.shape)
    cases.add(name, 'conv_transpose', {'kernel': k, 'stride': stride, 'pad': list(pad)},
              {'x': x, 'w': wt, 'b': b, 'y': y})


def instance_norm_case(cases, name, c, h, w, eps, style_weights, offset=0.0):
    x = cases.rand(c, h, w, lo=-3, hi=3) + offset
    slots = len(style_weights)
    scale = cases.rand(slots, c, lo=0.5, hi=1.5)
    shift = cases.rand(slots, c)
    sw = torch.tensor(style_weights).view(-1, 1)
    y = F.instance_norm(x[None], weight=(scale * sw).sum(0), bias=(shift * sw).sum(0),
                        eps=eps)[0]
    cases.add(name, 'instance_norm', {'epsilon': eps, 'styleWeights': style_weights},
              {'x': x, 'scale': scale, 'shift': shift, 'y': y})


def make_op_goldens():
    c = OpCases(seed=20240601)
    # Convolutions: every padding rule/mode, stride 1 and 2, odd and even sizes, 9x9.
    conv_case(c, 'conv_k3_zero', 4, 6, 5, 7, 3, pad=(1, 1, 1, 1))
    conv_case(c, 'conv_k3_reflect', 4, 6, 6, 5, 3, mode='reflect', pad=(1, 1, 1, 1))
    conv_case(c, 'conv_k9_reflect', 3, 5, 13, 11, 9, mode='reflect', pad=(4, 4, 4, 4))
    conv_case(c, 'conv_k9_tfsame', 3, 4, 10, 9, 9, rule='tfsame')
    conv_case(c, 'conv_k3_s2_tfsame_even', 5, 4, 8, 10, 3, stride=2, rule='tfsame',
              bias=False)
    conv_case(c, 'conv_k3_s2_tfsame_odd', 5, 4, 9, 7, 3, stride=2, rule='tfsame')
    conv_case(c, 'conv_k3_s2_reflect', 4, 8, 9, 10, 3, stride=2, mode='reflect',
              pad=(1, 1, 1, 1))
    conv_case(c, 'conv_k4_s2_tfsame_reflect', 3, 4, 9, 8, 4, stride=2, rule='tfsame',
              mode='reflect')
    conv_case(c, 'conv_k3_asym_zero', 3, 5, 6, 7, 3, pad=(0, 2, 1, 0))
    conv_case(c, 'conv_k1', 7, 3, 4, 6, 1)
    conv_case(c, 'conv_k3_up_reflect', 4, 3, 5, 6, 3, mode='reflect', pad=(1, 1, 1, 1),
              upsample=True)
    conv_case(c, 'conv_k3_up_tfsame', 3, 4, 4, 5, 3, rule='tfsame', upsample=True)
    conv_case(c, 'conv_k3_wide', 32, 16, 7, 9, 3, pad=(1, 1, 1, 1))
    # Transposed convolutions: PyTorch padding/output_padding, TF SAME crop, k4.
    conv_transpose_case(c, 'convt_k3_s2_p1_op1', 4, 6, 5, 7, 3, 2, (1, 0, 1, 0),
                        torch_args={'padding': 1, 'output_padding': 1})
    conv_transpose_case(c, 'convt_k3_s2_tfsame', 6, 4, 6, 5, 3, 2, (0, 1, 0, 1))
    conv_transpose_case(c, 'convt_k4_s2_p1', 3, 5, 4, 6, 4, 2, (1, 1, 1, 1),
                        torch_args={'padding': 1})
    conv_transpose_case(c, 'convt_k3_s1_p1', 5, 3, 6, 6, 3, 1, (1, 1, 1, 1),
                        torch_args={'padding': 1})
    conv_transpose_case(c, 'convt_k3_s2_full_asym', 3, 4, 4, 5, 3, 2, (0, 2, 1, 0))
    conv_transpose_case(c, 'convt_k3_s2_op1_nopad', 3, 2, 3, 4, 3, 2, (0, -1, 0, -1),
                        torch_args={'padding': 0, 'output_padding': 1})
    # Instance norm: PyTorch's eps, Engstrom's eps, conditional slots blended, a large
    # mean (variance must not be computed as E[x^2] - E[x]^2 in float).
    instance_norm_case(c, 'inorm_eps1e5', 5, 7, 6, 1e-5, [1.0])
    instance_norm_case(c, 'inorm_eps1e3_blend', 4, 9, 8, 1e-3, [0.25, 0.75])
    instance_norm_case(c, 'inorm_three_slots', 3, 5, 5, 1e-5, [0.2, 0.0, 0.8])
    instance_norm_case(c, 'inorm_large_mean', 2, 16, 16, 1e-5, [1.0], offset=300.0)
    # Element-wise ops.
    x = c.rand(3, 5, 7, lo=-6, hi=6)
    c.add('upsample2x', 'upsample2x', {}, {'x': x, 'y': F.interpolate(
        x[None], scale_factor=2, mode='nearest')[0]})
    c.add('relu', 'relu', {}, {'x': x, 'y': F.relu(x)})
    c.add('tanh', 'tanh', {}, {'x': x, 'y': torch.tanh(x)})
    c.add('sigmoid', 'sigmoid', {}, {'x': x, 'y': torch.sigmoid(x)})
    x2 = c.rand(3, 5, 7)
    c.add('add', 'add', {}, {'x': x, 'x2': x2, 'y': x + x2})
    c.add('affine', 'affine', {'scale': 150.0, 'bias': 127.5}, {'x': x, 'y': x * 150 + 127.5})
    c.add('clamp', 'clamp', {'lo': -1.5, 'hi': 2.0}, {'x': x, 'y': x.clamp(-1.5, 2.0)})
    with open(os.path.join(OUT, 'ops', 'cases.json'), 'w') as f:
        json.dump({'generator': 'tools/goldens/make_goldens.py', 'torch': torch.__version__,
                   'cases': c.cases}, f, indent=1)
    print(f'ops: {len(c.cases)} cases')


# ---------------------------------------------------------------- whole networks
def test_image(width, height, seed=7):
    """A procedural RGB image: gradients, a disc, a stripe band, a checker and noise, so
    every channel and edge orientation carries signal."""
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 255 * xx / (width - 1)
    g = 255 * yy / (height - 1)
    b = 128 + 100 * np.sin(xx / 5.0) * np.cos(yy / 7.0)
    disc = (xx - width * 0.35) ** 2 + (yy - height * 0.45) ** 2 < (height * 0.25) ** 2
    r[disc], g[disc], b[disc] = 240, 200, 30
    band = (xx + 2 * yy) % 16 < 5
    g[band] = 255 - g[band]
    checker = ((xx // 6 + yy // 6) % 2 == 0) & (xx > width * 0.65) & (yy > height * 0.55)
    r[checker], g[checker], b[checker] = 20, 20, 220
    img = np.stack([r, g, b], -1) + rng.normal(0, 12, (height, width, 3))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def load_engstrom_ref(shared):
    path = os.path.join(shared, 'reference', 'engstrom_ref.py')
    spec = importlib.util.spec_from_file_location('engstrom_ref', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_engstrom_goldens(shared, styles=('wave', 'udnie')):
    ref = load_engstrom_ref(shared)
    # 70 x 54: not multiples of 4, so the stride-2 stages round up (54 -> 27 -> 14) and
    # the 72 x 56 output is cropped back, the path real frames take.
    img = test_image(70, 54)
    save(os.path.join(OUT, 'engstrom', 'input_70x54.npy'), img)
    x = torch.from_numpy(img.astype(np.float32)).permute(2, 0, 1)[None]
    for style in styles:
        V = ref.load(os.path.join(shared, 'fixtures', 'models', 'engstrom-ml5', style))
        with torch.no_grad():
            y = ref.net(x, V)[0]  # raw tanh*150+127.5, before clamp and crop
        save(os.path.join(OUT, 'engstrom', f'{style}.npy'), y.numpy())
        print(f'engstrom {style}: output {tuple(y.shape)}')


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--shared', default=os.path.join(ROOT, '..', 'shared'),
                    help='the shared folder (fixtures, reference scripts)')
    ap.add_argument('--only', choices=['ops', 'engstrom', 'transformer'], default=None)
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.only in (None, 'ops'):
        make_op_goldens()
    if args.only in (None, 'engstrom'):
        make_engstrom_goldens(args.shared)
    if args.only in (None, 'transformer'):
        import transformer_net_golden
        transformer_net_golden.make(OUT, ROOT, test_image)


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
