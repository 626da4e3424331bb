import { describe, expect, it } from 'vitest';
import type { Command } from '../../../console/src/api/types.ts';
import { type Tracked, track } from '../../../console/src/pages/command-log.ts';

/** The device page's command log: a late answer never takes a command's status back. */
const command = (status: Command['status']) =>
  ({ id: 'c1', deviceId: 'lamp-1', status, createdAt: '2026-11-30T00:00:00Z' }) as Command;

describe('the command log', () => {
  it.each<[Command['status'], Command['status'], Command['status']]>([
    ['pending', 'sent', 'sent'],
    ['sent', 'delivered', 'delivered'],
    ['delivered', 'succeeded', 'succeeded'],
    ['succeeded', 'sent', 'succeeded'],
    ['failed', 'pending', 'failed'],
    ['delivered', 'sent', 'delivered'],
    ['sent', 'sent', 'sent'],
  ])('knowing %s, keeps %s as %s', (known, incoming, kept) => {
    const tracked: Tracked = new Map([['c1', command(known)]]);
    expect(track(tracked, command(incoming)).get('c1')?.status).toBe(kept);
  });

  it('adds a command it did not know', () => {
    expect(track(new Map(), command('pending')).get('c1')?.status).toBe('pending');
  });
});
