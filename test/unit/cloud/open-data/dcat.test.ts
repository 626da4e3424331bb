import { describe, expect, it } from 'vitest';
import { catalogueGaps, catalogueSettings } from '../../../../cloud/open-data/catalogue-settings.ts';
import { catalogueRecord, datasetRecord, dcatApCzContext } from '../../../../cloud/open-data/dcat.ts';
import { datasetOf } from './fixtures.ts';

/**
 * The mandatory properties of each class in DCAT-AP-CZ (Otevřená formální norma "Rozhraní katalogů
 * otevřených dat", the JSON-LD keys of its context): a national harvester (NKOD) refuses a record
 * without them. `[]` after a name: a non-empty list; `.cs`: a Czech text.
 */
const mandatory = {
  Katalog: ['iri', 'typ', 'název.cs', 'popis.cs', 'poskytovatel', 'datová_sada[]'],
  'Datová sada': [
    'iri',
    'typ',
    'název.cs',
    'popis.cs',
    'poskytovatel',
    'téma[]',
    'periodicita_aktualizace',
    'klíčové_slovo.cs[]',
    'prvek_rúian[]',
    'distribuce[]',
  ],
  Distribuce: ['iri', 'typ', 'podmínky_užití', 'přístupové_url', 'formát', 'typ_média'],
  'Distribuce souboru': ['soubor_ke_stažení'],
  'Distribuce služby': [
    'přístupová_služba.typ',
    'přístupová_služba.název.cs',
    'přístupová_služba.přístupový_bod',
  ],
  'Specifikace podmínek užití': [
    'typ',
    'autorské_dílo',
    'databáze_jako_autorské_dílo',
    'databáze_chráněná_zvláštními_právy',
    'osobní_údaje',
  ],
} as const;

function missing(record: Record<string, unknown>, properties: readonly string[]): string[] {
  return properties.filter((property) => {
    const list = property.endsWith('[]');
    const value = property
      .replace('[]', '')
      .split('.')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], record);
    if (list) return !Array.isArray(value) || value.length === 0;
    return value === undefined || value === null || value === '';
  });
}

const links = { base: 'https://city.example/open/karlovy-vary' };
const publisher = {
  tenantName: 'Karlovy Vary',
  settings: {
    publisher: { name: 'Statutární město Karlovy Vary', ico: '00254657' },
    contact: { name: 'Odbor informatiky', email: 'opendata@mmkv.cz' },
    ruianMunicipality: '554961',
  },
};

describe('the DCAT-AP-CZ catalogue', () => {
  const people = datasetOf();
  const power = datasetOf({
    id: 'lamp-power',
    kind: 'streetlight',
    metric: 'activePower',
    aggregate: 'mean',
    minCellSize: undefined,
    granularity: 'day',
  });
  const draft = datasetOf({ id: 'draft', published: false });

  it('lists the published datasets by IRI, with every mandatory property of a catalogue', () => {
    const catalogue = catalogueRecord([people, power, draft], links, publisher);
    expect(catalogue['@context']).toBe(dcatApCzContext);
    expect(missing(catalogue, mandatory.Katalog)).toEqual([]);
    expect(catalogue.datová_sada).toEqual([
      `${links.base}/datasets/people-by-zone`,
      `${links.base}/datasets/lamp-power`,
    ]);
    expect(catalogue.poskytovatel).toBe(
      'https://rpp-opendata.egon.gov.cz/odrpp/zdroj/orgán-veřejné-moci/00254657',
    );
  });

  it('describes each dataset and distribution with every mandatory property', () => {
    for (const dataset of [people, power]) {
      const record = datasetRecord(dataset, links, publisher);
      expect(missing(record, mandatory['Datová sada']), dataset.id).toEqual([]);
      for (const distribution of record.distribuce as Record<string, unknown>[]) {
        expect(missing(distribution, mandatory.Distribuce)).toEqual([]);
        const kind = 'přístupová_služba' in distribution ? 'Distribuce služby' : 'Distribuce souboru';
        expect(missing(distribution, mandatory[kind])).toEqual([]);
        expect(
          missing(
            distribution.podmínky_užití as Record<string, unknown>,
            mandatory['Specifikace podmínek užití'],
          ),
        ).toEqual([]);
      }
    }
  });

  it('says licence, update frequency, theme, place and download links from the definition', () => {
    const record = datasetRecord(power, links, publisher);
    expect(record).toMatchObject({
      iri: `${links.base}/datasets/lamp-power`,
      periodicita_aktualizace: 'http://publications.europa.eu/resource/authority/frequency/DAILY',
      téma: ['http://publications.europa.eu/resource/authority/data-theme/ENER'],
      prvek_rúian: ['https://linked.cuzk.cz/resource/ruian/obec/554961'],
      kontaktní_bod: {
        typ: 'Organizace',
        jméno: { cs: 'Odbor informatiky' },
        'e-mail': 'mailto:opendata@mmkv.cz',
      },
    });
    const [csv, json, ngsi] = record.distribuce as Record<string, unknown>[];
    expect(csv).toMatchObject({
      soubor_ke_stažení: `${links.base}/datasets/lamp-power/data.csv`,
      formát: 'http://publications.europa.eu/resource/authority/file-type/CSV',
      typ_média: 'http://www.iana.org/assignments/media-types/text/csv',
      podmínky_užití: {
        databáze_jako_autorské_dílo: 'https://creativecommons.org/licenses/by/4.0/',
        autor_databáze: { cs: 'Statutární město Karlovy Vary' },
        osobní_údaje: 'https://data.gov.cz/podmínky-užití/neobsahuje-osobní-údaje/',
      },
    });
    expect(json?.soubor_ke_stažení).toBe(`${links.base}/datasets/lamp-power/data.json`);
    expect(ngsi?.přístupové_url).toBe(`${links.base}/ngsi-ld/v1/entities?type=Streetlight`);
    expect(datasetRecord(people, links, publisher).periodicita_aktualizace).toMatch(/HOURLY$/);
  });

  it('names the whole country without a municipality, and no publisher without an IČO', () => {
    const record = datasetRecord(power, links, { tenantName: 'Loket', settings: {} });
    expect(record.prvek_rúian).toEqual(['https://linked.cuzk.cz/resource/ruian/stat/1']);
    expect(missing(record, mandatory['Datová sada'])).toEqual(['poskytovatel']);
  });

  it('takes an IČO only with its check digit, and says what the catalogue lacks without one', () => {
    const withIco = (ico: string) =>
      catalogueSettings.safeParse({ publisher: { name: 'Loket', ico } }).success;
    expect(withIco('00254657')).toBe(true);
    expect(withIco('00254658')).toBe(false);
    expect(withIco('2546570')).toBe(false);
    expect(catalogueGaps({})).toEqual([
      expect.objectContaining({ field: 'publisher.ico', required: true }),
      expect.objectContaining({ field: 'ruianMunicipality', required: false }),
      expect.objectContaining({ field: 'contact', required: false }),
    ]);
    expect(catalogueGaps({ publisher: { name: 'Loket' } }).map((g) => g.field)).toContain('publisher.ico');
    expect(catalogueGaps(publisher.settings)).toEqual([]);
  });
});
