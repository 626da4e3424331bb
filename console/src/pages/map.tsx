import type { Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/api.ts';
import type { CoverageCells, MapState } from '../api/types.ts';
import { ErrorNote, PageTitle, StateBadge } from '../components/bits.tsx';
import { createCityMap, mapStates, setSource, showCoverage, stateColours } from '../components/city-map.ts';
import { CoverageControls, CoverageLegend } from '../components/coverage-controls.tsx';
import { type CoveragePick, coverageRange, today } from '../components/coverage-range.ts';
import { DevicePanel } from '../components/device-panel.tsx';
import { formatMeters } from '../format.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.ts';
import { kindNames } from '../kinds.ts';
import { useLive } from '../live.ts';
import { useTenant } from '../tenant/state.ts';

type Props = Record<string, unknown> & { cluster: boolean; id: string | number };
type Feature = GeoJSON.Feature<GeoJSON.Point, Props>;

/**
 * Every device on the map, clustered by the server for the viewport, coloured by state; the
 * districts' outlines; today's waste collection round. The list beside it offers the same clusters
 * and devices to the keyboard.
 */
export function MapPage() {
  const { t, lang, timeZone } = useI18n();
  const { settings } = useTenant();
  const container = useRef<HTMLElement>(null);
  const mapRef = useRef<MapLibreMap | undefined>(undefined);
  const [features, setFeatures] = useState<Feature[]>([]);
  const [selected, setSelected] = useState<string | undefined>();
  const [kind, setKind] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [round, setRound] = useState<{ stops: number; meters: number } | undefined>();
  const [showRound, setShowRound] = useState(true);
  const filterRef = useRef<Record<string, string>>({});
  filterRef.current = kind ? { kind } : {};
  const reloadRef = useRef<() => void>(() => {});
  const [loaded, setLoaded] = useState(false);
  const [coverage, setCoverage] = useState<CoveragePick>({ on: false, day: today(timeZone), hour: '' });
  const [cells, setCells] = useState<CoverageCells | undefined>();

  useEffect(() => {
    if (!settings || !container.current) return;
    const map = createCityMap(container.current, settings, {
      'NavigationControl.ZoomIn': t('map.zoomIn'),
      'NavigationControl.ZoomOut': t('map.zoomOut'),
    });
    mapRef.current = map;
    let request = 0;
    const load = () => {
      const b = map.getBounds();
      const mine = ++request;
      api
        .clusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], map.getZoom(), filterRef.current)
        .then(
          (fc) => {
            if (mine !== request) return;
            setSource(map, 'devices', fc);
            setFeatures(fc.features as Feature[]);
            setError(undefined);
          },
          (e: Error) => setError(e),
        );
    };
    reloadRef.current = load;
    map.on('load', () => {
      setLoaded(true);
      map.getCanvas().setAttribute('aria-label', t('map.canvasLabel'));
      load();
      api.districts().then((d) => setSource(map, 'districts', d), setError);
      api.collection().then((c) => {
        const line = [c.depot, ...c.stops.map((s) => s.location), c.depot].map((p) => [p.lon, p.lat]);
        setSource(map, 'route', {
          type: 'Feature',
          properties: {},
          geometry: { type: 'LineString', coordinates: c.stops.length ? line : [] },
        });
        setRound({ stops: c.stops.length, meters: c.totalMeters });
      }, setError);
    });
    map.on('moveend', load);
    map.on('click', 'devices', (e) => {
      const id = e.features?.[0]?.properties?.id;
      if (id) setSelected(String(id));
    });
    map.on('click', 'clusters', (e) => {
      const f = e.features?.[0];
      if (f) zoomInto(map, f as unknown as Feature);
    });
    for (const layer of ['devices', 'clusters']) {
      map.on('mouseenter', layer, () => {
        map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', layer, () => {
        map.getCanvas().style.cursor = '';
      });
    }
    return () => {
      map.remove();
      mapRef.current = undefined;
      setLoaded(false);
    };
  }, [settings, t]);

  useEffect(() => reloadRef.current(), [kind]);
  // The coverage layer: read for the hour or day picked, drawn under the devices.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    showCoverage(map, coverage.on);
    if (!coverage.on) return setCells(undefined);
    const { from, to, granularity } = coverageRange(coverage, timeZone);
    let current = true;
    api.coverage(from, to, granularity).then((fc) => {
      if (!current) return;
      setSource(map, 'coverage', fc as GeoJSON.FeatureCollection);
      setCells(fc);
    }, setError);
    return () => {
      current = false;
    };
  }, [coverage, loaded, timeZone]);
  useEffect(() => {
    if (mapRef.current?.getLayer('route'))
      mapRef.current.setLayoutProperty('route', 'visibility', showRound ? 'visible' : 'none');
  }, [showRound]);

  // A device's state changed: recolour it where it is shown alone, else read the viewport again.
  const pending = useRef<number | undefined>(undefined);
  useLive('device', ({ id, state }) => {
    const map = mapRef.current;
    if (!map) return;
    const single = features.find((f) => !f.properties.cluster && f.properties.id === id);
    if (single) {
      const next = features.map((f) => (f === single ? { ...f, properties: { ...f.properties, state } } : f));
      setFeatures(next);
      setSource(map, 'devices', { type: 'FeatureCollection', features: next });
    } else if (pending.current === undefined) {
      pending.current = window.setTimeout(() => {
        pending.current = undefined;
        reloadRef.current();
      }, 1000);
    }
  });
  useLive('connected', () => reloadRef.current());

  const clusters = features.filter((f) => f.properties.cluster);
  const devices = features.filter((f) => !f.properties.cluster);
  return (
    <section class="map-page">
      <PageTitle>{t('map.title')}</PageTitle>
      <div class="toolbar">
        <label>
          {t('common.kind')}{' '}
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            <option value="">{t('common.all')}</option>
            {kindNames.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={showRound}
            onChange={(e) => setShowRound((e.target as HTMLInputElement).checked)}
          />{' '}
          {t('map.showRound')}
        </label>
        <CoverageControls pick={coverage} onPick={setCoverage} timeZone={timeZone} />
        {round && (
          <span class="muted" data-testid="round">
            {t('map.round', { stops: round.stops, length: formatMeters(round.meters, lang) })}
          </span>
        )}
      </div>
      <ErrorNote error={error} />
      {!settings && <p>{t('common.loading')}</p>}
      <div class="map-layout">
        <div class="map-box">
          <section ref={container} class="map" aria-label={t('map.regionLabel')} />
          <ul class="legend" aria-label={t('map.legend')}>
            {mapStates.map((s) => (
              <li key={s}>
                <span class="swatch" style={{ background: stateColours[s] }} aria-hidden="true" />
                {t(`state.${s}` as MessageKey)}
              </li>
            ))}
          </ul>
          {coverage.on && <CoverageLegend cells={cells} />}
        </div>
        <div class="map-side">
          {selected && <DevicePanel id={selected} onClose={() => setSelected(undefined)} />}
          <h2 id="in-view">{t('map.inView', { devices: devices.length, clusters: clusters.length })}</h2>
          <ul class="in-view" aria-labelledby="in-view" data-testid="map-list">
            {clusters.map((f) => (
              <li key={`c${f.properties.id}`}>
                <button
                  type="button"
                  class="link"
                  onClick={() => mapRef.current && zoomInto(mapRef.current, f)}
                >
                  {t('map.cluster', { count: Number(f.properties.count) })}
                </button>{' '}
                <StateBadge state={f.properties.worst as MapState} />
              </li>
            ))}
            {devices.map((f) => (
              <li key={String(f.properties.id)}>
                <button type="button" class="link" onClick={() => setSelected(String(f.properties.id))}>
                  {String(f.properties.id)}
                </button>{' '}
                <span class="muted">{t(`kind.${f.properties.kind}` as MessageKey)}</span>{' '}
                <StateBadge state={f.properties.state as MapState} />
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}

function zoomInto(map: MapLibreMap, f: Feature) {
  map.easeTo({
    center: f.geometry.coordinates as [number, number],
    zoom: Number(f.properties.expansionZoom ?? map.getZoom() + 2),
  });
}
