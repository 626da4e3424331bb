import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'X-City-Signature';
export const deliveryHeader = 'X-City-Delivery';
export const eventHeader = 'X-City-Event';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the value of the X-City-Signature header. */
export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers: checks a signature header against the raw body in constant time. */
export function verifySignature(
  secret: string,
  body: string | Uint8Array,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
