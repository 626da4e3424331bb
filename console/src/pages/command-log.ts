import type { Command } from '../api/types.ts';

/** The commands a device page follows, by id. */
export type Tracked = Map<string, Command>;

/** How far along a command is: pending < sent < delivered < an end (succeeded, failed, ...). */
const progress = (c: Command) => {
  const step = ['pending', 'sent', 'delivered'].indexOf(c.status);
  return step === -1 ? 3 : step;
};

/**
 * `tracked` with `c` in it, unless it already knows that command further along: the answer to the
 * POST can arrive after the live events of the same command (a gateway that answers at once), and
 * must not take its status back.
 */
export function track(tracked: Tracked, c: Command): Tracked {
  const known = tracked.get(c.id);
  return known && progress(known) > progress(c) ? tracked : new Map(tracked).set(c.id, c);
}
