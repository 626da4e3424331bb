import { z } from 'zod';

/**
 * reader   read everything, change nothing (a region's dispatch centre granted a town)
 * viewer   technicians: read everything, acknowledge and comment on alerts
 * operator operations staff: also rules, commands and gateway configuration
 * admin    also tokens, devices, gateways and the audit log
 */
export const roles = ['reader', 'viewer', 'operator', 'admin'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

/** Whether `held` includes everything `required` may do (roles are ordered). */
export function allows(held: Role, required: Role): boolean {
  return roles.indexOf(held) >= roles.indexOf(required);
}
