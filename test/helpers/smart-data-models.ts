import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** The Smart Data Models we publish, their schemas vendored in test/fixtures/smart-data-models/. */
export const smartDataModelTypes = [
  'Streetlight',
  'WasteContainer',
  'CrowdFlowObserved',
  'TrafficFlowObserved',
  'EVChargingStation',
] as const;

/**
 * Attributes two models require that aggregates of readings cannot give (see the fixtures' README):
 * lifted from `required`, and nothing else.
 */
const notOurs: Record<string, string[]> = {
  Streetlight: ['status'],
  EVChargingStation: ['socketType', 'capacity', 'allowedVehicleType'],
};

const fixtures = join(import.meta.dirname, '../fixtures/smart-data-models');
const read = (name: string) => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));

/** One ajv validator per entity type, for entities in their simplified (keyValues) form. */
export function smartDataModelValidators(): Record<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
  (addFormatsModule as unknown as (ajv: Ajv) => Ajv)(ajv);
  const common = read('common-schema.json');
  ajv.addSchema(common);
  // TrafficFlowObserved's older schema refers to the commons by their former address.
  ajv.addSchema({ ...common, $id: 'https://fiware.github.io/dataModels/common-schema.json' });
  return Object.fromEntries(
    smartDataModelTypes.map((type) => {
      const schema = read(`${type}.schema.json`);
      schema.required = schema.required.filter((name: string) => !notOurs[type]?.includes(name));
      return [type, ajv.compile(schema)];
    }),
  );
}
