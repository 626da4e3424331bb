import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../cloud/errors/domain-error.ts';
import { readKindRulePacks } from '../../../../cloud/rules/store.ts';
import { deviceKind } from '../../../../shared/kinds/index.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const repoKinds = join(import.meta.dirname, '../../../../provisioning/kinds');
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => dir?.remove());

const silent = (kind: string) => ({
  id: `${kind}-quiet`,
  name: 'quiet',
  severity: 'minor',
  target: { kind },
  condition: { type: 'absence', after: '30m' },
});

describe('readKindRulePacks', () => {
  it("finds each kind's default rules in <dir>/<kind>/rules.json, every one of them valid", async () => {
    const rules = await readKindRulePacks(repoKinds);
    const kinds = new Set(rules.map((r) => r.target.kind));
    expect([...kinds].sort()).toEqual([...deviceKind.options].sort());
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });

  it('reads only the folders of known kinds and skips a kind without rules', async () => {
    dir = await tempDir('kind-rules');
    await mkdir(join(dir.path, 'streetlight'));
    await writeFile(join(dir.path, 'streetlight', 'rules.json'), JSON.stringify([silent('streetlight')]));
    await mkdir(join(dir.path, 'drone'));
    await writeFile(join(dir.path, 'drone', 'rules.json'), JSON.stringify([silent('drone')]));
    expect((await readKindRulePacks(dir.path)).map((r) => r.id)).toEqual(['streetlight-quiet']);
    expect(await readKindRulePacks(join(dir.path, 'nowhere'))).toEqual([]);
  });

  it('stops on a bad rule, naming the kind file and the field', async () => {
    dir = await tempDir('kind-rules');
    await mkdir(join(dir.path, 'camera'));
    await writeFile(
      join(dir.path, 'camera', 'rules.json'),
      JSON.stringify([silent('camera'), { ...silent('camera'), id: 'bad', severity: 'apocalyptic' }]),
    );
    const error = await readKindRulePacks(dir.path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const { errors } = (error as ValidationError).extra as { errors: { path: string }[] };
    expect(errors[0]?.path).toBe('camera/rules.json[1].severity');
  });
});
