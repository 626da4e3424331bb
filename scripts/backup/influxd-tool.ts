import { spawn } from 'node:child_process';

/** Runs `influxd <args>` (its backup and restore tools); rejects with its output when it fails. */
export function runInfluxd(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('influxd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new Error(`influxd ${args[0]} could not be run: ${error.message}`)));
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`influxd ${args.join(' ')} failed with code ${code}: ${output.trim()}`)),
    );
  });
}

export async function influxdVersion(): Promise<string | undefined> {
  try {
    return (await runInfluxd(['version'])).trim();
  } catch {
    return undefined;
  }
}
