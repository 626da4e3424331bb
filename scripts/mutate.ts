import { glob } from 'node:fs/promises';
import { Stryker } from '@stryker-mutator/core';
import { type MutationModule, mutationModules } from './mutate-modules.ts';

/**
 * `npm run mutate` runs StrykerJS on each pure module in turn, with only that module's unit tests
 * (scripts/mutate-modules.ts), and prints a table of mutation scores at the end; `npm run mutate --
 * conditions topics` runs only those. Reports go to reports/mutation/<name>.html and .json. Not part
 * of `npm test` (it takes minutes); its figures are in docs/testing.md. Exits 1 if a run fails.
 */
type StrykerOptions = ConstructorParameters<typeof Stryker>[0];
type MutantResult = Awaited<ReturnType<Stryker['runMutationTest']>>[number];

const names = process.argv.slice(2);
const unknown = names.filter((name) => !mutationModules.some((m) => m.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown module ${unknown.join(', ')}; known: ${mutationModules.map((m) => m.name).join(', ')}`,
  );
  process.exit(2);
}
const selected = names.length > 0 ? mutationModules.filter((m) => names.includes(m.name)) : mutationModules;

interface Row {
  name: string;
  files: number;
  mutants: number;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  seconds: number;
  note?: string;
}

/** Files matching include globs minus `!` globs, relative to the repository root. */
async function matching(patterns: string[]): Promise<string[]> {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const files = new Set<string>();
  for (const pattern of include) {
    for await (const file of glob(pattern, { exclude })) files.add(file);
  }
  return [...files].sort();
}

/** Stryker's mutation score: detected (killed or timed out) over detected plus undetected. */
function score(row: Row): number {
  const detected = row.killed + row.timeout;
  return (100 * detected) / (detected + row.survived + row.noCoverage);
}

function describeSurvivor(m: MutantResult): string {
  const at = `${m.fileName}:${m.location.start.line}:${m.location.start.column + 1}`;
  return `  ${m.status.padEnd(10)} ${at}  ${m.mutatorName}: ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80)}`;
}

async function run(module: MutationModule): Promise<Row> {
  const started = Date.now();
  const sources = await matching(module.mutate);
  const tests = await matching(module.tests);
  const empty = { name: module.name, files: sources.length, mutants: 0, killed: 0, survived: 0 };
  const none = { ...empty, noCoverage: 0, timeout: 0, seconds: 0 };
  if (sources.length === 0) return { ...none, note: `no source matches ${module.mutate.join(' ')}` };
  if (tests.length === 0) return { ...none, note: `no unit test matches ${module.tests.join(' ')}` };
  console.log(`\n== ${module.name}: ${sources.length} source file(s), ${tests.length} test file(s)`);

  // Read by vitest.mutate.config.ts in Stryker's test runner processes, which inherit the environment.
  process.env.MUTATE_TESTS = module.tests.join(',');
  const results = await new Stryker({
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'vitest.mutate.config.ts', related: false },
    mutate: module.mutate,
    coverageAnalysis: 'perTest',
    // Stryker's TypeScript step calls ts.parseConfigFileTextToJson, which TypeScript 7 no longer has;
    // a tsconfig that does not exist skips that step (type stripping needs no rewritten tsconfig).
    tsconfigFile: 'tsconfig.stryker-skips-this.json',
    concurrency: 2,
    reporters: ['progress-append-only', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${module.name}.html` },
    jsonReporter: { fileName: `reports/mutation/${module.name}.json` },
    tempDirName: '.stryker-tmp',
    ignorePatterns: ['dist', 'data', 'reports', 'docs', 'bench'],
    logLevel: 'warn' as StrykerOptions['logLevel'],
  }).runMutationTest();

  const count = (status: MutantResult['status']) => results.filter((m) => m.status === status).length;
  const row: Row = {
    ...empty,
    mutants: results.length,
    killed: count('Killed'),
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    timeout: count('Timeout'),
    seconds: Math.round((Date.now() - started) / 1000),
  };
  const undetected = results.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
  console.log(`${module.name}: ${score(row).toFixed(1)} %, ${undetected.length} mutant(s) not detected`);
  for (const m of undetected) console.log(describeSurvivor(m));
  return row;
}

const rows: Row[] = [];
let failed = false;
for (const module of selected) {
  try {
    rows.push(await run(module));
  } catch (error) {
    failed = true;
    console.error(`${module.name}: Stryker failed: ${(error as Error).message}`);
    rows.push({
      name: module.name,
      files: 0,
      mutants: 0,
      killed: 0,
      survived: 0,
      noCoverage: 0,
      timeout: 0,
      seconds: 0,
      note: 'failed, see above',
    });
  }
}

// Mutants that do not run (a runtime or compile error as soon as the module loads) count for nothing.
console.log('\nmodule       files  mutants  invalid  killed  timeout  survived  no cov.  score     time');
for (const r of rows) {
  const figures = r.note
    ? `  (${r.note})`
    : `${String(r.mutants).padStart(9)}${String(r.mutants - r.killed - r.timeout - r.survived - r.noCoverage).padStart(9)}` +
      `${String(r.killed).padStart(8)}${String(r.timeout).padStart(9)}` +
      `${String(r.survived).padStart(10)}${String(r.noCoverage).padStart(9)}` +
      `${score(r).toFixed(1).padStart(7)} %${String(r.seconds).padStart(7)} s`;
  console.log(`${r.name.padEnd(12)}${String(r.files).padStart(6)}${figures}`);
}
if (failed) process.exitCode = 1;
