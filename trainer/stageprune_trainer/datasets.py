"""Dataset readers for the trainer: VOC XML, YOLO txt, COCO JSON, and plain image folders (for
label-free distillation). Each yields Samples with boxes as xyxy pixels of the original image."""

from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from .errors import DatasetError

IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


@dataclass
class Sample:
    path: str
    boxes: np.ndarray  # (n, 4) float32 xyxy pixels
    cls: np.ndarray  # (n,) int64


@dataclass
class Dataset:
    samples: list[Sample]
    names: list[str]
    dropped_boxes: int = 0
    notes: list[str] = field(default_factory=list)


def _clean(boxes: list[list[float]], cls: list[int], w: float, h: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Clip to the image and drop degenerate boxes (a side under 1 px after clipping)."""
    if not boxes:
        return np.zeros((0, 4), np.float32), np.zeros((0,), np.int64), 0
    b = np.asarray(boxes, np.float32)
    if w > 0 and h > 0:
        b[:, [0, 2]] = b[:, [0, 2]].clip(0, w)
        b[:, [1, 3]] = b[:, [1, 3]].clip(0, h)
    keep = ((b[:, 2] - b[:, 0]) >= 1) & ((b[:, 3] - b[:, 1]) >= 1)
    return b[keep], np.asarray(cls, np.int64)[keep], int((~keep).sum())


def _image_size(path: str) -> tuple[int, int]:
    with Image.open(path) as im:
        return im.size


def load_voc(root: str, splits: list[str], names: list[str] | None) -> Dataset:
    ids: list[str] = []
    for split in splits:
        f = os.path.join(root, "ImageSets", "Main", f"{split}.txt")
        if not os.path.isfile(f):
            raise DatasetError(f"VOC split file not found: {f}", "DATASET_NOT_FOUND")
        ids += [line.split()[0] for line in open(f) if line.strip()]
    if names is None:
        names = voc_class_names(root)
    fixed = True
    names = list(names)
    samples, dropped = [], 0
    for i in ids:
        xml = os.path.join(root, "Annotations", f"{i}.xml")
        if not os.path.isfile(xml):
            continue
        try:
            tree = ET.parse(xml).getroot()
        except ET.ParseError as e:
            raise DatasetError(f"{xml}: {e}") from e
        fn = tree.findtext("filename") or f"{i}.jpg"
        path = os.path.join(root, "JPEGImages", fn if os.path.splitext(fn)[1] else f"{fn}.jpg")
        if not os.path.isfile(path):
            path = os.path.join(root, "JPEGImages", f"{i}.jpg")
            if not os.path.isfile(path):
                continue
        size = tree.find("size")
        w = float(size.findtext("width") or 0) if size is not None else 0.0
        h = float(size.findtext("height") or 0) if size is not None else 0.0
        boxes, cls = [], []
        for obj in tree.iter("object"):
            if (obj.findtext("difficult") or "0").strip() == "1":
                continue
            name = (obj.findtext("name") or "").strip()
            if name not in names:
                if fixed:
                    raise DatasetError(f"{xml}: class '{name}' is not one of {names}", "DATASET_CLASS_UNKNOWN")
                names.append(name)
            bb = obj.find("bndbox")
            if bb is None:
                continue
            boxes.append([float(bb.findtext(k) or 0) for k in ("xmin", "ymin", "xmax", "ymax")])
            cls.append(names.index(name))
        b, c, d = _clean(boxes, cls, w, h)
        dropped += d
        samples.append(Sample(path, b, c))
    return Dataset(samples, names, dropped)


def voc_class_names(root: str) -> list[str]:
    """Sorted names over every annotation of the dataset (not only the split): the evaluator's rule
    (runtime/datasets/load-voc.ts), so class indices agree between training and evaluation."""
    found: set[str] = set()
    folder = os.path.join(root, "Annotations")
    for f in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if f.endswith(".xml"):
            try:
                found.update((o.findtext("name") or "").strip() for o in ET.parse(os.path.join(folder, f)).getroot().iter("object"))
            except ET.ParseError:
                continue
    return sorted(n for n in found if n)


def _list_images(source: str) -> list[str]:
    if os.path.isfile(source) and source.endswith(".txt"):
        base = os.path.dirname(source)
        return [os.path.join(base, p.strip()) if not os.path.isabs(p.strip()) else p.strip()
                for p in open(source) if p.strip()]
    if not os.path.isdir(source):
        raise DatasetError(f"image folder not found: {source}", "DATASET_NOT_FOUND")
    out = []
    for dirpath, _, files in sorted(os.walk(source)):
        out += [os.path.join(dirpath, f) for f in sorted(files) if f.lower().endswith(IMAGE_EXT)]
    return out


def load_yolo(images: str | list[str], names: list[str] | None, classes: list[str] | None = None) -> Dataset:
    """`images`: folders or list files (several splits); labels live where `images` becomes `labels`.
    `classes` names the label files' indices (data.yaml): with a class order `names` as well, labels are
    matched to it by name (a model trained in another order keeps its own); alone, it is the class order."""
    paths = [p for source in ([images] if isinstance(images, str) else images) for p in _list_images(source)]
    remap = None
    if classes is not None:
        if names is None:
            names = list(classes)
        else:
            missing = [c for c in classes if c not in names]
            if missing:
                raise DatasetError(f"YOLO classes {missing} are not among the class names {names}", "DATASET_CLASS_UNKNOWN")
            remap = [names.index(c) for c in classes]
    samples, dropped, max_cls = [], 0, -1
    for path in paths:
        parts = path.split(os.sep)
        label = None
        if "images" in parts:
            k = len(parts) - 1 - parts[::-1].index("images")
            label = os.sep.join(parts[:k] + ["labels"] + parts[k + 1:])
            label = os.path.splitext(label)[0] + ".txt"
        rows: list[list[float]] = []
        if label and os.path.isfile(label):
            for line in open(label):
                v = line.split()
                if len(v) >= 5:
                    rows.append([float(x) for x in v[:5]])
        w, h = _image_size(path)
        boxes = [[(cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h] for _, cx, cy, bw, bh in rows]
        cls = [int(r[0]) for r in rows]
        max_cls = max([max_cls] + cls)
        if remap is not None:
            bad = [c for c in cls if c >= len(remap)]
            if bad:
                raise DatasetError(f"{label}: class {bad[0]}, but data.yaml names only {len(remap)} classes",
                                   "DATASET_CLASS_UNKNOWN")
            cls = [remap[c] for c in cls]
        b, c, d = _clean(boxes, cls, w, h)
        dropped += d
        samples.append(Sample(path, b, c))
    names = names or [str(i) for i in range(max_cls + 1)]
    if remap is None and max_cls >= len(names):
        raise DatasetError(f"YOLO labels use class {max_cls}, but only {len(names)} names are given", "DATASET_CLASS_UNKNOWN")
    return Dataset(samples, names, dropped)


def load_coco(images: str | list[str], annotations: str | list[str], names: list[str] | None) -> Dataset:
    """One annotation file with its image folder, or several (splits): `images[i]` holds the files of
    `annotations[i]`. Categories are matched to the class order by name."""
    if isinstance(images, str) or isinstance(annotations, str):
        images, annotations = [images], [annotations]  # type: ignore[list-item]
    samples, dropped = [], 0
    for folder, file in zip(images, annotations):
        part = _load_coco_file(folder, file, names)
        names = part.names
        samples += part.samples
        dropped += part.dropped_boxes
    return Dataset(samples, names or [], dropped)


def _load_coco_file(images: str, annotations: str, names: list[str] | None) -> Dataset:
    try:
        doc = json.load(open(annotations))
    except (OSError, ValueError) as e:
        raise DatasetError(f"cannot read COCO annotations {annotations}: {e}") from e
    cats = sorted(doc.get("categories", []), key=lambda c: c["id"])
    cat_names = [c["name"] for c in cats]
    names = names or cat_names
    cat_index = {}
    for c in cats:
        if c["name"] not in names:
            raise DatasetError(f"COCO category '{c['name']}' is not one of {names}", "DATASET_CLASS_UNKNOWN")
        cat_index[c["id"]] = names.index(c["name"])
    per_image: dict[int, list[dict]] = {}
    for a in doc.get("annotations", []):
        if not a.get("iscrowd", 0):
            per_image.setdefault(a["image_id"], []).append(a)
    samples, dropped = [], 0
    for im in sorted(doc.get("images", []), key=lambda i: i["id"]):
        path = os.path.join(images, im["file_name"])
        if not os.path.isfile(path):
            continue
        anns = per_image.get(im["id"], [])
        boxes = [[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in anns]
        b, c, d = _clean(boxes, [cat_index[a["category_id"]] for a in anns], im.get("width", 0), im.get("height", 0))
        dropped += d
        samples.append(Sample(path, b, c))
    return Dataset(samples, names, dropped)


def load_images(folder: str) -> Dataset:
    return Dataset([Sample(p, np.zeros((0, 4), np.float32), np.zeros((0,), np.int64)) for p in _list_images(folder)], [])


def held_out_stems(stems: list[str], count: int, seed: int) -> set[str]:
    """The stems a seeded hold-out holds: up to `count`, never more than half of the split, ordered by
    sha256("<seed>:<stem>") then stem. runtime/datasets/hold-out.ts computes the same set."""
    unique = sorted(set(stems))
    n = min(count, len(unique) // 2)
    ranked = sorted(unique, key=lambda s: (hashlib.sha256(f"{seed}:{s}".encode()).hexdigest(), s))
    return set(ranked[:n])


def apply_hold_out(ds: Dataset, hold_out: dict) -> None:
    """Keeps the held images (`part` held) or every other one (`part` rest), in the split's order."""
    stem = lambda p: os.path.splitext(os.path.basename(p))[0]  # noqa: E731
    held = held_out_stems([stem(s.path) for s in ds.samples], int(hold_out["count"]), int(hold_out["seed"]))
    want = hold_out["part"] == "held"
    ds.samples = [s for s in ds.samples if (stem(s.path) in held) == want]
    ds.notes.append(f"hold-out ({hold_out['part']}): {len(ds.samples)} images; "
                    f"{len(held)} held out (seed {hold_out['seed']})")


def load_dataset(spec: dict, names: list[str] | None) -> Dataset:
    fmt = spec["format"]
    if fmt == "voc":
        ds = load_voc(spec["root"], spec.get("splits") or ["train"], names)
    elif fmt == "yolo":
        ds = load_yolo(spec["images"], names, spec.get("classes"))
    elif fmt == "coco":
        ds = load_coco(spec["images"], spec["annotations"], names)
    else:
        ds = load_images(spec["images"])
    if spec.get("hold_out"):
        apply_hold_out(ds, spec["hold_out"])
    limit = spec.get("limit")
    if limit:
        ds.samples = ds.samples[: int(limit)]
    if not ds.samples:
        raise DatasetError(f"the {fmt} dataset has no usable images ({json.dumps(spec)})", "DATASET_EMPTY")
    return ds
