import { z } from 'zod';

// Stryker disable next-line all: the JSON Schema's documentation, not behaviour
const documentation = { description: 'Tenant (municipality) id', examples: ['karlovy-vary'] };

/**
 * A tenant (municipality) id: a lowercase slug of 2 to 40 characters starting with a letter. It names
 * the tenant's folders, its InfluxDB database and its REST scope, so it never needs escaping.
 */
export const tenantId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, 'a slug: a lowercase letter, then 1-39 lowercase letters, digits or "-"')
  .meta(documentation);
