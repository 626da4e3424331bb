/**
 * The pure modules that `npm run mutate` runs StrykerJS on, each with only its own unit tests.
 * Globs rather than file names, so that a module moved into a folder of its own
 * (`shared/kinds/<kind>/`, `edge/outbox/`) is still found; a `!` glob leaves files out.
 */
export interface MutationModule {
  /** The name given to `npm run mutate -- <name>`. */
  name: string;
  /** Source files whose mutants are counted. */
  mutate: string[];
  /** Unit tests that must kill them; nothing else runs. */
  tests: string[];
}

export const mutationModules: MutationModule[] = [
  {
    name: 'kinds',
    mutate: ['shared/kinds/**/*.ts'],
    // The kinds' KPIs, daily totals and collection rounds are exercised through the fleet summary.
    tests: ['test/unit/shared/kinds/**/*.test.ts', 'test/unit/cloud/dashboards/fleet-summary.test.ts'],
  },
  {
    name: 'decode',
    mutate: ['cloud/**/decode.ts'],
    tests: ['test/unit/cloud/**/decode*.test.ts'],
  },
  {
    name: 'topics',
    mutate: ['shared/**/topics.ts'],
    tests: ['test/unit/shared/**/topics*.test.ts'],
  },
  {
    name: 'conditions',
    mutate: ['cloud/rules/**/conditions.ts'],
    tests: ['test/unit/cloud/rules/**/conditions*.test.ts'],
  },
  {
    name: 'engine',
    mutate: ['cloud/rules/**/engine.ts', 'cloud/rules/**/group-tally.ts', 'cloud/rules/**/last-parsed.ts'],
    tests: ['test/unit/cloud/rules/**/engine*.test.ts'],
  },
  {
    name: 'schedules',
    mutate: ['cloud/rules/**/schedule.ts', 'cloud/rules/**/cron-window.ts', 'cloud/rules/**/sun-window.ts'],
    tests: [
      'test/unit/cloud/rules/**/schedule*.test.ts',
      'test/unit/cloud/rules/**/cron-window*.test.ts',
      'test/unit/cloud/rules/**/sun-window*.test.ts',
    ],
  },
  {
    name: 'outbox',
    mutate: ['edge/**/*outbox*.ts', 'edge/outbox/**/*.ts', '!edge/**/*{fake,memory}*.ts'],
    // The outbox's tests are its conformance suite, run by each implementation's test file.
    tests: [
      'test/unit/edge/**/*outbox*.test.ts',
      'test/unit/edge/outbox/**/*.test.ts',
      'test/conformance/**/*outbox*.test.ts',
    ],
  },
  {
    name: 'drivers',
    // The pure logic of the edge drivers: health states, Modbus values and command writes, camera
    // counts. Their schemas (register-map.ts, axis-event.ts) are declarations, tested by refusals.
    mutate: [
      'edge/drivers/health.ts',
      'edge/drivers/modbus-tcp/{values,mapping}.ts',
      'edge/drivers/camera-analytics/tally.ts',
    ],
    tests: ['test/unit/edge/drivers/**/*.test.ts'],
  },
  {
    name: 'access',
    mutate: ['cloud/broker/**/access.ts', 'cloud/access/**/roles.ts'],
    tests: ['test/unit/cloud/broker/**/access*.test.ts', 'test/unit/cloud/access/**/*.test.ts'],
  },
  {
    name: 'tenant-names',
    mutate: ['cloud/tenants/**/database-name.ts'],
    tests: ['test/unit/cloud/tenants/**/database-name*.test.ts'],
  },
  {
    name: 'apportion',
    mutate: ['simulators/**/apportion.ts', 'simulators/**/town.ts'],
    // The committed tenant folders pin the generated fleets: a changed draw changes them.
    tests: [
      'test/unit/simulators/**/apportion*.test.ts',
      'test/unit/simulators/**/town*.test.ts',
      'test/unit/provisioning/**/*.test.ts',
    ],
  },
  {
    name: 'map',
    // The map's pure parts: boxes, the features' kept texts, each kind's tree, the state counts by
    // block, the district outlines, the clusters' ranges and the points in a box.
    mutate: [
      'cloud/live/bbox.ts',
      'cloud/live/districts.ts',
      'cloud/live/outline.ts',
      'cloud/live/kept.ts',
      'cloud/live/lone-texts.ts',
      'cloud/live/device-features.ts',
      'cloud/live/kind-trees.ts',
      'cloud/live/state-tally.ts',
      'cloud/live/cluster-ranges.ts',
    ],
    tests: [
      'test/unit/cloud/live/bbox.test.ts',
      'test/unit/cloud/live/cluster-ranges.test.ts',
      'test/unit/cloud/live/districts.test.ts',
      'test/unit/cloud/live/kept.test.ts',
      'test/unit/cloud/live/lone-texts.test.ts',
      'test/unit/cloud/live/device-features.test.ts',
      'test/unit/cloud/live/kind-trees.test.ts',
      'test/unit/cloud/live/state-tally.test.ts',
    ],
  },
  {
    name: 'byte-answers',
    // Answers made of byte parts, written in chunks below the mmap threshold.
    mutate: ['cloud/api/byte-answers.ts'],
    tests: ['test/unit/cloud/api/byte-answers.test.ts'],
  },
  {
    name: 'turns',
    // Long work on the main thread cut into turns of the event loop: timed runs, sorts in chunks.
    mutate: ['cloud/lifecycle/timed-runs.ts', 'cloud/lifecycle/sorted-in-turns.ts'],
    tests: [
      'test/unit/cloud/lifecycle/timed-runs.test.ts',
      'test/unit/cloud/lifecycle/sorted-in-turns.test.ts',
    ],
  },
  {
    name: 'seen',
    // What the registry's flush hands its seen thread, and how the seen state overlays the devices.
    mutate: ['cloud/registry/seen-rows.ts'],
    tests: ['test/unit/cloud/registry/seen-rows.test.ts'],
  },
  {
    name: 'grafana-desired',
    mutate: ['scripts/grafana/**/desired.ts'],
    tests: ['test/unit/scripts/grafana/**/desired*.test.ts'],
  },
];
