import sharp from 'sharp';
import { escapeXml } from '../../core/report/svg';
import { seriesColor, type DrawnBox } from '../../core/report';
import type { DecodedImage } from '../images';

export interface PanelOptions {
  classNames: readonly string[];
  /** The longer side of the picture, px (the report shows three per row). */
  maxSide?: number;
  /** JPEG quality: photos compress ~10x better than PNG, which keeps the one-file report small. */
  quality?: number;
}

/**
 * One picture of the report's detection comparison: the image, scaled down, with `boxes` drawn in their
 * class's colour (the report's legend uses the same palette) and, for detections, the score. The boxes are
 * an SVG overlay composited by sharp (librsvg), so no canvas is needed.
 */
export async function drawDetectionPanel(
  image: DecodedImage,
  boxes: readonly DrawnBox[],
  o: PanelOptions,
): Promise<Uint8Array> {
  const maxSide = o.maxSide ?? 360;
  const k = Math.min(1, maxSide / Math.max(image.width, image.height));
  const w = Math.max(1, Math.round(image.width * k));
  const h = Math.max(1, Math.round(image.height * k));
  const r = (v: number) => Math.round(v * k * 10) / 10;
  const marks = boxes.map((b) => {
    const color = seriesColor(b.classId);
    const x = r(b.x1);
    const y = r(b.y1);
    const bw = Math.max(1, r(b.x2) - x);
    const bh = Math.max(1, r(b.y2) - y);
    const name = o.classNames[b.classId] ?? `class ${b.classId}`;
    const label = b.score === undefined ? name : `${name} ${b.score.toFixed(2)}`;
    const ty = y >= 12 ? y - 2 : y + 11;
    return (
      `<rect x="${x}" y="${y}" width="${bw}" height="${bh}" fill="none" stroke="${color}" stroke-width="2"/>` +
      `<rect x="${x}" y="${ty - 10}" width="${label.length * 5.6 + 4}" height="12" fill="${color}" fill-opacity="0.85"/>` +
      `<text x="${x + 2}" y="${ty}" font-family="DejaVu Sans, sans-serif" font-size="9.5" fill="#fff">${escapeXml(label)}</text>`
    );
  });
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${marks.join('')}</svg>`;
  const out = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(w, h)
    .composite([{ input: Buffer.from(overlay), top: 0, left: 0 }])
    // 4:4:4: with the usual 4:2:0 a 2-px coloured box edge loses most of its colour.
    .jpeg({ quality: o.quality ?? 82, chromaSubsampling: '4:4:4' })
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
