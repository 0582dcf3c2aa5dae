import { vocXml } from './tiny-voc';

// Annotations that attack XML parsers. Both would be well-formed VOC apart from their DTD.

const body = (name: string) => vocXml([{ name, box: [10, 10, 50, 50] }]);

/** An external entity (XXE) that would read a local file into the class name. */
export function xxeXml(): string {
  return (
    '<?xml version="1.0"?>\n<!DOCTYPE annotation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
    body('&xxe;')
  );
}

/** "Billion laughs": nine levels of entities that expand tenfold each (10⁹ × "lol"). */
export function billionLaughsXml(): string {
  const entities = Array.from({ length: 9 }, (_, i) => {
    const ref = i === 0 ? '&lol;' : `&lol${i};`;
    return ` <!ENTITY lol${i + 1} "${ref.repeat(10)}">`;
  });
  return `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n${entities.join('\n')}\n]>\n${body('&lol9;')}`;
}
