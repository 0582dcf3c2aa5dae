#!/usr/bin/env python3
"""Development check: train yolov8n from scratch on BCCD with our trainer and with ultralytics, same budget.

DEV ONLY: needs a Python with `ultralytics` (AGPL, never a product or CI dependency), e.g.
/tmp/devref/venv/bin/python. Run from the repository root, after `bash infra/setup.sh`:

    /tmp/devref/venv/bin/python tools/dev-checks/train-vs-ultralytics.py --epochs 20 --imgsz 416 --out runs/side-by-side

Both sides get the same epochs, image size, batch (16, nominal 64), seed (`--seed`, default 0), SGD
lr0 0.01, augmentations (mosaic closed for the last 10 epochs), 2 torch threads and 1 data-loader worker
on the same machine, one after the other (never concurrently, so neither slows the other). Ultralytics trains on BCCD train+val
converted to YOLO txt (same class order as our VOC rule: Platelets, RBC, WBC; zero-area boxes dropped, as
ours drops them) with per-epoch validation off. Both final models (EMA weights) are exported to ONNX and
scored by the same evaluator, `stageprune eval --split test`, so the mAP difference is the training's.
Throughput is training images / seconds spent in training epochs (startup, export and evaluation excluded
on both sides: ultralytics' from its epoch callbacks, ours from the trainer's `done` line).
Prints one JSON object; `--skip-ours` / `--skip-ultralytics` rerun one side.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

os.environ.setdefault('YOLO_OFFLINE', '1')

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BCCD = os.environ.get('STAGEPRUNE_BCCD', os.path.join(REPO, 'datasets', 'bccd'))
NAMES = ['Platelets', 'RBC', 'WBC']
CLI = ['npx', '--no-install', 'stageprune']


def voc_to_yolo(root, splits, out):
    """Writes images/ (symlinks) + labels/ for the given VOC splits; returns the image count."""
    img_dir, lbl_dir = os.path.join(out, 'images'), os.path.join(out, 'labels')
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(lbl_dir, exist_ok=True)
    ids = []
    for split in splits:
        with open(os.path.join(root, 'ImageSets', 'Main', f'{split}.txt')) as f:
            ids += [line.strip() for line in f if line.strip()]
    for image_id in ids:
        tree = ET.parse(os.path.join(root, 'Annotations', f'{image_id}.xml')).getroot()
        w, h = float(tree.find('size/width').text), float(tree.find('size/height').text)
        lines = []
        for obj in tree.findall('object'):
            box = obj.find('bndbox')
            x1, y1, x2, y2 = (float(box.find(k).text) for k in ('xmin', 'ymin', 'xmax', 'ymax'))
            if x2 <= x1 or y2 <= y1:
                continue
            cls = NAMES.index(obj.find('name').text.strip())
            lines.append(f'{cls} {(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f} {(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}')
        link = os.path.join(img_dir, f'{image_id}.jpg')
        if not os.path.exists(link):
            os.symlink(os.path.join(root, 'JPEGImages', f'{image_id}.jpg'), link)
        with open(os.path.join(lbl_dir, f'{image_id}.txt'), 'w') as f:
            f.write('\n'.join(lines) + ('\n' if lines else ''))
    return len(ids)


def evaluate(model, imgsz):
    out = subprocess.run(CLI + ['eval', model, '--split', 'test', '--imgsz', str(imgsz), '--json'],
                         cwd=REPO, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return {k: result[k] for k in ('map50_95', 'map50', 'per_class')}


def train_ultralytics(args, work):
    import torch
    from ultralytics import YOLO

    torch.set_num_threads(args.threads)
    data = os.path.join(work, 'yolo-bccd')
    images = voc_to_yolo(BCCD, ['train', 'val'], data)
    yaml_path = os.path.join(work, 'bccd.yaml')
    with open(yaml_path, 'w') as f:
        f.write(f'path: {data}\ntrain: images\nval: images\nnames:\n' + ''.join(f'  {i}: {n}\n' for i, n in enumerate(NAMES)))
    epoch_seconds = []
    started = {}
    model = YOLO('yolov8n.yaml')
    model.add_callback('on_train_epoch_start', lambda trainer: started.__setitem__('t', time.perf_counter()))
    model.add_callback('on_train_epoch_end', lambda trainer: epoch_seconds.append(time.perf_counter() - started['t']))
    wall = time.perf_counter()
    model.train(data=yaml_path, epochs=args.epochs, imgsz=args.imgsz, batch=16, seed=args.seed, optimizer='SGD', lr0=0.01,
                workers=args.workers, device='cpu', pretrained=False, val=False, plots=False, amp=False,
                project=work, name='ultralytics', exist_ok=True, verbose=False)
    wall = time.perf_counter() - wall
    last = os.path.join(work, 'ultralytics', 'weights', 'last.pt')
    onnx_path = YOLO(last).export(format='onnx', imgsz=args.imgsz, simplify=False, verbose=False)
    seconds = sum(epoch_seconds)
    return {'images_per_epoch': images, 'train_seconds': round(seconds, 1), 'wall_seconds': round(wall, 1),
            'images_per_s': round(images * args.epochs / seconds, 2), 'model': onnx_path,
            'test': evaluate(onnx_path, args.imgsz)}


def train_ours(args, work):
    init = os.path.join(work, 'ours-init.onnx')
    out = os.path.join(work, 'ours')
    subprocess.run(CLI + ['model', 'build', '--arch', 'yolov8n', '--nc', '3', '--imgsz', str(args.imgsz), '--seed', str(args.seed),
                          '--out', init], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(out, ignore_errors=True)
    wall = time.perf_counter()
    proc = subprocess.run(CLI + ['train', '--model', init, '--data', BCCD, '--splits', 'train,val', '--epochs', str(args.epochs),
                                 '--imgsz', str(args.imgsz), '--batch', '16', '--seed', str(args.seed), '--device', 'cpu',
                                 '--threads', str(args.threads), '--workers', str(args.workers), '--out', out],
                          cwd=REPO, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - wall
    done = json.loads(proc.stdout.strip().splitlines()[-1])
    # The trainer's done line carries the images and seconds of its step loop.
    seconds = done['train_seconds']
    return {'images_per_epoch': done['images_seen'] // args.epochs, 'train_seconds': round(seconds, 1),
            'wall_seconds': round(wall, 1), 'images_per_s': round(done['images_seen'] / seconds, 2), 'model': done['model'],
            'test': evaluate(done['model'], args.imgsz)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--imgsz', type=int, default=416)
    parser.add_argument('--seed', type=int, default=0, help='both sides: initialisation, data order, augmentation')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument('--out', default=os.path.join(REPO, 'runs', 'side-by-side'))
    parser.add_argument('--skip-ours', action='store_true')
    parser.add_argument('--skip-ultralytics', action='store_true')
    args = parser.parse_args()
    work = os.path.abspath(args.out)
    os.makedirs(work, exist_ok=True)
    result = {'epochs': args.epochs, 'imgsz': args.imgsz, 'seed': args.seed, 'threads': args.threads, 'workers': args.workers}
    if not args.skip_ours:
        result['ours'] = train_ours(args, work)
        print(json.dumps(result['ours']), file=sys.stderr, flush=True)
    if not args.skip_ultralytics:
        result['ultralytics'] = train_ultralytics(args, work)
    if 'ours' in result and 'ultralytics' in result:
        o, u = result['ours'], result['ultralytics']
        result['map50_gap'] = round(u['test']['map50'] - o['test']['map50'], 4)
        result['throughput_ratio'] = round(u['images_per_s'] / o['images_per_s'], 3) if o['images_per_s'] else None
    print(json.dumps(result))


if __name__ == '__main__':
    main()
