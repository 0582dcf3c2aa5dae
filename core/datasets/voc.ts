import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { checkClassName } from './class-name';
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

// A DTD can declare entities: external ones (XXE) and nested expansions (billion laughs). Annotations
// never need one, so any DTD or entity declaration makes the file invalid before a parser sees it.
const DTD = /<!\s*(DOCTYPE|ENTITY)/i;

/** Parses one annotation. Every failure is a DatasetError DATASET_LABEL_INVALID naming the file. */
export function parseVocXml(text: string, options: VocParseOptions): RawImageLabels {
  const invalid = (message: string, cause?: unknown) =>
    new DatasetError('DATASET_LABEL_INVALID', options.labelFile, message, { cause });
  if (DTD.test(text)) throw invalid('DTD or entity declarations are not allowed in an annotation');
  let tree: unknown;
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw invalid(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
    tree = parser.parse(text);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw invalid(`cannot parse the XML: ${message.replace(/\s+/g, ' ')}`, err);
  }
  const parsed = annotationSchema.safeParse(tree);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '?';
    throw invalid(`missing or invalid field ${where}: ${issue?.message}`);
  }
  const a = parsed.data.annotation;
  const objects = a.object ?? [];
  objects.forEach((o, i) => checkClassName(o.name, options.labelFile, `object ${i + 1}`));
  return {
    file: options.imageFile,
    labelFile: options.labelFile,
    width: a.size.width,
    height: a.size.height,
    objects: objects.map((o) => ({
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
