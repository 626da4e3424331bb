import type { Map as MapLibreMap } from 'maplibre-gl';

/**
 * The few browser globals that functions run in the page (page.evaluate) use, typed for a tsc that
 * runs without the DOM library: `const { document } = globalThis as unknown as PageGlobals`.
 */
export interface PageElement {
  id?: string;
  textContent: string | null;
  /** The console's MapLibre map, on its container (console/src/components/city-map.ts). */
  cityMap?: MapLibreMap;
}
export interface PageGlobals {
  document: {
    body: unknown;
    activeElement: PageElement | null;
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): Iterable<PageElement>;
  };
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: unknown, options: { childList: boolean; subtree: boolean }): void };
}
