import { describe, expect, it } from 'vitest';
import { backoffDelay, isDelivered, isRetryable } from '../../../../cloud/notifications/retry.ts';

describe('retry policy', () => {
  it.each([500, 502, 503, 504, 599, 429])('retries HTTP %i', (status) => {
    expect(isRetryable({ status })).toBe(true);
  });

  it.each([400, 401, 403, 404, 410, 413, 422, 301, 302])('does not retry HTTP %i', (status) => {
    expect(isRetryable({ status })).toBe(false);
  });

  it('retries network errors and timeouts', () => {
    expect(isRetryable({ error: 'fetch failed: connect ECONNREFUSED 127.0.0.1:9' })).toBe(true);
    expect(isRetryable({ error: 'timed out after 100 ms' })).toBe(true);
  });

  it('counts only 2xx as delivered', () => {
    expect([200, 201, 202, 204].every((status) => isDelivered({ status }))).toBe(true);
    expect([199, 300, 302, 400, 500].some((status) => isDelivered({ status }))).toBe(false);
    expect(isDelivered({ error: 'x' })).toBe(false);
  });
});

describe('backoff', () => {
  const options = { baseMs: 100, maxMs: 1_000 };

  it('doubles per attempt, with jitter between half and all of it', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, options, () => 0))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, options, () => 1))).toEqual([100, 200, 400, 800]);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(3, options);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });

  it('is capped', () => {
    expect(backoffDelay(20, options, () => 1)).toBe(1_000);
  });

  it('honours Retry-After in seconds, up to the cap', () => {
    expect(backoffDelay(1, options, () => 0, '0.5')).toBe(500);
    expect(backoffDelay(1, options, () => 0, '120')).toBe(1_000);
    expect(backoffDelay(1, options, () => 0, 'Wed, 21 Oct 2015 07:28:00 GMT')).toBe(50);
  });
});
