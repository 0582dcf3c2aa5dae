import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { DatasetError } from './errors';
import type { RawImageLabels } from './types';

/**
 * Pascal VOC annotation XML. Coordinates are taken as written (xmin..xmax in pixels), as torchvision and
 * the common YOLO converters do; BCCD's boxes reach x=640 on 640-wide images, so they are corner
 * coordinates, not 0-based pixel indices.
 */
const parser = new XMLParser({
  // Every field stays a string so that zod decides what is a number; `object` is always a list.
  parseTagValue: false,
  ignoreAttributes: true,
  isArray: (name) => name === 'object',
});

const coord = z.coerce.number().refine(Number.isFinite, 'not a number');
const objectSchema = z.object({
  name: z.string().trim().min(1),
  difficult: z.coerce.number().int().optional(),
  bndbox: z.object({ xmin: coord, ymin: coord, xmax: coord, ymax: coord }),
});
const annotationSchema = z.object({
  annotation: z.object({
    filename: z.string().trim().min(1).optional(),
    size: z.object({ width: z.coerce.number().int().positive(), height: z.coerce.number().int().positive() }),
    object: z.array(objectSchema).optional(),
  }),
});

export interface VocParseOptions {
  /** Path of the XML file relative to the dataset root; named in errors. */
  labelFile: string;
  /** Image path relative to the dataset root (VOC: JPEGImages/<stem>.jpg). */
  imageFile: string;
}

export function parseVocXml(text: string, options: VocParseOptions): RawImageLabels {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new DatasetError(
      'DATASET_LABEL_INVALID',
      options.labelFile,
      `malformed XML at line ${valid.err.line}: ${valid.err.msg}`,
    );
  }
  const parsed = annotationSchema.safeParse(parser.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '?';
    throw new DatasetError(
      'DATASET_LABEL_INVALID',
      options.labelFile,
      `missing or invalid field ${where}: ${issue?.message}`,
    );
  }
  const a = parsed.data.annotation;
  return {
    file: options.imageFile,
    labelFile: options.labelFile,
    width: a.size.width,
    height: a.size.height,
    objects: (a.object ?? []).map((o) => ({
      className: o.name,
      x1: o.bndbox.xmin,
      y1: o.bndbox.ymin,
      x2: o.bndbox.xmax,
      y2: o.bndbox.ymax,
    })),
  };
}

/** A VOC `ImageSets/Main/<split>.txt` list: one image stem per line (extra columns are ignored). */
export function parseSplitList(text: string): string[] {
  const stems: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const stem = line.trim().split(/\s+/)[0];
    if (stem) stems.push(stem);
  }
  return stems;
}
