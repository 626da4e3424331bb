import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * Answers of the public open-data API are cacheable: a strong ETag from the content (SHA-256), a
 * Cache-Control max-age the caller chooses (tied to the data's granularity), and 304 Not Modified
 * when If-None-Match names the ETag (RFC 9110 13.1.2: weak comparison, `*` matches anything).
 */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

export function sendCached(req: Request, res: Response, body: string, type: string, maxAgeS: number): void {
  const etag = etagOf(body);
  res.set({ ETag: etag, 'Cache-Control': `public, max-age=${maxAgeS}`, 'Access-Control-Allow-Origin': '*' });
  if (matchesIfNoneMatch(req.get('If-None-Match'), etag)) {
    res.status(304).end();
    return;
  }
  res.type(type).send(body);
}
