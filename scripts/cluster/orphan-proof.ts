import { spawnSync } from 'node:child_process';

let hasSetpriv: boolean | undefined;

/**
 * The command and arguments that run `command` so that it cannot outlive this process, even one
 * killed with SIGKILL: util-linux's `setpriv --pdeathsig TERM` execs it (same pid) with the
 * parent-death signal set, as cloud/storage/local-influxd.ts starts influxd. Without setpriv (not
 * Linux) the command runs as it is, and only the exit handlers of its starter stop it.
 */
export function orphanProof(command: string, args: string[]): [string, string[]] {
  hasSetpriv ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return hasSetpriv ? ['setpriv', ['--pdeathsig', 'TERM', '--', command, ...args]] : [command, args];
}
