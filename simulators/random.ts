import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded, deterministic source of randomness. Every draw advances the stream. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Normally distributed (Box-Muller). */
  normal(mean: number, sd: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T;
  /**
   * An independent stream derived from this stream's seed and the label only, not from how many
   * values were drawn: `root.fork(device.id)` gives a device the same behaviour whatever the fleet order.
   */
  fork(label: string): Random;
}

/** `items` put in a random order, in place (Fisher–Yates), and returned. */
export function shuffled<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** FNV-1a over UTF-16 code units, finished with the murmur3 mixer: a well spread 32-bit hash. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return mix32(hash);
}

function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Four well mixed state words (splitmix32), so that neighbouring seeds give unrelated streams. */
function initialState(seed32: number): number[] {
  const state: number[] = [];
  let counter = seed32;
  for (let i = 0; i < 4; i++) {
    counter = (counter + 0x9e3779b9) | 0;
    state.push(mix32(counter) | 0);
  }
  return state;
}

function fromSeed32(seed32: number): Random {
  const generator = xoroshiro128plusFromState(initialState(seed32));
  const next = () => uniformFloat64(generator);
  const random: Random = {
    next,
    between: (min, max) => min + (max - min) * next(),
    normal: (mean, sd) => mean + sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    chance: (p) => next() < p,
    int: (min, max) => uniformInt(generator, min, max),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty array');
      return items[uniformInt(generator, 0, items.length - 1)] as (typeof items)[number];
    },
    fork: (label) => fromSeed32(mix32(seed32 ^ hashString(label))),
  };
  return random;
}

/** A deterministic random stream: the same seed always gives the same sequence. Any finite number is a seed. */
export function createRandom(seed: number): Random {
  return fromSeed32(hashString(String(seed)));
}
