import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { DatasetError } from '../core/datasets';

/** An image decoded to interleaved 8-bit RGB at its original size. */
export interface DecodedImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes an image file with sharp to RGB, applying EXIF orientation as OpenCV's imread does (the
 * reference pipeline reads with OpenCV). `file` is the dataset-relative name used in errors.
 */
export async function decodeImageFile(absPath: string, file: string = absPath): Promise<DecodedImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(absPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(
      code === 'ENOENT' ? 'DATASET_IMAGE_MISSING' : 'DATASET_IMAGE_CORRUPT',
      file,
      code === 'ENOENT' ? 'image file not found' : `cannot read image: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return decodeImageBytes(bytes, file);
}

export async function decodeImageBytes(bytes: Uint8Array, file: string): Promise<DecodedImage> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'warning' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (err) {
    throw new DatasetError('DATASET_IMAGE_CORRUPT', file, `cannot decode image: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Width and height from the header only (YOLO labels are normalised and need the image size). */
export async function readImageSize(
  absPath: string,
  file: string = absPath,
): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(absPath).metadata();
    if (!meta.width || !meta.height) throw new Error('no size in header');
    // EXIF orientations 5-8 swap the axes once the image is turned upright.
    const swap = (meta.orientation ?? 1) >= 5;
    return swap ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch (err) {
    const missing =
      (err as Error).message.includes('missing') || (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DatasetError(
      missing ? 'DATASET_IMAGE_MISSING' : 'DATASET_IMAGE_CORRUPT',
      file,
      `cannot read image header: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
