import { Ajv } from 'ajv';
import { z } from 'zod';
import { city, type FleetFile, fleetFile, fleetIssues } from '../../shared/fleet.ts';
import type { FleetCheck } from '../../shared/fleet-files.ts';

/**
 * A compiled check of a fleet file, for a region's start-up (a million devices, where zod's parse
 * takes seconds and copies every entry): the zod schema (still the one source of the contract) turned
 * into JSON Schema and compiled by Ajv, then what JSON Schema cannot carry asked of zod's own parts:
 * the city (its time zone) and the checks across entries (`fleetIssues`). It only ever says yes to a
 * file zod accepts unchanged (a property test compares the two); when it says no, the caller asks zod,
 * whose answer (and message) counts. Cloud only: the edge agent's files are small and Ajv costs it memory.
 */
export function compileFleetCheck(): FleetCheck {
  const schema = z.toJSONSchema(fleetFile, { target: 'draft-7', unrepresentable: 'throw' });
  const structure = new Ajv({ strict: false, validateFormats: false, unicodeRegExp: true }).compile(schema);
  return (json: unknown): json is FleetFile =>
    structure(json) &&
    city.safeParse((json as FleetFile).city).success &&
    fleetIssues(json as FleetFile).length === 0;
}
