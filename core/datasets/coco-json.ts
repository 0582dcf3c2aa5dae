import { z } from 'zod';
import { checkClassName } from './class-name';
import { DatasetError } from './errors';
import type { RawImageLabels, RawObject } from './types';

const cocoSchema = z.object({
  images: z.array(
    z.object({
      id: z.number().int(),
      file_name: z.string().min(1),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
    }),
  ),
  annotations: z.array(
    z.object({
      image_id: z.number().int(),
      category_id: z.number().int(),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      iscrowd: z.union([z.literal(0), z.literal(1), z.boolean()]).optional(),
      area: z.number().nonnegative().optional(),
    }),
  ),
  categories: z.array(z.object({ id: z.number().int(), name: z.string().min(1) })).min(1),
});

export interface CocoDataset {
  /** Category names in ascending category id order; class index i is the i-th category. */
  classNames: string[];
  /** COCO category id of each class index (needed to write results back in COCO ids). */
  categoryIds: number[];
  images: RawImageLabels[];
}

/** COCO detection JSON (`instances_*.json`). Image ids are kept; bbox is [x, y, w, h]. */
export function parseCocoJson(text: string, file: string): CocoDataset {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DatasetError('DATASET_LABEL_INVALID', file, `not JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const parsed = cocoSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DatasetError(
      'DATASET_LABEL_INVALID',
      file,
      `invalid field ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  const { images, annotations, categories } = parsed.data;
  const sorted = [...categories].sort((a, b) => a.id - b.id);
  for (const c of sorted) checkClassName(c.name, file, `category ${c.id}`);
  const classOf = new Map(sorted.map((c, i) => [c.id, i]));
  const objectsOf = new Map<number, RawObject[]>(images.map((im) => [im.id, []]));
  for (const a of annotations) {
    const list = objectsOf.get(a.image_id);
    if (!list)
      throw new DatasetError('DATASET_LABEL_INVALID', file, `annotation for unknown image_id ${a.image_id}`);
    const classIndex = classOf.get(a.category_id);
    const [x, y, w, h] = a.bbox;
    list.push({
      ...(classIndex === undefined ? { className: `category_id ${a.category_id}` } : { classIndex }),
      x1: x,
      y1: y,
      x2: x + w,
      y2: y + h,
      iscrowd: a.iscrowd === 1 || a.iscrowd === true,
      ...(a.area === undefined ? {} : { area: a.area }),
    });
  }
  return {
    classNames: sorted.map((c) => c.name),
    categoryIds: sorted.map((c) => c.id),
    images: images.map((im) => ({
      id: im.id,
      file: im.file_name,
      labelFile: file,
      width: im.width,
      height: im.height,
      objects: objectsOf.get(im.id) ?? [],
    })),
  };
}
