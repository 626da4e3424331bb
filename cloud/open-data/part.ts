import type { Location } from '../../shared/fleet.ts';
import type { AggregateReader } from '../rollups/aggregates.ts';
import type { NgsiSource } from './ngsi-ld.ts';
import { placeLocator } from './places.ts';
import { DatasetService } from './service.ts';
import type { DatasetStore } from './store.ts';

export interface OpenDataDeps {
  store: DatasetStore;
  /** The tenant's hourly and daily aggregates. */
  reader: AggregateReader;
  tenant: string;
  /** The town's name (the data's provider) and time zone (its local days), as they are now. */
  name: () => string;
  timezone: () => string;
  /** The devices of a district, for its position. */
  devicesIn: (district: string) => { location?: Location }[];
  now: () => Date;
}

/** A tenant's open data: its datasets, and what their public answers read. */
export interface OpenData {
  datasets: DatasetService;
  source: NgsiSource;
}

export function openDataPart(deps: OpenDataDeps): OpenData {
  const datasets = new DatasetService(deps.store);
  const locate = placeLocator(deps.devicesIn);
  return {
    datasets,
    source: {
      reader: deps.reader,
      timezone: deps.timezone,
      now: deps.now,
      datasets: () => datasets.list(),
      get entity() {
        return { tenant: deps.tenant, provider: deps.name(), locate };
      },
    },
  };
}
