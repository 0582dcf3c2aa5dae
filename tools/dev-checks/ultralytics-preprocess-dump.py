"""DEV-ONLY (ultralytics is AGPL: never a product or CI dependency).

Dumps ultralytics' validation input tensors for some BCCD images, through ultralytics' own YOLODataset
(load_image + LetterBox(scaleup=False) + Format), as raw uint8 CHW RGB files: <out>/<imgsz>/<stem>.bin.
The validator then divides by 255 in float32, which the TS side compares against its floats.

usage: /tmp/devref/venv/bin/python ultralytics-preprocess-dump.py OUT_DIR IMAGE... --imgsz 640 320 ...
"""
import argparse, os, shutil, sys, tempfile
from pathlib import Path

from ultralytics.data.dataset import YOLODataset

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("images", nargs="+")
ap.add_argument("--imgsz", type=int, nargs="+", default=[640])
a = ap.parse_args()

with tempfile.TemporaryDirectory() as tmp:
    imgdir = Path(tmp) / "images"
    lbldir = Path(tmp) / "labels"
    imgdir.mkdir()
    lbldir.mkdir()
    for f in a.images:
        os.symlink(os.path.abspath(f), imgdir / Path(f).name)
        (lbldir / (Path(f).stem + ".txt")).write_text("0 0.5 0.5 0.1 0.1\n")
    for s in a.imgsz:
        ds = YOLODataset(img_path=str(imgdir), imgsz=s, augment=False, rect=False, cache=False,
                         data={"names": {0: "x"}, "channels": 3}, task="detect")
        outdir = Path(a.out) / str(s)
        outdir.mkdir(parents=True, exist_ok=True)
        for i in range(len(ds)):
            item = ds[i]
            img = item["img"].numpy()  # uint8, CHW, RGB
            assert img.shape == (3, s, s), img.shape
            (outdir / (Path(item["im_file"]).stem + ".bin")).write_bytes(img.tobytes())
            print(s, Path(item["im_file"]).name, item["ori_shape"], item["resized_shape"], item["ratio_pad"], file=sys.stderr)
