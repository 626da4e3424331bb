import { createLogger } from '../shared/log.ts';
import { Cloud } from './cloud.ts';
import { loadCloudConfig } from './config.ts';
import { openInflux } from './storage/influx-setup.ts';

/** Entry point of the cloud process: `npm run cloud`. Configuration comes from the environment. */
async function main() {
  const config = loadCloudConfig();
  const log = createLogger('cloud', config.LOG_LEVEL);
  const { influx, local, stop: stopInfluxSetUp } = await openInflux(config, log);
  const shutdown = async (reason: string, code = 0) => {
    log.info({ reason }, 'shutting down');
    stopInfluxSetUp();
    await cloud.stop();
    await local?.stop();
    process.exit(code);
  };
  const cloud: Cloud = new Cloud({ config, log, influx, onFatal: () => void shutdown('storage failed', 1) });
  await cloud.start();
  process.once('SIGINT', (signal) => void shutdown(signal));
  process.once('SIGTERM', (signal) => void shutdown(signal));
}

main().catch((error: Error) => {
  console.error(`cloud failed to start: ${error.message}`);
  process.exit(1);
});
