import type { DatasetImage } from '../datasets';
import type { Detections } from '../postprocess';
import { toCocoBox } from './coco-box';

/**
 * COCO JSON for the ground truth and the detections, for pycocotools and other COCO tools. Category ids
 * are class index + 1 and annotation ids start at 1 (pycocotools treats a matched id of 0 as unmatched).
 */
export function groundTruthToCoco(images: readonly DatasetImage[], classNames: readonly string[]): object {
  let nextId = 1;
  return {
    images: images.map((im) => ({ id: im.id, file_name: im.file, width: im.width, height: im.height })),
    categories: classNames.map((name, k) => ({ id: k + 1, name })),
    annotations: images.flatMap((im) =>
      im.boxes.map((b) => {
        const bbox = toCocoBox(b.x1, b.y1, b.x2, b.y2);
        return {
          id: nextId++,
          image_id: im.id,
          category_id: b.classId + 1,
          bbox,
          area: b.area ?? bbox[2] * bbox[3],
          iscrowd: b.iscrowd ? 1 : 0,
        };
      }),
    ),
  };
}

export function detectionsToCoco(
  images: readonly DatasetImage[],
  detections: readonly Detections[],
): object[] {
  const out: object[] = [];
  images.forEach((im, i) => {
    const d = detections[i]!;
    for (let j = 0; j < d.count; j++) {
      out.push({
        image_id: im.id,
        category_id: d.classIds[j]! + 1,
        bbox: toCocoBox(d.boxes[4 * j]!, d.boxes[4 * j + 1]!, d.boxes[4 * j + 2]!, d.boxes[4 * j + 3]!),
        score: d.scores[j]!,
      });
    }
  });
  return out;
}
