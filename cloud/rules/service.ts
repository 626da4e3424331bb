import type { RuleEngine } from './engine.ts';
import type { Rule, RuleInput } from './schema.ts';
import { parseRule, type RuleStore } from './store.ts';

/**
 * The rule set: the default pack merged with what the API stored. Every change is validated, saved
 * and handed to the engine at once: no restart.
 */
export class RuleService {
  private readonly store: RuleStore;
  private readonly engine: RuleEngine;
  private readonly now: () => Date;
  private readonly onChange: () => void;
  private pack: RuleInput[] = [];
  private definitions = new Map<string, RuleInput>();
  private rules = new Map<string, Rule>();

  /** `onChange`: after a change through this service (cluster mode tells the other nodes). */
  constructor(store: RuleStore, engine: RuleEngine, now: () => Date, onChange: () => void = () => undefined) {
    this.store = store;
    this.engine = engine;
    this.now = now;
    this.onChange = onChange;
  }

  async load(pack: RuleInput[]): Promise<void> {
    this.pack = pack;
    this.definitions = new Map(pack.map((r) => [r.id, r]));
    for (const [id, definition] of await this.store.stored()) {
      if (definition) this.definitions.set(id, definition);
      else this.definitions.delete(id);
    }
    this.apply();
  }

  /** Reads the stored definitions again (another node changed them); a rule gone leaves no alert open. */
  async reload(): Promise<void> {
    const before = [...this.definitions.keys()];
    await this.load(this.pack);
    for (const id of before) if (!this.definitions.has(id)) this.engine.clearAll(id, 'rule deleted');
  }

  private apply(): void {
    this.rules = new Map([...this.definitions].map(([id, d]) => [id, parseRule(d, 'rule')]));
    this.engine.setRules([...this.rules.values()]);
  }

  list(): Rule[] {
    return [...this.rules.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): Rule | undefined {
    return this.rules.get(id);
  }

  /** Creates or replaces a rule; returns it as the engine sees it (defaults filled in). */
  async put(input: unknown): Promise<Rule> {
    const parsed = parseRule(input, 'body');
    await this.store.save(input as RuleInput, this.now());
    this.definitions.set(parsed.id, input as RuleInput);
    this.apply();
    this.onChange();
    return parsed;
  }

  async delete(id: string): Promise<boolean> {
    if (!this.definitions.has(id)) return false;
    await this.store.delete(id, this.now());
    this.definitions.delete(id);
    this.engine.clearAll(id, 'rule deleted');
    this.apply();
    this.onChange();
    return true;
  }

  /** Every rule in its input form, ready to import elsewhere. */
  export(): RuleInput[] {
    return [...this.definitions.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Imports a list of rules: all are validated first, and none is saved if one is invalid. */
  async import(inputs: unknown[]): Promise<number> {
    inputs.forEach((input, index) => {
      parseRule(input, `body[${index}]`);
    });
    for (const input of inputs) await this.store.save(input as RuleInput, this.now());
    for (const input of inputs) this.definitions.set((input as RuleInput).id, input as RuleInput);
    this.apply();
    this.onChange();
    return inputs.length;
  }
}
