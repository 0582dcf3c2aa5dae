// The one sentence both report renderers print under the before/after table: the mAP change with the
// interval the evaluation images allow, so that a reader can tell a real loss from the test set's noise.

import { groupThousands } from './format';
import type { MapChange } from './run-report';

/** Points of mAP with a sign: 0.0123 → `+1.23`, −0.004 → `−0.40`. */
const signedPoints = (x: number): string => {
  const text = Math.abs(x * 100).toFixed(2);
  return Number(text) === 0 ? '0.00' : `${x < 0 ? '−' : '+'}${text}`;
};

export function describeMapChange(c: MapChange): string {
  const pct = Math.round(c.level * 100);
  const holdsZero = c.low <= 0 && c.high >= 0;
  return (
    `mAP50-95 change on the ${groupThousands(c.images)} evaluation images: ${signedPoints(c.observed)} points; ` +
    `${pct}% interval ${signedPoints(c.low)} to ${signedPoints(c.high)} over ${groupThousands(c.resamples)} ` +
    `paired resamples of those images (one model's score alone moves by ±${(c.sd_original * 100).toFixed(2)} ` +
    `points across them). ` +
    (holdsZero
      ? 'The interval holds 0: these images cannot tell the two models apart.'
      : `The interval excludes 0: the compressed model is ${c.observed < 0 ? 'less' : 'more'} accurate on images like these.`)
  );
}
