/**
 * Items (each one JSON text) packed into as few JSON arrays as hold them within `maxBytes` each (UTF-8),
 * in order. An item larger than `maxBytes` on its own goes alone (NATS then refuses it, and says so).
 */
export function packItems(items: readonly string[], maxBytes: number): string[] {
  const payloads: string[] = [];
  let part: string[] = [];
  let bytes = 2; // the brackets
  for (const item of items) {
    const size = Buffer.byteLength(item);
    // Each item after a part's first takes a comma too.
    if (part.length > 0 && bytes + 1 + size > maxBytes) {
      payloads.push(`[${part.join(',')}]`);
      part = [];
      bytes = 2;
    }
    bytes += (part.length > 0 ? 1 : 0) + size;
    part.push(item);
  }
  if (part.length > 0) payloads.push(`[${part.join(',')}]`);
  return payloads;
}
