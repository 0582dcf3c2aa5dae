#!/usr/bin/env python3
"""Python counterpart of bench/onnx-io.ts: onnx.load + onnx.save of the same file, wall time and peak RSS.

Usage: python bench/onnx-io.py FILE   (prints one JSON line; bench/onnx-io.ts runs it)
"""
import json
import os
import resource
import sys
import time

import onnx


def peak_rss_mib():
    """VmHWM (per process image); getrusage's ru_maxrss would include the parent's peak at fork."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    path = sys.argv[1]
    baseline = peak_rss_mib()
    t0 = time.perf_counter()
    model = onnx.load(path)
    t1 = time.perf_counter()
    n_nodes = len(model.graph.node)  # the Python package has no stats; this is the "middle" step
    t2 = time.perf_counter()
    onnx.save(model, path + '.py-out.onnx')
    t3 = time.perf_counter()
    os.remove(path + '.py-out.onnx')
    assert n_nodes > 0
    print(json.dumps({
        'side': f'python onnx {onnx.__version__}: load, (no stats), save',
        'wallMs': (t3 - t0) * 1000,
        'parseMs': (t1 - t0) * 1000,
        'middleMs': (t2 - t1) * 1000,
        'serializeMs': (t3 - t2) * 1000,
        'peakRssMiB': peak_rss_mib(),
        'baselineRssMiB': baseline,
    }))


if __name__ == '__main__':
    main()
