import type { FiwareAttribute } from '../../shared/kinds/kind.ts';
import { type Dataset, fiwareAttribute, metricUnit, type SpatialUnit } from './dataset.ts';
import type { TableRow } from './tables.ts';

/**
 * NGSI-LD entities of the FIWARE Smart Data Models (Streetlight, WasteContainer, CrowdFlowObserved,
 * TrafficFlowObserved, EVChargingStation) made from published cells: one entity per dataset and
 * spatial unit, its attribute named and scaled as the model has it (our percent is the model's 0-1),
 * dated by `dateObserved` (the bucket as an ISO 8601 interval) and `observedAt`. A suppressed cell has
 * no attribute value: the entity carries its date and place only. Only aggregates of districts and
 * map cells are published, never a device's own readings.
 */
export const ngsiCoreContext = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld';

/** The Smart Data Models' JSON-LD context of each entity type we publish. */
const modelContexts: Record<string, string> = {
  Streetlight:
    'https://raw.githubusercontent.com/smart-data-models/dataModel.Streetlighting/master/context.jsonld',
  WasteContainer:
    'https://raw.githubusercontent.com/smart-data-models/dataModel.WasteManagement/master/context.jsonld',
  CrowdFlowObserved:
    'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld',
  TrafficFlowObserved:
    'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld',
  EVChargingStation:
    'https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld',
};

export function contextOf(type: string): string[] {
  const model = modelContexts[type];
  return model ? [model, ngsiCoreContext] : [ngsiCoreContext];
}

/** UN/CEFACT common codes (NGSI-LD `unitCode`) of the model's units, by our unit after scaling. */
const unitCodes: Record<string, string> = {
  W: 'WTT',
  kW: 'KWT',
  V: 'VLT',
  A: 'AMP',
  '°C': 'CEL',
  'km/h': 'KMH',
  '1': 'C62',
};

export type Geometry =
  | { type: 'Point'; coordinates: [number, number] }
  | { type: 'Polygon'; coordinates: [number, number][][] };

/** A dataset published as NGSI-LD: its metric has a Smart Data Model attribute, its values are the metric's. */
export function ngsiAttributeOf(dataset: Dataset): FiwareAttribute | undefined {
  return dataset.aggregate === 'count' ? undefined : fiwareAttribute(dataset.kind, dataset.metric);
}

export function entityId(type: string, tenant: string, dataset: string, place: string): string {
  return `urn:ngsi-ld:${type}:${tenant}:${dataset}:${encodeURIComponent(place)}`;
}

/** The value in the model's unit and type. */
export function modelValue(attribute: FiwareAttribute, value: number): number {
  const scaled = value * (attribute.factor ?? 1);
  return attribute.integer ? Math.round(scaled) : Math.round(scaled * 1e6) / 1e6;
}

function unitCodeOf(dataset: Dataset, attribute: FiwareAttribute): string | undefined {
  if (attribute.factor !== undefined) return unitCodes['1'];
  const unit = metricUnit(dataset.kind, dataset.metric);
  return unit === undefined ? undefined : unitCodes[unit];
}

export interface EntityContext {
  tenant: string;
  /** Who publishes the data (the town's name), the model's `dataProvider`. */
  provider: string;
  /** The district's or map cell's outline or centre, when known. */
  locate: (unit: SpatialUnit, place: string) => Geometry | undefined;
}

/** An attribute instance: the NGSI-LD Property of one cell. */
export function attributeInstance(dataset: Dataset, attribute: FiwareAttribute, row: TableRow) {
  if (row.value === null) return undefined;
  const unitCode = unitCodeOf(dataset, attribute);
  return {
    type: 'Property' as const,
    value: modelValue(attribute, row.value),
    observedAt: row.start,
    ...(unitCode && { unitCode }),
  };
}

/** The entity of one place, at one cell (its latest, for the entities endpoint), normalised NGSI-LD. */
export function entityOf(
  dataset: Dataset,
  attribute: FiwareAttribute,
  row: TableRow,
  context: EntityContext,
): Record<string, unknown> {
  const instance = attributeInstance(dataset, attribute, row);
  const location = context.locate(dataset.unit, row.place);
  const property = (value: unknown) => ({ type: 'Property', value });
  return {
    id: entityId(attribute.type, context.tenant, dataset.id, row.place),
    type: attribute.type,
    name: property(row.place),
    description: property(dataset.title.en),
    dataProvider: property(context.provider),
    dateObserved: property(`${row.start}/${row.end}`),
    dateObservedFrom: property(row.start),
    dateObservedTo: property(row.end),
    ...(location && { location: { type: 'GeoProperty', value: location } }),
    ...(instance && { [attribute.attribute]: instance }),
  };
}

/** NGSI-LD's simplified form (`options=keyValues`): each attribute's value only. */
export function keyValues(entity: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entity).map(([name, value]) => [
      name,
      value !== null && typeof value === 'object' && 'value' in value
        ? (value as { value: unknown }).value
        : value,
    ]),
  );
}
