# Goldens for the ONNX TransformerNet files that tools/models/export_transformer_net.py makes.
#
# The exporter fills every weight from a seed, so the same (widths, blocks, seed,
# default_norm) rebuilds the very network in torch: no weights need to be committed
# twice. VARIANTS must list the files tests/data/model/ holds, with the arguments they
# were exported with; each gets goldens/transformer_net/<stem>.json (what to load, how
# it was made, and which .npy holds torch's float32 output on the shared test image).
import importlib.util
import json
import os

import numpy as np
import torch

# file in tests/data/model -> the export_transformer_net.py arguments it was made with
# (read back from the files: conv shapes and first weights match these exactly). The
# opset only changes the ONNX encoding, so an export differing by opset alone reuses
# the golden output of the file it repeats ('same_as').
VARIANTS = {
    'transformer_small.onnx': {'widths': [8, 16, 16], 'blocks': 2, 'seed': 1,
                               'default_norm': False},
    'transformer_small_default_norm.onnx': {'widths': [8, 16, 16], 'blocks': 2, 'seed': 1,
                                            'default_norm': True},
    'transformer_small_opset9.onnx': {'widths': [8, 16, 16], 'blocks': 2, 'seed': 1,
                                      'default_norm': False, 'opset': 9,
                                      'same_as': 'transformer_small.onnx'},
}


def load_exporter(root):
    path = os.path.join(root, 'tools', 'models', 'export_transformer_net.py')
    spec = importlib.util.spec_from_file_location('export_transformer_net', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make(out_dir, root, test_image):
    exporter = load_exporter(root)
    img = test_image(70, 54)  # the same image as the Engstrom goldens (input_70x54.npy)
    x = torch.from_numpy(img.astype(np.float32)).permute(2, 0, 1)[None]
    folder = os.path.join(out_dir, 'transformer_net')
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):  # variants renamed or dropped leave no stale goldens
        os.remove(os.path.join(folder, f))
    for onnx_name, args in VARIANTS.items():
        stem = os.path.splitext(onnx_name)[0]
        output = os.path.splitext(args.get('same_as', onnx_name))[0] + '.npy'
        if 'same_as' not in args:
            net = exporter.TransformerNet(tuple(args['widths']), args['blocks']).eval()
            exporter.randomize(net, args['seed'], args['default_norm'])
            with torch.no_grad():
                y = net(x)[0]  # raw output in pixel units, before clamp and crop
            np.save(os.path.join(folder, output), y.numpy().astype('<f4'))
        meta = {'onnx': 'model/' + onnx_name, 'input': 'goldens/engstrom/input_70x54.npy',
                'output': output, 'export_args': args}
        with open(os.path.join(folder, stem + '.json'), 'w') as f:
            json.dump(meta, f, indent=1)
        exists = os.path.exists(os.path.join(root, 'tests', 'data', 'model', onnx_name))
        print(f'transformer_net {stem}: golden {output}'
              + ('' if exists else f' (tests/data/model/{onnx_name} not there yet)'))
