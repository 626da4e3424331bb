import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { jsonFilesIn } from '../../shared/json-files.ts';
import { deviceKind } from '../../shared/kinds/index.ts';
import { ValidationError } from '../errors/domain-error.ts';
import { type Rule, type RuleInput, rule } from './schema.ts';

export function parseRule(input: unknown, where: string): Rule {
  const parsed = rule.safeParse(input);
  if (!parsed.success) throw new ValidationError(where, parsed.error, 'Invalid rule');
  return parsed.data;
}

/** The rules of one pack file (a JSON array), each checked; `name` says where in errors. */
function parsePack(text: string, name: string): RuleInput[] {
  const list = z.array(z.unknown()).parse(JSON.parse(text));
  return list.map((item, index) => {
    parseRule(item, `${name}[${index}]`);
    return item as RuleInput;
  });
}

/**
 * The default rules of every kind, by convention in `<dir>/<kind>/rules.json` (an array of rules);
 * a kind without that file has none. A bad rule stops start-up with its file and field.
 */
export async function readKindRulePacks(dir: string): Promise<RuleInput[]> {
  const rules: RuleInput[] = [];
  for (const kind of deviceKind.options) {
    const file = join(dir, kind, 'rules.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    rules.push(...parsePack(text, join(kind, 'rules.json')));
  }
  return rules;
}

/** Reads every `*.json` (an array of rules) in `dir`; a bad rule stops start-up with its file and field. */
export async function readRulePack(dir: string): Promise<RuleInput[]> {
  const names = await jsonFilesIn(dir);
  const rules: RuleInput[] = [];
  for (const name of names) rules.push(...parsePack(await readFile(join(dir, name), 'utf8'), name));
  return rules;
}

/**
 * Rules as code and through the API: the kinds' rules in provisioning/kinds/<kind>/rules.json and
 * the files in provisioning/rules/ are the default pack; rules created or changed over the API are
 * kept in a store, in their input form (so an export gives back what was written), and win over a
 * file rule with the same id. A deletion is kept too, so a deleted pack rule stays deleted.
 * test/conformance/rule-store.ts is the suite every store must pass.
 */
export interface RuleStore {
  /** Stored rules: id → input definition, or null when deleted over the API. */
  stored(): Promise<Map<string, RuleInput | null>>;
  /** Creates or replaces the definition with its id (a deleted rule comes back). */
  save(definition: RuleInput, at: Date): Promise<void>;
  delete(id: string, at: Date): Promise<void>;
}
