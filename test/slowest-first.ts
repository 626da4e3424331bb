import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The test files that take longest, in the order they start (measured on the 2-core machines; about
 * a minute or more each). A fresh clone has no timings of earlier runs, so vitest would start files
 * largest first and a long one could start late and run on alone while the other worker is idle.
 * npm start's region comes first with the cluster's fault test beside it, as it was sized for (its
 * region must start within 90 s of its simulated clock), then the browser tests that use the most CPU.
 */
export const slowestFiles = [
  'test/e2e/npm-start.test.ts',
  'test/cluster/cluster-faults.test.ts',
  'test/browser/console.test.ts',
  'test/browser/region.test.ts',
  'test/integration/tenant-export.test.ts',
  'test/faults/restart-storm.test.ts',
  'test/faults/cloud-killed.test.ts',
  'test/browser/flows.test.ts',
  'test/faults/held-keepalive.test.ts',
  'test/browser/console-gaps.test.ts',
];

/** Vitest's own order (failed first, then longest first by the local cache, else largest), the slowest files first. */
export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = slowestFiles.indexOf(relative(file.project.config.root, file.moduleId));
      return index === -1 ? slowestFiles.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
