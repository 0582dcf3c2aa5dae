"""onnxruntime's Python quantize_static on the model and calibration tensors quant-parity-dump.ts wrote:
QDQ, per-channel int8 weights, uint8 activations, MinMax (the settings stageprune quantize defaults to).
With --exclude-decode the detector's decode path (the nodes stageprune keeps in float, listed in meta.json)
is excluded; without it every node is quantized (onnxruntime's default).
  python tools/dev-checks/ort-quantize-static.py tmp/ort-q tmp/ort-q/int8.onnx [--exclude-decode]
"""

import argparse
import json
from pathlib import Path

import onnx
from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static


from quant_images import Images


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--exclude-decode", action="store_true")
    args = parser.parse_args()
    meta = json.loads((args.folder / "meta.json").read_text())
    model_path = args.folder / "model.onnx"
    input_name = onnx.load(str(model_path)).graph.input[0].name
    quantize_static(
        str(model_path),
        str(args.out),
        Images(args.folder, meta["images"], meta["imgsz"], input_name),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        weight_type=QuantType.QInt8,
        activation_type=QuantType.QUInt8,
        calibrate_method=CalibrationMethod.MinMax,
        nodes_to_exclude=meta["decode"] if args.exclude_decode else [],
    )


if __name__ == "__main__":
    main()
