#!/usr/bin/python3
"""Exports a fast_neural_style TransformerNet with random weights to ONNX.

The network has the structure of PyTorch's examples/fast_neural_style TransformerNet
(reflection-padded convs, instance norm with affine parameters, residual blocks,
nearest 2x upsampling before the decoder convs, raw output for 0..255 input), with
configurable widths and block count so the test suite can commit tiny variants.
Run with Debian's /usr/bin/python3 (python3-torch). See tools/models/README.md.
"""
import argparse

import torch
from torch import nn


class PaddedConv(nn.Module):
    """Reflection padding of k//2 then a convolution (torch's ConvLayer)."""

    def __init__(self, cin, cout, kernel, stride, upsample=False):
        super().__init__()
        self.upsample = upsample
        self.reflection_pad = nn.ReflectionPad2d(kernel // 2)
        self.conv2d = nn.Conv2d(cin, cout, kernel, stride)

    def forward(self, x):
        if self.upsample:
            x = nn.functional.interpolate(x, mode="nearest", scale_factor=2)
        return self.conv2d(self.reflection_pad(x))


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = PaddedConv(channels, channels, 3, 1)
        self.in1 = nn.InstanceNorm2d(channels, affine=True)
        self.conv2 = PaddedConv(channels, channels, 3, 1)
        self.in2 = nn.InstanceNorm2d(channels, affine=True)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.relu(self.in1(self.conv1(x)))
        return self.in2(self.conv2(y)) + x


class TransformerNet(nn.Module):
    def __init__(self, widths=(32, 64, 128), blocks=5):
        super().__init__()
        a, b, c = widths
        self.conv1 = PaddedConv(3, a, 9, 1)
        self.in1 = nn.InstanceNorm2d(a, affine=True)
        self.conv2 = PaddedConv(a, b, 3, 2)
        self.in2 = nn.InstanceNorm2d(b, affine=True)
        self.conv3 = PaddedConv(b, c, 3, 2)
        self.in3 = nn.InstanceNorm2d(c, affine=True)
        self.res = nn.Sequential(*[ResidualBlock(c) for _ in range(blocks)])
        self.deconv1 = PaddedConv(c, b, 3, 1, upsample=True)
        self.in4 = nn.InstanceNorm2d(b, affine=True)
        self.deconv2 = PaddedConv(b, a, 3, 1, upsample=True)
        self.in5 = nn.InstanceNorm2d(a, affine=True)
        self.deconv3 = PaddedConv(a, 3, 9, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.relu(self.in1(self.conv1(x)))
        y = self.relu(self.in2(self.conv2(y)))
        y = self.relu(self.in3(self.conv3(y)))
        y = self.res(y)
        y = self.relu(self.in4(self.deconv1(y)))
        y = self.relu(self.in5(self.deconv2(y)))
        return self.deconv3(y)


class OpsNet(nn.Module):
    """Not a style network: a small graph with the other ops the ONNX loader maps
    (scalar Div/Mul/Sub/Add, zero padding inside Conv and as a Pad, ConvTranspose with
    output_padding, Sigmoid, Tanh, Clip)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.norm = nn.InstanceNorm2d(8, affine=True)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.pad = nn.ZeroPad2d(1)
        self.out = nn.Conv2d(4, 3, 3)

    def forward(self, x):
        x = x / 255.0 * 2 - 1
        y = torch.relu(self.norm(self.conv(x)))
        y = torch.sigmoid(self.up(y))
        y = torch.tanh(self.out(self.pad(y)))
        return torch.clamp((y + 1) * 127.5, 0, 255)


class UnsupportedNet(nn.Module):
    """A conv followed by LeakyReLU, an op Stylize does not run: for error messages."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)

    def forward(self, x):
        return nn.functional.leaky_relu(self.conv(x), 0.2)


def randomize(net, seed, default_norm):
    """Fills every parameter from a fixed seed. Convolutions keep torch's init scale;
    instance-norm parameters become non-trivial unless default_norm keeps them 1/0
    (torch then shares them between layers through Identity nodes)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
                bound = 1.0 / (module.in_channels * module.kernel_size[0] * module.kernel_size[1]) ** 0.5
                module.weight.copy_((torch.rand(module.weight.shape, generator=gen) * 2 - 1) * bound)
                module.bias.copy_((torch.rand(module.bias.shape, generator=gen) * 2 - 1) * bound)
            elif isinstance(module, nn.InstanceNorm2d) and not default_norm:
                module.weight.copy_(0.5 + torch.rand(module.weight.shape, generator=gen))
                module.bias.copy_(torch.rand(module.bias.shape, generator=gen) - 0.5)


def spread_output(net, gain):
    """Random weights leave the output near 0, which clamps to a black image. For checks
    in image space, scale the last conv so its output spans the 0..255 range (the
    architecture stays exactly the same)."""
    with torch.no_grad():
        net.deconv3.conv2d.weight.mul_(gain)
        net.deconv3.conv2d.bias.fill_(127.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the .onnx file to write")
    parser.add_argument("--net", choices=["transformer", "ops", "unsupported"], default="transformer",
                        help="transformer: fast_neural_style's TransformerNet; ops and unsupported: "
                        "small graphs for loader tests")
    parser.add_argument("--widths", default="32,64,128", help="channel widths of the three encoder convs")
    parser.add_argument("--blocks", type=int, default=5, help="residual blocks")
    parser.add_argument("--opset", type=int, default=None, help="ONNX opset (default: torch's)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random weights")
    parser.add_argument("--default-norm", action="store_true",
                        help="keep instance-norm parameters at torch's defaults (1 and 0)")
    parser.add_argument("--size", default="64,64", help="height,width of the example input")
    parser.add_argument("--dynamic", action="store_true", help="export height and width as dynamic axes")
    parser.add_argument("--output-gain", type=float, default=None,
                        help="TransformerNet: scale the last conv by this and centre it on 127.5, "
                             "so random weights give a visible image")
    args = parser.parse_args()

    widths = tuple(int(v) for v in args.widths.split(","))
    if args.net == "ops":
        net = OpsNet().eval()
    elif args.net == "unsupported":
        net = UnsupportedNet().eval()
    else:
        net = TransformerNet(widths, args.blocks).eval()
    randomize(net, args.seed, args.default_norm)
    if args.output_gain is not None and args.net == "transformer":
        spread_output(net, args.output_gain)
    h, w = (int(v) for v in args.size.split(","))
    example = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(args.seed)) * 255
    kwargs = {}
    if args.opset is not None:
        kwargs["opset_version"] = args.opset
    if args.dynamic:
        kwargs["dynamic_axes"] = {"input": {2: "height", 3: "width"}, "output": {2: "height", 3: "width"}}
    torch.onnx.export(net, example, args.out, input_names=["input"], output_names=["output"], **kwargs)


if __name__ == "__main__":
    main()
