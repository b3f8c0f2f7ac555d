#!/usr/bin/python3
"""Golden of Magenta's style predictor from an independent engine: Arm NN's CpuRef
backend (Debian's python3-pyarmnn, libarmnn-cpuref-backend22, libarmnntfliteparser22)
runs style_predict_quantized_256.tflite on the 256x256 formula pattern the C++ test makes
(r = x / 255, g = y / 255, b = ((x * y) % 256) / 255), so no resampling differs.

usage: predictor_armnn_golden.py SHARED_DIR OUT_DIR
writes OUT_DIR/pattern_vector_armnn.npy (100 float32) and prints how it compares with
the NumPy reading's pattern_vector.npy in OUT_DIR, if that is there.
"""
import os
import sys

import numpy as np
import pyarmnn as ann


def predict(model, image):
    parser = ann.ITfLiteParser()
    network = parser.CreateNetworkFromBinaryFile(model)
    input_name = parser.GetSubgraphInputTensorNames(0)[0]
    output_name = parser.GetSubgraphOutputTensorNames(0)[0]
    input_binding = parser.GetNetworkInputBindingInfo(0, input_name)
    output_binding = parser.GetNetworkOutputBindingInfo(0, output_name)
    runtime = ann.IRuntime(ann.CreationOptions())
    optimized, messages = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(),
                                       ann.OptimizerOptions())
    net_id, _ = runtime.LoadNetwork(optimized)
    inputs = ann.make_input_tensors([input_binding], [image.astype(np.float32)])
    outputs = ann.make_output_tensors([output_binding])
    runtime.EnqueueWorkload(net_id, inputs, outputs)
    return ann.workload_tensors_to_ndarray(outputs)[0].reshape(-1).astype(np.float32)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    shared, out = sys.argv[1], sys.argv[2]
    model = os.path.join(shared, "fixtures/models/magenta-arbitrary/style_predict_quantized_256.tflite")
    yy, xx = np.mgrid[0:256, 0:256]
    pattern = np.stack([xx, yy, (xx * yy) % 256], -1).astype(np.float32)[None] / 255
    vector = predict(model, pattern)
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "pattern_vector_armnn.npy"), vector)
    print("Arm NN", ann.ARMNN_VERSION, "CpuRef: vector mean %.5f, |v| %.4f" % (vector.mean(), np.linalg.norm(vector)))
    numpy_golden = os.path.join(out, "pattern_vector.npy")
    if os.path.exists(numpy_golden):
        ref = np.load(numpy_golden)
        cos = float(vector @ ref / np.linalg.norm(vector) / np.linalg.norm(ref))
        print("vs the NumPy reading: cosine %.6f, max |diff| %.4f" % (cos, float(np.abs(vector - ref).max())))


if __name__ == "__main__":
    main()
