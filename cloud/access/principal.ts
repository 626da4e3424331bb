import { z } from 'zod';
import { role } from './roles.ts';

/**
 * Who makes a request: a signed-in user (id and name are the username) or an API token (id is the
 * token's id, name the name it was given). Audit entries record `name` as the actor.
 */
export const principal = z.object({
  kind: z.enum(['user', 'token']),
  id: z.string(),
  name: z.string(),
  role,
});
export type Principal = z.infer<typeof principal>;
