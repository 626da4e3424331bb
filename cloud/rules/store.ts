import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type Rule, type RuleInput, rule } from './schema.ts';

export class RuleValidationError extends Error {
  readonly issues: { path: string; message: string }[];
  constructor(where: string, error: z.ZodError) {
    const issues = error.issues.map((i) => ({
      path: [where, ...i.path.map(String)].join('.'),
      message: i.message,
    }));
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.issues = issues;
  }
}

export function parseRule(input: unknown, where: string): Rule {
  const parsed = rule.safeParse(input);
  if (!parsed.success) throw new RuleValidationError(where, parsed.error);
  return parsed.data;
}

/** Reads every `*.json` (an array of rules) in `dir`; a bad rule stops start-up with its file and field. */
export async function readRulePack(dir: string): Promise<RuleInput[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const rules: RuleInput[] = [];
  for (const name of names) {
    const list = z.array(z.unknown()).parse(JSON.parse(await readFile(join(dir, name), 'utf8')));
    list.forEach((item, index) => {
      parseRule(item, `${name}[${index}]`);
      rules.push(item as RuleInput);
    });
  }
  return rules;
}

/**
 * Rules as code and through the API: the files in provisioning/rules/ are the default pack; rules
 * created or changed over the API are kept in a store, in their input form (so an export gives back
 * what was written), and win over a file rule with the same id. A deletion is kept too, so a deleted
 * pack rule stays deleted. test/conformance/rule-store.ts is the suite every store must pass.
 */
export interface RuleStore {
  /** Stored rules: id → input definition, or null when deleted over the API. */
  stored(): Promise<Map<string, RuleInput | null>>;
  /** Creates or replaces the definition with its id (a deleted rule comes back). */
  save(definition: RuleInput, at: Date): Promise<void>;
  delete(id: string, at: Date): Promise<void>;
}
