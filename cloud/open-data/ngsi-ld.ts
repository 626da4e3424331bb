import type { FiwareAttribute } from '../../shared/kinds/kind.ts';
import { bucketMs, type Dataset } from './dataset.ts';
import {
  attributeInstance,
  contextOf,
  type EntityContext,
  entityId,
  entityOf,
  keyValues,
  ngsiAttributeOf,
} from './ngsi-entities.ts';
import { type EntityQuery, matchesQ, ResourceNotFoundError, type TemporalQuery } from './ngsi-query.ts';
import { type PublicationSource, publishedCells, publishedUntil, rangeOf } from './published-rows.ts';
import { type TableRow, tableRows } from './tables.ts';

/** What the NGSI-LD answers read: the published datasets, their cells, and the places' geometry. */
export interface NgsiSource extends PublicationSource {
  datasets: () => Promise<Dataset[]>;
  entity: EntityContext;
}

type Entity = Record<string, unknown>;

/** The published datasets served as NGSI-LD whose entities the query may name. */
async function candidates(source: NgsiSource, query: Pick<EntityQuery, 'types' | 'ids'>) {
  const prefixes = query.ids?.map((id) => id.slice(0, id.lastIndexOf(':') + 1));
  return (await source.datasets()).flatMap((dataset) => {
    const attribute = ngsiAttributeOf(dataset);
    if (!dataset.published || !attribute) return [];
    if (query.types && !query.types.includes(attribute.type)) return [];
    const prefix = entityId(attribute.type, source.entity.tenant, dataset.id, '');
    if (prefixes && !prefixes.includes(prefix)) return [];
    return [{ dataset, attribute }];
  });
}

/** Cells of a range, as table rows. */
async function rows(
  dataset: Dataset,
  range: { from?: Date; to?: Date },
  source: NgsiSource,
): Promise<TableRow[]> {
  const until = publishedUntil(dataset, source.now(), source.timezone());
  const bounds = rangeOf(dataset, { from: range.from?.toISOString(), to: range.to?.toISOString() }, until);
  return tableRows(dataset, await publishedCells(dataset, bounds, source), source.timezone());
}

/** Attribute projection: id, type and the attributes asked for; none asked, all of them. */
function project(entity: Entity, attrs: string[] | undefined): Entity | undefined {
  if (!attrs) return entity;
  const kept = Object.entries(entity).filter(([name]) => attrs.includes(name));
  if (kept.length === 0) return undefined;
  return { id: entity.id, type: entity.type, ...Object.fromEntries(kept) };
}

function withContext(entity: Entity): Entity {
  return { ...entity, '@context': contextOf(String(entity.type)) };
}

function page<T>(items: T[], query: Pick<EntityQuery, 'limit' | 'offset'>): T[] {
  return items.slice(query.offset, query.offset + query.limit);
}

/** GET /ngsi-ld/v1/entities: each place's entity at its latest published bucket of the last two. */
export async function queryEntities(source: NgsiSource, query: EntityQuery): Promise<Entity[]> {
  const found: Entity[] = [];
  for (const { dataset, attribute } of await candidates(source, query)) {
    const until = publishedUntil(dataset, source.now(), source.timezone());
    const latest = new Map<string, TableRow>();
    const from = new Date(until.getTime() - 2 * bucketMs[dataset.granularity]);
    for (const row of await rows(dataset, { from, to: until }, source)) latest.set(row.place, row);
    for (const row of latest.values()) found.push(entityOf(dataset, attribute, row, source.entity));
  }
  const selected = found
    .filter((e) => !query.ids || query.ids.includes(String(e.id)))
    .filter((e) => matchesQ(keyValues(e), query.q))
    .flatMap((e): Entity[] => {
      const projected = project(e, query.attrs);
      return projected ? [projected] : [];
    })
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return page(selected, query).map((e) => withContext(query.keyValues ? keyValues(e) : e));
}

/** GET /ngsi-ld/v1/entities/{id}: the entity, or ResourceNotFound. */
export async function oneEntity(source: NgsiSource, id: string, query: EntityQuery): Promise<Entity> {
  const [entity] = await queryEntities(source, { ...query, ids: [id], limit: 1, offset: 0 });
  if (!entity) throw new ResourceNotFoundError(`no published entity ${id}`);
  return entity;
}

function temporalOf(
  dataset: Dataset,
  attribute: FiwareAttribute,
  place: TableRow[],
  query: TemporalQuery,
  source: NgsiSource,
): Entity | undefined {
  const first = place[0] as TableRow;
  const entity = entityOf(dataset, attribute, first, source.entity);
  const instances = place.flatMap((row) => attributeInstance(dataset, attribute, row) ?? []);
  const { dateObserved: _, dateObservedFrom: _from, dateObservedTo: _to, ...stable } = entity;
  const values = query.temporalValues
    ? { type: 'Property', values: instances.map((i) => [i.value, i.observedAt]) }
    : instances;
  return project({ ...stable, [attribute.attribute]: values }, query.attrs);
}

/** GET /ngsi-ld/v1/temporal/entities: each place's attribute over the range, one instance per published bucket. */
export async function temporalEntities(source: NgsiSource, query: TemporalQuery): Promise<Entity[]> {
  const found: Entity[] = [];
  for (const { dataset, attribute } of await candidates(source, query)) {
    const byPlace = new Map<string, TableRow[]>();
    for (const row of await rows(dataset, query, source))
      byPlace.set(row.place, [...(byPlace.get(row.place) ?? []), row]);
    for (const place of byPlace.values()) {
      const entity = temporalOf(dataset, attribute, place, query, source);
      if (entity && (!query.ids || query.ids.includes(String(entity.id)))) found.push(entity);
    }
  }
  return page(
    found.sort((a, b) => String(a.id).localeCompare(String(b.id))),
    query,
  ).map(withContext);
}
