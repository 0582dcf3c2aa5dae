/**
 * Every string a recorded history holds, payloads decoded: in the Temporal CLI's JSON form payload bytes are
 * base64 strings (`data`, `encoding`), in a fetched history they are byte arrays. A scan for a secret must
 * read them decoded, or a secret inside any input, result, failure or heartbeat would pass unseen.
 */
export function historyStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    out.push(value);
    // Base64 fields of the JSON form (payload data and metadata): decode as well as keep.
    if (value.length >= 4 && /^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
      out.push(Buffer.from(value, 'base64').toString('utf8'));
    }
  } else if (value instanceof Uint8Array) {
    out.push(Buffer.from(value).toString('utf8'));
  } else if (Array.isArray(value)) {
    for (const v of value) historyStrings(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) historyStrings(v, out);
  }
  return out;
}

/** The secrets (non-empty, at least 6 characters) found anywhere in the history, by name. */
export function secretsIn(history: unknown, secrets: Record<string, string | undefined>): string[] {
  const text = historyStrings(history).join('\n');
  return Object.entries(secrets)
    .filter(([, v]) => v !== undefined && v.length >= 6 && text.includes(v))
    .map(([name]) => name);
}
