import { z } from 'zod';
import { owner } from './owner.ts';
import { role } from './roles.ts';

/**
 * Who makes a request: a signed-in user (id and name are the username) or an API token (id is the
 * token's id, name the name it was given), and whose it is (a tenant's, or the region's). Audit
 * entries record `name` as the actor.
 */
export const principal = z.object({
  kind: z.enum(['user', 'token']),
  id: z.string(),
  name: z.string(),
  role,
  ...owner.shape,
});
export type Principal = z.infer<typeof principal>;
