import { sourceSpecs } from '../../shared/aggregate-sources.ts';
import { publicBodyIri } from '../../shared/ico.ts';
import type { CatalogueSettings } from './catalogue-settings.ts';
import { type Dataset, licences, updateFrequency } from './dataset.ts';
import { ngsiAttributeOf } from './ngsi-entities.ts';

/**
 * A tenant's local open-data catalogue (LKOD) in DCAT-AP-CZ, as JSON-LD with the national context
 * (Otevřená formální norma "Rozhraní katalogů otevřených dat: DCAT-AP-CZ", 2024-05-28): the
 * catalogue names its datasets by IRI, and each dataset's IRI answers its own record, the way the
 * national catalogue (NKOD) harvests a catalogue of JSON-LD documents. The Czech keys map to DCAT
 * (`název` dcterms:title, `distribuce` dcat:distribution, `soubor_ke_stažení` dcat:downloadURL...).
 */
export const dcatApCzContext =
  'https://ofn.gov.cz/dcat-ap-cz-rozhraní-katalogů-otevřených-dat/2024-05-28/kontexty/rozhraní-katalogů-otevřených-dat.jsonld';

const eu = 'http://publications.europa.eu/resource/authority';
const iana = 'http://www.iana.org/assignments/media-types';
const conditions = 'https://data.gov.cz/podmínky-užití';

/** Where the tenant's public API is, e.g. https://city.example/open/karlovy-vary. */
export interface CatalogueLinks {
  base: string;
}

/** What the catalogue says of its tenant. */
export interface Publisher {
  tenantName: string;
  settings: CatalogueSettings;
}

export const datasetIri = (links: CatalogueLinks, id: string) => `${links.base}/datasets/${id}`;

function publisherIri(settings: CatalogueSettings): string | undefined {
  const ico = settings.publisher?.ico;
  return ico && publicBodyIri(ico);
}

function contactPoint(settings: CatalogueSettings) {
  const contact = settings.contact;
  return contact && { typ: 'Organizace', jméno: { cs: contact.name }, 'e-mail': `mailto:${contact.email}` };
}

function ruianElement(settings: CatalogueSettings): string {
  const code = settings.ruianMunicipality;
  return code
    ? `https://linked.cuzk.cz/resource/ruian/obec/${code}`
    : 'https://linked.cuzk.cz/resource/ruian/stat/1';
}

/**
 * Podmínky užití: aggregated sensor readings hold no authored work and, counts of people being
 * suppressed below the minimum cell size, no personal data; the database is licensed under the
 * dataset's licence, both as a work and under the maker's special right.
 */
function termsOfUse(dataset: Dataset, publisher: Publisher) {
  const licence = licences[dataset.licence];
  return {
    typ: 'Specifikace podmínek užití',
    autorské_dílo: `${conditions}/neobsahuje-autorská-díla/`,
    databáze_jako_autorské_dílo: licence,
    ...(dataset.licence === 'CC-BY-4.0' && {
      autor_databáze: { cs: publisher.settings.publisher?.name ?? publisher.tenantName },
    }),
    databáze_chráněná_zvláštními_právy: licence,
    osobní_údaje: `${conditions}/neobsahuje-osobní-údaje/`,
  };
}

function distributions(dataset: Dataset, links: CatalogueLinks, publisher: Publisher) {
  const iri = datasetIri(links, dataset.id);
  const terms = termsOfUse(dataset, publisher);
  const file = (suffix: string, format: string, media: string, name: string) => ({
    iri: `${iri}/distribuce/${suffix}`,
    typ: 'Distribuce',
    název: { cs: name, en: name },
    podmínky_užití: terms,
    soubor_ke_stažení: `${iri}/data.${suffix}`,
    přístupové_url: `${iri}/data.${suffix}`,
    formát: `${eu}/file-type/${format}`,
    typ_média: `${iana}/${media}`,
  });
  const files = [file('csv', 'CSV', 'text/csv', 'CSV'), file('json', 'JSON', 'application/json', 'JSON')];
  const attribute = ngsiAttributeOf(dataset);
  if (!attribute) return files;
  const endpoint = `${links.base}/ngsi-ld/v1/entities?type=${attribute.type}`;
  const service = {
    iri: `${iri}/distribuce/ngsi-ld`,
    typ: 'Distribuce',
    název: { cs: `NGSI-LD: ${attribute.type}`, en: `NGSI-LD: ${attribute.type}` },
    podmínky_užití: terms,
    přístupové_url: endpoint,
    formát: `${eu}/file-type/JSON_LD`,
    typ_média: `${iana}/application/ld+json`,
    přístupová_služba: {
      typ: 'Datová služba',
      název: { cs: 'NGSI-LD API (FIWARE Smart Data Models)', en: 'NGSI-LD API (FIWARE Smart Data Models)' },
      přístupový_bod: `${links.base}/ngsi-ld/v1/`,
      specifikace: ['https://www.etsi.org/deliver/etsi_gs/CIM/001_099/009/'],
    },
  };
  return [...files, service];
}

/** One dataset's record (dcat:Dataset), with its distributions: CSV, JSON and, where its metric has a Smart Data Model attribute, NGSI-LD. */
export function datasetRecord(dataset: Dataset, links: CatalogueLinks, publisher: Publisher) {
  const provider = publisherIri(publisher.settings);
  const contact = contactPoint(publisher.settings);
  return {
    '@context': dcatApCzContext,
    iri: datasetIri(links, dataset.id),
    typ: 'Datová sada',
    název: dataset.title,
    popis: dataset.description,
    ...(provider && { poskytovatel: provider }),
    téma: [`${eu}/data-theme/${sourceSpecs[dataset.kind].openData.theme}`],
    periodicita_aktualizace: `${eu}/frequency/${updateFrequency[dataset.granularity]}`,
    klíčové_slovo: dataset.keywords,
    prvek_rúian: [ruianElement(publisher.settings)],
    časové_rozlišení: dataset.granularity === 'hour' ? 'PT1H' : 'P1D',
    ...(contact && { kontaktní_bod: contact }),
    distribuce: distributions(dataset, links, publisher),
  };
}

/** The catalogue (dcat:Catalog): its published datasets by IRI. */
export function catalogueRecord(datasets: Dataset[], links: CatalogueLinks, publisher: Publisher) {
  const provider = publisherIri(publisher.settings);
  const contact = contactPoint(publisher.settings);
  const name = publisher.settings.publisher?.name ?? publisher.tenantName;
  return {
    '@context': dcatApCzContext,
    iri: `${links.base}/catalog`,
    typ: 'Katalog',
    název: { cs: `Otevřená data: ${name}`, en: `Open data: ${name}` },
    popis: {
      cs: `Datové sady z čidel města ${name}: hodinové a denní souhrny po čtvrtích a zónách.`,
      en: `Datasets from the sensors of ${name}: hourly and daily aggregates by district and zone.`,
    },
    ...(provider && { poskytovatel: provider }),
    ...(contact && { kontaktní_bod: contact }),
    ...(publisher.settings.homepage && { domovská_stránka: publisher.settings.homepage }),
    datová_sada: datasets.filter((d) => d.published).map((d) => datasetIri(links, d.id)),
  };
}
