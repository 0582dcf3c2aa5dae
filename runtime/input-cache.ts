import type { LetterboxGeometry } from '../core/preprocess';

interface Entry {
  readonly pixels: Float32Array;
  readonly geometry: LetterboxGeometry;
}

/**
 * Letterboxed network inputs kept across evaluations of the same images: a sensitivity scan evaluates
 * many candidate models on one split, and on a GPU decoding and letterboxing would cost more than
 * inference. Keyed by absolute image path and input size; images are assumed not to change while the
 * cache lives. Bounded by `maxBytes`: once full, further images are simply not cached (a scan repeats the
 * same images in the same order, so the first ones stay useful).
 */
export class InputCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(readonly maxBytes: number = 1 << 30) {}

  get(imagePath: string, imgsz: number): Entry | undefined {
    return this.entries.get(`${imgsz}:${imagePath}`);
  }

  /** Stores a copy of `pixels` ([3, imgsz, imgsz]); returns false when the cache is full. */
  put(imagePath: string, imgsz: number, pixels: Float32Array, geometry: LetterboxGeometry): boolean {
    const key = `${imgsz}:${imagePath}`;
    if (this.entries.has(key)) return true;
    if (this.bytes + pixels.byteLength > this.maxBytes) return false;
    this.entries.set(key, { pixels: pixels.slice(), geometry });
    this.bytes += pixels.byteLength;
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  get byteLength(): number {
    return this.bytes;
  }
}
