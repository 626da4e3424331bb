import { z } from 'zod';

/**
 * What a tenant's open-data catalogue says of its publisher (DCAT-AP-CZ `poskytovatel`,
 * `kontaktní_bod`, `prvek_rúian`). Unset parts fall back to the tenant's name, and the whole Czech
 * Republic for the RÚIAN element.
 */
export const catalogueSettings = z
  .object({
    publisher: z
      .object({
        name: z.string().trim().min(1).max(200),
        ico: z
          .string()
          .regex(/^\d{8}$/, 'an IČO: 8 digits')
          .optional()
          .meta({ description: "The publisher's IČO: its IRI in the register of public bodies (RPP)" }),
      })
      .strict()
      .optional(),
    contact: z
      .object({ name: z.string().trim().min(1).max(200), email: z.email().max(200) })
      .strict()
      .optional()
      .meta({ description: 'Who answers questions on the data' }),
    ruianMunicipality: z
      .string()
      .regex(/^\d{6}$/, 'a RÚIAN municipality code: 6 digits')
      .optional()
      .meta({
        description: 'The RÚIAN code of the municipality the data covers, e.g. 554961 (Karlovy Vary)',
      }),
    homepage: z.url().max(500).optional(),
  })
  .strict()
  .meta({ id: 'OpenDataCatalogueSettings' });
export type CatalogueSettings = z.infer<typeof catalogueSettings>;
