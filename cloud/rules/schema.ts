import type { z } from 'zod';
import { ruleFields } from '../../shared/rules/schema.ts';
import { scheduleIssue } from './schedule.ts';

/**
 * A rule as the cloud accepts it: the shared schema (shared/rules/schema.ts, which the console's
 * form validates with too) and a cron schedule whose expressions node-cron runs.
 */
export const rule = ruleFields
  .superRefine((r, ctx) => {
    const issue = scheduleIssue(r.schedule);
    if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  })
  .meta({ id: 'Rule' });
export type Rule = z.infer<typeof rule>;
export type RuleInput = z.input<typeof rule>;
