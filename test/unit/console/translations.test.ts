import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kinds } from '../../../shared/kinds/index.ts';
import { commandReason } from '../../../shared/messages.ts';

/** The console's translations: the same keys in every language, and every key the code uses exists. */
const dir = new URL('../../../console/src/', import.meta.url).pathname;
const load = (lang: string) =>
  JSON.parse(readFileSync(join(dir, 'i18n', `${lang}.json`), 'utf8')) as Record<string, string>;
const en = load('en');
const cs = load('cs');

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(folder, e.name))
      : /\.tsx?$/.test(e.name)
        ? [readFileSync(join(folder, e.name), 'utf8')]
        : [],
  );
}

describe('console translations', () => {
  it('have the same keys in Czech and English, none empty', () => {
    expect(Object.keys(cs).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of [...Object.entries(en), ...Object.entries(cs)]) expect(text, key).not.toBe('');
  });

  it('name the same placeholders in both languages', () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en))
      expect(names(cs[key] as string), key).toEqual(names(en[key] as string));
  });

  it('have every key the code names literally', () => {
    const used = new Set(
      sources(dir).flatMap((text) => [...text.matchAll(/\bt\(\s*'([\w.]+)'/g)].map((m) => m[1] as string)),
    );
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((key) => !(key in en))).toEqual([]);
  });

  it("have every kind's metrics, commands and summary figures", () => {
    for (const spec of Object.values(kinds)) {
      const keys = [
        `kind.${spec.kind}`,
        ...Object.keys(spec.metrics.shape).map((m) => `metric.${m}`),
        ...spec.commands.options.map((o) => `command.${(o.shape.action as { value: string }).value}`),
        ...Object.keys(spec.counts).map((c) => `figure.${c}`),
        ...Object.keys(spec.today ?? {}).map((c) => `figure.${c}`),
        ...Object.keys(spec.ratios ?? {}).map((c) => `figure.${c}`),
      ];
      expect(keys.filter((key) => !(key in en))).toEqual([]);
    }
  });

  it("have every command reason code (a command's detail)", () => {
    const keys = commandReason.options.map((r) => `commandReason.${r}`);
    expect(keys.filter((key) => !(key in en))).toEqual([]);
  });

  it("have every kind's event types, event values and enumerated words (defectiveLamp, Faulted)", () => {
    const words = (schema: unknown): string[] => {
      const s = schema as { enum?: unknown[]; anyOf?: unknown[]; oneOf?: unknown[] };
      return [
        ...(s.enum ?? []).filter((w): w is string => typeof w === 'string'),
        ...[...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap(words),
      ];
    };
    const properties = (schema: z.ZodType) =>
      Object.values(
        (z.toJSONSchema(schema, { unrepresentable: 'any' }) as { properties?: Record<string, unknown> })
          .properties ?? {},
      );
    for (const spec of Object.values(kinds)) {
      const keys = [
        ...spec.events.options.map((e) => `event.${e}`),
        ...Object.keys(spec.eventValues.shape).map((v) => `eventValue.${v}`),
        ...[...properties(spec.metrics), ...properties(spec.eventValues)]
          .flatMap(words)
          .map((w) => `value.${w}`),
      ];
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((key) => !(key in en))).toEqual([]);
    }
  });
});
