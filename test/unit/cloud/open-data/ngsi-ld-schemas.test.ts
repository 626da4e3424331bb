import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../../cloud/open-data/dataset.ts';
import { contextOf, keyValues } from '../../../../cloud/open-data/ngsi-entities.ts';
import { oneEntity, queryEntities, temporalEntities } from '../../../../cloud/open-data/ngsi-ld.ts';
import { parseEntityQuery, parseTemporalQuery } from '../../../../cloud/open-data/ngsi-query.ts';
import { placeLocator } from '../../../../cloud/open-data/places.ts';
import { FakeAggregateReader } from '../../../helpers/fake-aggregates.ts';
import {
  smartDataModelTypes as types,
  smartDataModelValidators as validators,
} from '../../../helpers/smart-data-models.ts';
import { datasetOf } from './fixtures.ts';

const zone = 'Europe/Prague';
/** A day after the readings: a camera's data is published 24 hours after the fact. */
const now = new Date('2025-12-02T09:20:00.000Z');
const cell = '881e204a93fffff';

/** One dataset per model, by zone or district, and readings for each in the hour before `now`. */
function published(): { datasets: Dataset[]; reader: FakeAggregateReader } {
  const base = { minCellSize: undefined, aggregate: 'mean' as const };
  const datasets = [
    datasetOf({ id: 'lamp-power', kind: 'streetlight', metric: 'activePower', unit: 'zone', ...base }),
    datasetOf({ id: 'lamp-dimming', kind: 'streetlight', metric: 'dimmingLevel', ...base }),
    datasetOf({ id: 'bin-filling', kind: 'wasteBin', metric: 'fillingLevel', unit: 'zone', ...base }),
    datasetOf({ id: 'people', unit: 'zone' }),
    datasetOf({ id: 'occupancy', kind: 'camera', metric: 'occupancy', unit: 'zone', ...base }),
    datasetOf({
      id: 'traffic',
      kind: 'camera',
      metric: 'vehicleCount',
      aggregate: 'sum',
      minCellSize: undefined,
    }),
    datasetOf({ id: 'charging', kind: 'evCharger', metric: 'activePower', unit: 'zone', ...base }),
    datasetOf({ id: 'signal', kind: 'camera', metric: 'rsrp', ...base }),
  ];
  const reader = new FakeAggregateReader(zone);
  const values: Record<string, number> = {
    activePower: 61.5,
    dimmingLevel: 70,
    fillingLevel: 72.5,
    peopleCount: 37,
    occupancy: 45,
    vehicleCount: 12,
    rsrp: -88,
  };
  for (const d of datasets)
    for (const minute of [5, 35])
      reader.add({
        at: new Date(Date.UTC(2025, 11, 1, 8, minute)),
        kind: d.kind,
        metric: d.metric,
        value: values[d.metric] as number,
        district: 'centrum',
        zone: cell,
        deviceId: `${d.kind}-1`,
      });
  return { datasets, reader };
}

function source() {
  const { datasets, reader } = published();
  return {
    reader,
    timezone: () => zone,
    now: () => now,
    datasets: async () => datasets,
    entity: {
      tenant: 'karlovy-vary',
      provider: 'Karlovy Vary',
      locate: placeLocator(() => [{ location: { lat: 50.23, lon: 12.87 } }]),
    },
  };
}

describe('NGSI-LD entities', () => {
  const validate = validators();

  it('follow the Smart Data Models schemas, one entity per dataset served as NGSI-LD and place', async () => {
    const entities = await queryEntities(
      source(),
      parseEntityQuery({ type: types.join(','), options: 'keyValues' }),
    );
    expect(entities.map((e) => e.type).sort()).toEqual([
      'CrowdFlowObserved',
      'CrowdFlowObserved',
      'EVChargingStation',
      'Streetlight',
      'Streetlight',
      'TrafficFlowObserved',
      'WasteContainer',
    ]);
    for (const entity of entities) {
      const { '@context': context, ...body } = entity;
      const check = validate[String(entity.type)] as NonNullable<(typeof validate)[string]>;
      expect(check(body), `${entity.id}: ${JSON.stringify(check.errors)}`).toBe(true);
      expect(context).toEqual(contextOf(String(entity.type)));
    }
  });

  it('would refuse our own units: the schemas are really applied', () => {
    const entity = {
      id: 'urn:ngsi-ld:WasteContainer:x',
      type: 'WasteContainer',
      location: { type: 'Point', coordinates: [12.8, 50.2] },
    };
    expect(validate.WasteContainer?.({ ...entity, fillingLevel: 0.7 })).toBe(true);
    expect(validate.WasteContainer?.({ ...entity, fillingLevel: 72.5 })).toBe(false);
    expect(validate.WasteContainer?.({ id: entity.id, type: entity.type })).toBe(false);
    const crowd = {
      id: 'urn:ngsi-ld:CrowdFlowObserved:x',
      type: 'CrowdFlowObserved',
      dateObserved: '2025-12-01T08:00:00Z',
    };
    expect(validate.CrowdFlowObserved?.({ ...crowd, peopleCount: 37.5 })).toBe(false);
    expect(validate.CrowdFlowObserved?.({ ...crowd, dateObservedFrom: 'yesterday' })).toBe(false);
  });

  it('scale our units to the models: percent to 0-1, people counts as integers', async () => {
    const entities = await queryEntities(
      source(),
      parseEntityQuery({ type: 'WasteContainer,CrowdFlowObserved,Streetlight', options: 'keyValues' }),
    );
    const value = (attribute: string) => entities.find((e) => attribute in e)?.[attribute];
    expect([
      value('fillingLevel'),
      value('occupancy'),
      value('illuminanceLevel'),
      value('peopleCount'),
    ]).toEqual([0.725, 0.45, 0.7, 74]);
  });

  it('normalised: each attribute a Property with observedAt and its unit code, valid once simplified', async () => {
    const id = `urn:ngsi-ld:Streetlight:karlovy-vary:lamp-power:${cell}`;
    const entity = await oneEntity(source(), id, parseEntityQuery({ id }));
    expect(entity.powerConsumption).toEqual({
      type: 'Property',
      value: 61.5,
      observedAt: '2025-12-01T08:00:00.000Z',
      unitCode: 'WTT',
    });
    expect(entity.location).toMatchObject({ type: 'GeoProperty', value: { type: 'Polygon' } });
    const { '@context': _, ...body } = entity;
    expect(validate.Streetlight?.(keyValues(body))).toBe(true);
  });

  it('answer attrs, q and id as NGSI-LD does', async () => {
    const kv = (query: Record<string, string>) =>
      queryEntities(source(), parseEntityQuery({ ...query, options: 'keyValues' }));
    expect(
      (await kv({ type: 'CrowdFlowObserved', attrs: 'peopleCount' })).map((e) => Object.keys(e)),
    ).toEqual([['id', 'type', 'peopleCount', '@context']]);
    expect(await kv({ type: 'CrowdFlowObserved', q: 'peopleCount>100' })).toEqual([]);
    expect(
      await kv({ type: 'CrowdFlowObserved', q: 'peopleCount>=74;name=="881e204a93fffff"' }),
    ).toHaveLength(1);
    expect(() => parseEntityQuery({ q: 'peopleCount~=1' })).toThrow(/cannot read/);
    expect(() => parseEntityQuery({})).toThrow(/name a type/);
  });

  it('serve the history in the temporal form, one instance per published bucket', async () => {
    const id = `urn:ngsi-ld:CrowdFlowObserved:karlovy-vary:people:${cell}`;
    const query = parseTemporalQuery(
      {
        timerel: 'between',
        timeAt: '2025-12-01T00:00:00Z',
        endTimeAt: '2025-12-02T00:00:00Z',
        options: 'temporalValues',
      },
      true,
    );
    const [entity] = await temporalEntities(source(), { ...query, ids: [id] });
    expect(entity?.peopleCount).toEqual({ type: 'Property', values: [[74, '2025-12-01T08:00:00.000Z']] });
    expect(() => parseTemporalQuery({ timerel: 'between', timeAt: '2025-12-01T00:00:00Z' }, true)).toThrow(
      /endTimeAt/,
    );
    expect(() => parseTemporalQuery({ type: 'CrowdFlowObserved', q: 'peopleCount>1' }, false)).toThrow(
      /not supported/,
    );
  });
});
