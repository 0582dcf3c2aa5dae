"""python -m stageprune_trainer.ort_check MODEL.onnx --custom-op-library LIB.so

Opens MODEL in onnxruntime with a custom-op library registered and prints one JSON line. This lives in
Python because onnxruntime-node's JavaScript API cannot register custom-op libraries (its session options
have no RegisterCustomOpsLibrary), so a model with custom ops can only be verified here.

Exit codes: 0 loaded, 2 the library cannot be registered, 3 the model does not load.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="stageprune_trainer.ort_check")
    parser.add_argument("model")
    parser.add_argument("--custom-op-library", required=True)
    args = parser.parse_args(argv)
    try:
        import onnxruntime as ort
    except ImportError as e:
        print(json.dumps({"ok": False, "code": "library", "message": f"onnxruntime is not installed: {e}"}))
        return 2
    options = ort.SessionOptions()
    try:
        options.register_custom_ops_library(args.custom_op_library)
    except Exception as e:  # noqa: BLE001 - any failure to load the library is the library's
        print(json.dumps({"ok": False, "code": "library", "message": str(e).splitlines()[0]}))
        return 2
    try:
        session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"ok": False, "code": "model", "message": str(e).splitlines()[0]}))
        return 3
    print(json.dumps({"ok": True, "onnxruntime": ort.__version__, "inputs": [i.name for i in session.get_inputs()]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
