import { describe, expect, it } from 'vitest';
import { countsPeople, dataset, numericMetrics } from '../../../../cloud/open-data/dataset.ts';
import { MemoryDatasetStore } from '../../../../cloud/open-data/memory-store.ts';
import { ngsiAttributeOf } from '../../../../cloud/open-data/ngsi-entities.ts';
import { DatasetService } from '../../../../cloud/open-data/service.ts';
import { valueColumn } from '../../../../cloud/open-data/tables.ts';
import { datasetOf } from './fixtures.ts';

const issues = (input: unknown) =>
  dataset.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('a dataset definition', () => {
  const people = { ...datasetOf(), minCellSize: undefined };
  const power = {
    ...datasetOf(),
    kind: 'streetlight',
    metric: 'activePower',
    aggregate: 'mean',
    minCellSize: undefined,
  };

  it('fills in the licence (CC BY 4.0), no delay, not published, no English keywords', () => {
    const parsed = dataset.parse({
      ...power,
      licence: undefined,
      delayMinutes: undefined,
      published: undefined,
      keywords: { cs: ['světlo'] },
    });
    expect(parsed).toMatchObject({
      licence: 'CC-BY-4.0',
      delayMinutes: 0,
      published: false,
      keywords: { cs: ['světlo'], en: [] },
    });
  });

  it('knows the metrics that count people from the kinds', () => {
    expect(countsPeople('camera', 'peopleCount')).toBe(true);
    expect(countsPeople('camera', 'vehicleCount')).toBe(false);
    expect(numericMetrics('camera')).toContain('rsrp');
    expect(numericMetrics('camera')).not.toContain('streamStatus');
  });

  it("publishes the gateways' link quality: its four figures, any aggregate, no minimum cell size, no NGSI-LD", () => {
    const link = { ...power, kind: 'gateway_link', metric: 'rsrp', unit: 'zone' };
    expect(numericMetrics('gateway_link')).toEqual(['rsrp', 'sinr', 'rsrq', 'latencyMs']);
    for (const aggregate of ['mean', 'min', 'max', 'count'])
      expect(issues({ ...link, aggregate }), aggregate).toEqual([]);
    expect(issues({ ...link, metric: 'technology' })[0]).toMatch(
      /^metric: not a numeric metric of gateway_link; one of rsrp, sinr, rsrq, latencyMs/,
    );
    expect(issues({ ...link, minCellSize: 10 })).toEqual(['minCellSize: only for metrics that count people']);
    expect(countsPeople('gateway_link', 'rsrp')).toBe(false);
    const parsed = dataset.parse(link);
    expect(ngsiAttributeOf(parsed)).toBeUndefined();
    expect(valueColumn(parsed)).toBe('value_dbm');
    expect(valueColumn({ ...parsed, metric: 'latencyMs' })).toBe('value_ms');
  });

  it('requires a minimum cell size for a count of people, and refuses it elsewhere', () => {
    expect(issues(people)).toEqual(['minCellSize: required: the metric counts people']);
    expect(issues({ ...power, minCellSize: 10 })).toEqual([
      'minCellSize: only for metrics that count people',
    ]);
    expect(issues({ ...people, minCellSize: 9 })[0]).toMatch(/^minCellSize: /);
  });

  it("keeps a camera's data from being published within 24 hours", () => {
    expect(issues({ ...people, minCellSize: 10, delayMinutes: 60 })).toEqual([
      expect.stringMatching(/^delayMinutes: at least 1440 for camera/),
    ]);
    expect(issues({ ...power, delayMinutes: 0 })).toEqual([]);
  });

  it('publishes a count of people as a sum or a maximum only', () => {
    expect(issues({ ...people, minCellSize: 10, aggregate: 'mean' })).toEqual([
      expect.stringMatching(/^aggregate: a count of people is published as a sum or a maximum/),
    ]);
    expect(issues({ ...people, minCellSize: 10, aggregate: 'count' })).toHaveLength(1);
    expect(issues({ ...people, minCellSize: 10, aggregate: 'max' })).toEqual([]);
  });

  it('refuses a metric that is not a number of the kind, a bad slug, and a missing language', () => {
    expect(issues({ ...power, metric: 'powerState' })[0]).toMatch(
      /^metric: not a numeric metric of streetlight/,
    );
    expect(issues({ ...power, id: 'Power Now' })[0]).toMatch(/^id: a slug/);
    expect(issues({ ...power, title: { cs: 'Jen česky' } })[0]).toMatch(/^title.en/);
  });
});

describe('the dataset service', () => {
  it('creates, refuses a second with the same id, changes and deletes', async () => {
    const service = new DatasetService(new MemoryDatasetStore());
    const created = await service.create(datasetOf());
    await expect(service.create(datasetOf())).rejects.toMatchObject({ status: 409 });
    const { before, after } = await service.replace(created.id, {
      ...datasetOf(),
      minCellSize: 20,
      id: 'ignored',
    });
    expect([before.minCellSize, after.minCellSize, after.id]).toEqual([10, 20, created.id]);
    await expect(service.replace('none', datasetOf())).rejects.toMatchObject({ status: 404 });
    await service.delete(created.id);
    expect(await service.list()).toEqual([]);
  });

  it('answers the same 404 for a dataset that is not published as for one that does not exist', async () => {
    const service = new DatasetService(new MemoryDatasetStore());
    await service.create(datasetOf({ published: false }));
    const missing = await service.published('none').catch((e) => e);
    const hidden = await service.published('people-by-zone').catch((e) => e);
    expect([missing.status, hidden.status]).toEqual([404, 404]);
    expect(hidden.message.replace('people-by-zone', 'none')).toBe(missing.message);
  });

  it('publishes a count of people at one spatial unit only', async () => {
    const service = new DatasetService(new MemoryDatasetStore());
    await service.create(datasetOf({ unit: 'district' }));
    await service.create(datasetOf({ id: 'people-daily', granularity: 'day', unit: 'district' }));
    await expect(service.create(datasetOf({ id: 'people-zones', unit: 'zone' }))).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/one spatial unit only/),
    });
    // Other metrics may use both.
    const power = {
      kind: 'streetlight',
      metric: 'activePower',
      aggregate: 'mean',
      minCellSize: undefined,
    } as const;
    await service.create(datasetOf({ ...power, id: 'power-districts', unit: 'district' }));
    await service.create(datasetOf({ ...power, id: 'power-zones', unit: 'zone' }));
  });

  it('checks the catalogue settings', async () => {
    const service = new DatasetService(new MemoryDatasetStore());
    await expect(service.saveCatalogue({ publisher: { name: 'KV', ico: '123' } })).rejects.toMatchObject({
      status: 400,
    });
    expect(await service.saveCatalogue({ ruianMunicipality: '554961' })).toEqual({
      ruianMunicipality: '554961',
    });
  });
});
