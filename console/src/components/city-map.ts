import {
  type ExpressionSpecification,
  type GeoJSONSource,
  Map as MapLibreMap,
  NavigationControl,
  type StyleSpecification,
  setWorkerUrl,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { CoverageClass, MapSettings, MapState } from '../api/types.ts';

/** The colour of each state; the map legend and the list say the state in words as well. */
export const stateColours: Record<MapState, string> = {
  ok: '#1a7f37',
  offline: '#6e7781',
  info: '#0969da',
  warning: '#bf8700',
  minor: '#d4590b',
  major: '#cf222e',
  critical: '#8250df',
};
export const mapStates = Object.keys(stateColours) as MapState[];

/** The colour of each coverage class (the legend names each class and its thresholds in words). */
export const coverageColours: Record<CoverageClass, string> = {
  good: '#1a7f37',
  fair: '#bf8700',
  poor: '#d4590b',
  none: '#a40e26',
};
export const coverageClasses = Object.keys(coverageColours) as CoverageClass[];

const byState = (property: string) =>
  [
    'match',
    ['get', property],
    ...mapStates.flatMap((s) => [s, stateColours[s]]),
    '#6e7781',
  ] as unknown as ExpressionSpecification;

const empty: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };

/**
 * The map's style: no tile server by default, only a background, the districts' outlines and our
 * own GeoJSON sources; a raster layer only when the settings name a tile URL. No glyphs or sprites
 * are needed (nothing is fetched from elsewhere): clusters are circles sized by their count.
 */
export function cityStyle(settings: MapSettings): StyleSpecification {
  return {
    version: 8,
    sources: {
      ...(settings.tileUrl && {
        tiles: {
          type: 'raster',
          tiles: [settings.tileUrl],
          tileSize: 256,
          ...(settings.attribution && { attribution: settings.attribution }),
        },
      }),
      districts: { type: 'geojson', data: empty },
      route: { type: 'geojson', data: empty },
      coverage: { type: 'geojson', data: empty },
      devices: { type: 'geojson', data: empty },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#eef1f4' } },
      ...(settings.tileUrl ? [{ id: 'tiles', type: 'raster' as const, source: 'tiles' }] : []),
      {
        id: 'district-fill',
        type: 'fill',
        source: 'districts',
        paint: { 'fill-color': '#ffffff', 'fill-opacity': settings.tileUrl ? 0.15 : 0.8 },
      },
      {
        id: 'district-line',
        type: 'line',
        source: 'districts',
        paint: { 'line-color': '#57606a', 'line-width': 1.5, 'line-dasharray': [3, 2] },
      },
      // The coverage layer: hexagons coloured by class, under the round and the devices; hidden until
      // the map page turns it on.
      {
        id: 'coverage-fill',
        type: 'fill',
        source: 'coverage',
        layout: { visibility: 'none' },
        paint: {
          'fill-color': [
            'match',
            ['get', 'class'],
            ...coverageClasses.flatMap((c) => [c, coverageColours[c]]),
            '#6e7781',
          ] as unknown as ExpressionSpecification,
          'fill-opacity': 0.45,
        },
      },
      {
        id: 'coverage-line',
        type: 'line',
        source: 'coverage',
        layout: { visibility: 'none' },
        paint: { 'line-color': '#ffffff', 'line-width': 1, 'line-opacity': 0.8 },
      },
      {
        id: 'route',
        type: 'line',
        source: 'route',
        paint: { 'line-color': '#0550ae', 'line-width': 3, 'line-opacity': 0.8 },
      },
      {
        id: 'clusters',
        type: 'circle',
        source: 'devices',
        filter: ['==', ['get', 'cluster'], true],
        paint: {
          'circle-color': byState('worst'),
          'circle-opacity': 0.85,
          'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 10, 30, 30, 300, 48],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 2,
        },
      },
      {
        id: 'devices',
        type: 'circle',
        source: 'devices',
        filter: ['!=', ['get', 'cluster'], true],
        paint: {
          'circle-color': byState('state'),
          'circle-radius': 7,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 2,
        },
      },
    ],
  };
}

export function createCityMap(container: HTMLElement, settings: MapSettings, labels: Record<string, string>) {
  // MapLibre 6 loads its worker module beside its own file; in the bundle that is an asset of ours.
  setWorkerUrl(workerUrl);
  // No located device yet: the city's centre, or the whole world when the city is not known either.
  const place = settings.bounds
    ? { bounds: settings.bounds, fitBoundsOptions: { padding: 30 } }
    : settings.city
      ? { center: [settings.city.location.lon, settings.city.location.lat] as [number, number], zoom: 12 }
      : { center: [0, 0] as [number, number], zoom: 1 };
  const map = new MapLibreMap({
    container,
    style: cityStyle(settings),
    ...place,
    attributionControl: settings.attribution ? { compact: true } : false,
    locale: labels,
    // The list beside the map is the keyboard way to the devices; the map itself still pans by keys.
    keyboard: true,
  });
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  // Reachable from outside the bundle: the bench waits for the map's 'idle' through page.evaluate.
  (container as HTMLElement & { cityMap?: MapLibreMap }).cityMap = map;
  return map;
}

export function setSource(
  map: MapLibreMap,
  id: 'districts' | 'route' | 'devices' | 'coverage',
  data: GeoJSON.GeoJSON,
) {
  void (map.getSource(id) as GeoJSONSource | undefined)?.setData(data);
}

/** Shows or hides the coverage layer's hexagons. */
export function showCoverage(map: MapLibreMap, visible: boolean) {
  for (const layer of ['coverage-fill', 'coverage-line'])
    if (map.getLayer(layer)) map.setLayoutProperty(layer, 'visibility', visible ? 'visible' : 'none');
}
