import { createLogger } from '../shared/log.ts';
import { Cloud } from './cloud.ts';
import { loadCloudConfig } from './config.ts';
import { openInflux } from './storage/influx-setup.ts';

/** Entry point of the cloud process: `npm run cloud`. Configuration comes from the environment. */
const config = loadCloudConfig();
const log = createLogger('cloud', config.LOG_LEVEL);
try {
  const { influx, local } = await openInflux(config, log);
  const cloud = new Cloud({ config, log, influx });
  await cloud.start();
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await cloud.stop();
    await local?.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  log.fatal({ err: error }, (error as Error).message);
  process.exit(1);
}
