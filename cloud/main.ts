import { createLogger } from '../shared/log.ts';
import { Cloud } from './cloud.ts';
import { loadCloudConfig } from './config.ts';
import { openInflux } from './storage/influx-setup.ts';

/** Entry point of the cloud process: `npm run cloud`. Configuration comes from the environment. */
async function main() {
  const config = loadCloudConfig();
  const log = createLogger('cloud', config.LOG_LEVEL);
  const { influx, local } = await openInflux(config, log);
  const cloud = new Cloud({
    config,
    log,
    influx,
    onFatal: () => {
      log.fatal('exiting: storage failed');
      void cloud
        .stop()
        .then(() => local?.stop())
        .finally(() => process.exit(1));
    },
  });
  await cloud.start();
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await cloud.stop();
    await local?.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(`cloud failed to start: ${error.message}`);
  process.exit(1);
});
