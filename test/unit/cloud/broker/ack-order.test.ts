import type { Client } from 'aedes';
import { describe, expect, it } from 'vitest';
import { AckOrder } from '../../../../cloud/broker/ack-order.ts';

describe('AckOrder', () => {
  it('answers in the order the places were taken, whatever order the answers come in', async () => {
    const acks = new AckOrder();
    const client = {} as Client;
    const answered: string[] = [];
    const first = acks.take(client);
    const second = acks.take(client);
    const third = acks.take(client);
    third(() => answered.push('third'));
    second(() => answered.push('second'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toEqual([]);
    first(() => answered.push('first'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toEqual(['first', 'second', 'third']);
  });

  it('answers at once when nothing is in line before, and keeps clients apart', () => {
    const acks = new AckOrder();
    const answered: string[] = [];
    acks.take({} as Client);
    acks.take({} as Client)(() => answered.push('other client'));
    const alone = {} as Client;
    acks.take(alone)(() => answered.push('first'));
    acks.take(alone)(() => answered.push('after an answered one'));
    expect(answered).toEqual(['other client', 'first', 'after an answered one']);
  });
});
