import { z } from 'zod';
import { isValidIco } from '../../shared/ico.ts';

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
          .refine(isValidIco, 'an IČO: 8 digits, the last the check digit of the others')
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

/** Something the catalogue lacks: what to set, and what its absence costs. */
export const catalogueGap = z.object({
  field: z.string().meta({ description: 'What to set, as a path in the settings' }),
  required: z.boolean().meta({ description: 'Whether NKOD refuses the records without it' }),
  why: z.string(),
});
export type CatalogueGap = z.infer<typeof catalogueGap>;

/** What the catalogue lacks for NKOD (required) or says only approximately (recommended). */
export function catalogueGaps(settings: CatalogueSettings): CatalogueGap[] {
  const gaps: CatalogueGap[] = [];
  if (!settings.publisher?.ico)
    gaps.push({
      field: 'publisher.ico',
      required: true,
      why: "The publisher's IČO: DCAT-AP-CZ names the publisher (poskytovatel) by its IRI in the register of public bodies (RPP), made from it; without it NKOD does not take the records.",
    });
  if (!settings.ruianMunicipality)
    gaps.push({
      field: 'ruianMunicipality',
      required: false,
      why: 'The RÚIAN code of the municipality: without it the datasets name the whole country as their place.',
    });
  if (!settings.contact)
    gaps.push({
      field: 'contact',
      required: false,
      why: 'Who answers questions on the data (kontaktní bod).',
    });
  return gaps;
}

/** The settings as the admin API answers them: with what the catalogue still lacks. */
export const catalogueSettingsAnswer = catalogueSettings
  .extend({ missing: z.array(catalogueGap).meta({ description: 'What the catalogue lacks' }) })
  .meta({ id: 'OpenDataCatalogueSettingsAnswer' });
