import { z } from 'zod';

/**
 * Identifiers that appear in MQTT topics, InfluxDB tags and URLs.
 * Gateway ids are topic segments, so they exclude the MQTT wildcards and separators.
 * Device ids may contain punctuation that InfluxDB line protocol escapes (space, comma, equals);
 * the client library escapes them, and tests check that they round-trip exactly.
 */
export const gatewayId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, "-" or "_", 1-64 characters')
  .meta({
    description: 'Gateway id; also the MQTT username and client id of the gateway',
    examples: ['gw-centre-01'],
  });

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we reject
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A value that becomes an InfluxDB tag. Line protocol cannot carry a trailing backslash or a newline
 * in a tag, and one unparsable line fails the whole write batch, so both are refused here, as are
 * lone surrogates (text that is not well-formed UTF-16). Written as a regular expression (with the
 * `u` flag, under which a character class meets a lone surrogate but never half of a pair) so that
 * the JSON Schema of the contract carries it too.
 */
export function tagValue(description: string) {
  return z
    .string()
    .min(1)
    .max(128)
    .regex(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we reject
      /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029\\\ud800-\udfff]*$/u,
      'must not contain control characters, a backslash or a lone surrogate',
    )
    .meta({ description });
}

export const deviceId = tagValue('Device id, unique in the city')
  .regex(/^[^/#+]*$/u, 'must not contain "/", "#" or "+"')
  .meta({ examples: ['lamp-000042'] });

export const timestamp = z.iso
  .datetime({ offset: true })
  .meta({ description: 'ISO 8601 date-time with Z or an offset', examples: ['2026-11-22T16:00:00.000Z'] });

/** Replaces control characters with spaces, so free text fits a one-line field. */
export function oneLine(text: string): string {
  return text.replace(new RegExp(controlCharacters.source, 'g'), ' ');
}

/** A tenant's id: a slug that names its folders, its InfluxDB database and its Grafana organisation. */
export const tenantId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, '2 to 40 characters of a-z, 0-9 and "-", starting with a letter')
  .meta({ description: 'Tenant (municipality) id, e.g. karlovy-vary' });

/** The tenant a single-city installation becomes when it is upgraded (and a fresh one starts with). */
export const defaultTenantId = 'default';
