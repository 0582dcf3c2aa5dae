#!/usr/bin/env python3
"""Development check: our YOLO build (yolov8, yolo11, yolov5u) vs ultralytics' own ONNX export of the same architecture.

DEV ONLY: needs a Python with `ultralytics` (AGPL, never a product or CI dependency), `onnx` and
`onnxruntime`, e.g. /tmp/devref/venv/bin/python. Run from the repository root:

    /tmp/devref/venv/bin/python tools/dev-checks/compare-ultralytics.py [--family yolov8|yolo11|yolov5u] [--sizes n s m l x] [--imgsz 640] [--nc 80]

For each size it
  1. builds ultralytics' model from the family's YAML at that size (yolov8n.yaml, yolo11n.yaml, yolov5nu.yaml) (no weights needed), gives its BatchNorm layers random
     statistics (so the exporter does not deduplicate identical biases) and exports ONNX (simplify=False);
  2. builds ours with `stageprune model build` and `stageprune model export` (BN folded);
  3. compares the graphs: the same node sequence (op type, name, attributes, input and output tensor names;
     the torch exporter's anonymous split-size constants are compared by value), the same initializer names
     and shapes, and the same inferred shape for every tensor;
  4. copies ultralytics' weights into our deploy-form model by name and runs both in onnxruntime on the same
     random input: the outputs must agree (max |diff| / max |out| <= 1e-5).
With --import-variants it also exports yolov8n with opset 11/13/17, static/dynamic batch, simplified or not
(simplify needs onnxslim in the same venv) and checks that `stageprune model stats` recognises each:
deploy-form parameters 3,151,904, the same FLOPs and stages as our own deploy-form build, no unknown ops.
Exit code 0 when every check matches.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault('YOLO_OFFLINE', '1')

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


FAMILY = 'yolov8'


def arch(size):
    return {'yolov8': f'yolov8{size}', 'yolo11': f'yolo11{size}', 'yolov5u': f'yolov5{size}u'}[FAMILY]


def export_ultralytics(size, nc, imgsz, out_dir):
    from ultralytics import YOLO

    model = YOLO(f'{arch(size)}.yaml')
    if nc != 80:
        from ultralytics.nn.tasks import DetectionModel

        custom = DetectionModel(f'{arch(size)}.yaml', nc=nc, verbose=False)
        custom.args = model.model.args
        custom.task = model.model.task
        model.model = custom
    gen = torch.Generator().manual_seed(0)
    for m in model.model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = 0.5 + torch.rand(c, generator=gen)
            m.bias.data = torch.rand(c, generator=gen) - 0.5
            m.running_mean = (torch.rand(c, generator=gen) - 0.5) * 0.2
            m.running_var = 0.5 + torch.rand(c, generator=gen)
    path = model.export(format='onnx', imgsz=imgsz, simplify=False, verbose=False)
    target = os.path.join(out_dir, f'ultralytics-{size}.onnx')
    os.replace(path, target)
    return target


def build_ours(size, nc, imgsz, out_dir):
    train = os.path.join(out_dir, f'ours-{size}-train.onnx')
    deploy = os.path.join(out_dir, f'ours-{size}.onnx')
    cli = ['npx', '--no-install', 'stageprune', 'model']
    subprocess.run(cli + ['build', '--arch', arch(size), '--nc', str(nc), '--imgsz', str(imgsz), '--out', train], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(cli + ['export', train, '--out', deploy], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return deploy


def constant_values(graph):
    """Values of Constant-node outputs and initializers, for comparing anonymous constants by value."""
    values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for n in graph.node:
        if n.op_type == 'Constant':
            values[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    return values


def canonical_nodes(model):
    """Nodes without the exporter's Identity (deduplicated parameters) and anonymous Constant nodes;
    tensor names that are anonymous constants (onnx::*, */Split_sizes) become their values."""
    g = model.graph
    values = constant_values(g)
    alias = {n.output[0]: n.input[0] for n in g.node if n.op_type == 'Identity' and not n.name.startswith('/')}
    anonymous = lambda name: name.startswith('onnx::') or name.endswith('/Split_sizes')  # noqa: E731
    out = []
    for n in g.node:
        if n.op_type == 'Identity' and not n.name.startswith('/'):
            continue
        if n.op_type == 'Constant' and not n.name.startswith('/'):
            continue
        inputs = []
        for i in n.input:
            if anonymous(i):
                inputs.append(('const', tuple(values[i].reshape(-1).tolist())))
            else:
                # resolve Identity aliases back to the parameter name the module uses
                inputs.append(i)
        attrs = {}
        for a in n.attribute:
            v = onnx.helper.get_attribute_value(a)
            if isinstance(v, onnx.TensorProto):
                arr = numpy_helper.to_array(v)
                v = ('tensor', v.data_type, tuple(arr.shape), arr.tobytes() if arr.size <= 64 else float(np.abs(arr).sum()))
            elif isinstance(v, list):
                v = tuple(v)
            attrs[a.name] = v
        out.append((n.op_type, n.name, tuple(inputs), tuple(n.output), tuple(sorted(attrs.items()))))
    return out, alias


def parameter_shapes(model, alias):
    g = model.graph
    shapes = {t.name: tuple(t.dims) for t in g.initializer if t.name.startswith('model.')}
    for target, source in alias.items():
        if source in shapes:
            shapes[target] = shapes[source]
    return {k: v for k, v in shapes.items() if k.startswith('model.')}


def inferred_shapes(model):
    inferred = onnx.shape_inference.infer_shapes(model)
    out = {}
    for v in list(inferred.graph.value_info) + list(inferred.graph.output):
        out[v.name] = tuple(d.dim_value if d.HasField('dim_value') else d.dim_param for d in v.type.tensor_type.shape.dim)
    return out


def with_weights_from(ours, theirs, alias):
    values = {t.name: t for t in theirs.graph.initializer}
    for target, source in alias.items():
        if source in values:
            values[target] = values[source]
    copied = 0
    for t in ours.graph.initializer:
        if t.name in values and tuple(values[t.name].dims) == tuple(t.dims):
            name = t.name
            t.CopyFrom(values[name])
            t.name = name  # an aliased source carries its own name
            copied += 1
    return copied


def compare(size, nc, imgsz, work):
    problems = []
    theirs_path = export_ultralytics(size, nc, imgsz, work)
    ours_path = build_ours(size, nc, imgsz, work)
    theirs, ours = onnx.load(theirs_path), onnx.load(ours_path)

    a, alias = canonical_nodes(theirs)
    b, _ = canonical_nodes(ours)
    # ultralytics feeds deduplicated parameters through Identity: compare with the aliases resolved to names
    if len(a) != len(b):
        problems.append(f'node count {len(a)} vs ours {len(b)}')
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            problems.append(f'node {i} differs:\n    ultralytics {x[:4]}\n    ours        {y[:4]}')
            break
    pa, pb = parameter_shapes(theirs, alias), parameter_shapes(ours, {})
    if pa != pb:
        only_a = sorted(set(pa) - set(pb))[:5]
        only_b = sorted(set(pb) - set(pa))[:5]
        diff = sorted(k for k in set(pa) & set(pb) if pa[k] != pb[k])[:5]
        problems.append(f'parameters differ: only ultralytics {only_a}, only ours {only_b}, shape {diff}')
    sa, sb = inferred_shapes(theirs), inferred_shapes(ours)
    shape_diff = [k for k in sa if k in sb and sa[k] != sb[k]]
    missing = [k for k in sa if k not in sb and not k.startswith('onnx::') and not k.startswith('model.')]
    if shape_diff or missing:
        problems.append(f'shapes differ for {shape_diff[:5]}, missing in ours {missing[:5]}')

    copied = with_weights_from(ours, theirs, alias)
    x = np.random.default_rng(0).random((1, 3, imgsz, imgsz), dtype=np.float32)
    ya = ort.InferenceSession(theirs.SerializeToString(), providers=['CPUExecutionProvider']).run(None, {'images': x})[0]
    yb = ort.InferenceSession(ours.SerializeToString(), providers=['CPUExecutionProvider']).run(None, {'images': x})[0]
    rel = float(np.abs(ya - yb).max() / np.abs(ya).max())
    if ya.shape != yb.shape or rel > 1e-5:
        problems.append(f'outputs differ: shapes {ya.shape} vs {yb.shape}, relative difference {rel:.3g}')
    print(
        f'{arch(size)} nc={nc} imgsz={imgsz}: {len(a)} nodes compared, {len(pa)} parameters, '
        f'{len(sa)} tensor shapes, {copied} weights copied, output {tuple(yb.shape)}, relative difference {rel:.2e}: '
        + ('MATCH' if not problems else 'MISMATCH')
    )
    for p in problems:
        print('  ' + p)
    return not problems


def check_import_variants(work):
    from ultralytics import YOLO

    reference = json.loads(subprocess.run(
        ['npx', '--no-install', 'stageprune', 'model', 'stats', build_ours('n', 80, 640, work), '--json'],
        cwd=REPO, check=True, capture_output=True, text=True).stdout)
    ok = True
    for opset in (11, 13, 17):
        for dynamic in (False, True):
            for simplify in (False, True):
                path = os.path.abspath(YOLO('yolov8n.yaml').export(format='onnx', imgsz=640, opset=opset, dynamic=dynamic, simplify=simplify, verbose=False))
                stats = json.loads(subprocess.run(['npx', '--no-install', 'stageprune', 'model', 'stats', path, '--json'],
                                                  cwd=REPO, check=True, capture_output=True, text=True).stdout)
                same = all(stats[k] == reference[k] for k in ('params', 'flops', 'stages', 'modules')) and not stats['unknownOps']
                ok = ok and same
                print(f'import yolov8n opset {opset} {"dynamic" if dynamic else "static"} {"simplified" if simplify else "raw"}: '
                      f'{stats["params"]} params, {stats["flops"] / 1e9:.4f} GFLOPs, unknown ops {stats["unknownOps"]}: '
                      + ('MATCH' if same else 'MISMATCH'))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--family', choices=['yolov8', 'yolo11', 'yolov5u'], default='yolov8')
    parser.add_argument('--sizes', nargs='+', default=['n', 's', 'm', 'l', 'x'])
    parser.add_argument('--imgsz', type=int, default=640)
    parser.add_argument('--nc', type=int, default=80)
    parser.add_argument('--import-variants', action='store_true')
    args = parser.parse_args()
    global FAMILY
    FAMILY = args.family
    import ultralytics

    print(f'ultralytics {ultralytics.__version__}, torch {torch.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}')
    ok = True
    with tempfile.TemporaryDirectory() as work:
        cwd = os.getcwd()
        os.chdir(work)  # ultralytics writes next to the working directory
        try:
            for size in args.sizes:
                ok = compare(size, args.nc, args.imgsz, work) and ok
            if args.import_variants:
                ok = check_import_variants(work) and ok
        finally:
            os.chdir(cwd)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
