import { type LocalInfluxd, startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { tempDir } from './temp-dir.ts';

/** A real influxd on free loopback ports with its data in a temp directory, for one test file. */
export async function startTestInfluxd(): Promise<LocalInfluxd> {
  const dir = await tempDir('influxd');
  const influxd = await startLocalInfluxd(dir.path);
  return {
    url: influxd.url,
    rpcAddress: influxd.rpcAddress,
    pid: influxd.pid,
    stop: async () => {
      await influxd.stop();
      await dir.remove();
    },
  };
}
