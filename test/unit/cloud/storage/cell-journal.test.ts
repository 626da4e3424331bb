import { describe, expect, it } from 'vitest';
import { takesMessages } from '../../../../cloud/storage/cell-journal.ts';

describe("a tenant's messages are applied now (the broker's tenants.takesMessages)", () => {
  it('while its journal takes them', () => {
    expect(takesMessages({ refusing: [], refusesAtOnce: false })).toBe(true);
    expect(takesMessages({ refusing: [], refusesAtOnce: true })).toBe(true);
  });

  it("not while the node's own journal is full or failing: they wait until it can write", () => {
    expect(takesMessages({ refusing: ['journal full: 10 lines wait'], refusesAtOnce: false })).toBe(false);
  });

  it('while a cluster journal refuses (NATS away): its refusal closes the connection, the gateway goes elsewhere', () => {
    expect(takesMessages({ refusing: ['NATS is not connected'], refusesAtOnce: true })).toBe(true);
  });

  it('not for a tenant that is not running', () => {
    expect(takesMessages(undefined)).toBe(false);
  });
});
