import { readFileSync } from 'node:fs';

/** The fenced blocks of one language in docs/drivers.md's LoRaWAN section, in order. */
export function loraDocBlocks(language: 'json' | 'js'): string[] {
  const docs = readFileSync(new URL('../../docs/drivers.md', import.meta.url), 'utf8');
  const section = /^## LoRaWAN \(ChirpStack\)\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(docs)?.[1] ?? '';
  const fence = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...section.matchAll(fence)].map((m) => m[1] as string);
}
