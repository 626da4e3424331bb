import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../../cloud/live/events.ts';

describe('event bus', () => {
  it('calls every listener in order, goes on past one that throws, and removes a listener', () => {
    const errors: string[] = [];
    const bus = new EventBus<{ tick: number; tock: string }>((error, name) =>
      errors.push(`${String(name)}: ${(error as Error).message}`),
    );
    const heard: string[] = [];
    const off = bus.on('tick', (n) => heard.push(`first ${n}`));
    bus.on('tick', () => {
      throw new Error('broken');
    });
    bus.on('tick', (n) => heard.push(`third ${n}`));
    bus.on('tock', (s) => heard.push(s));
    bus.emit('tick', 1);
    off();
    bus.emit('tick', 2);
    bus.emit('tock', 'x');
    expect(heard).toEqual(['first 1', 'third 1', 'third 2', 'x']);
    expect(errors).toEqual(['tick: broken', 'tick: broken']);
  });
});
