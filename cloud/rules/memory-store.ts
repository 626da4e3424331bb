import type { RuleInput } from './schema.ts';
import type { RuleStore } from './store.ts';

/** Rule definitions in memory (kept as JSON, as a database keeps them), for tests and dry runs. */
export class MemoryRuleStore implements RuleStore {
  /** id → the definition as JSON text, or null once deleted. */
  private readonly rules = new Map<string, string | null>();

  async stored(): Promise<Map<string, RuleInput | null>> {
    return new Map([...this.rules].map(([id, text]) => [id, text === null ? null : JSON.parse(text)]));
  }

  async save(definition: RuleInput, _at: Date): Promise<void> {
    this.rules.set(definition.id, JSON.stringify(definition));
  }

  async delete(id: string, _at: Date): Promise<void> {
    this.rules.set(id, null);
  }
}
