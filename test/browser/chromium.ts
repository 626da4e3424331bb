import { type Browser, chromium } from 'playwright-core';

/** Chromium's flags for these machines (docs: /work/shared/REFERENCE.md): no network of its own. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** Debian's headless Chromium (never a downloaded one), for the browser tests and the bench. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
}
