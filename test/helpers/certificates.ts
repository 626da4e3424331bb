import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A throwaway CA, a server certificate for 127.0.0.1 and client certificates whose CN is a gateway id,
 * made with the openssl command line (as an operator would).
 */
export async function makeCertificates(dir: string, clients: string[]) {
  const path = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => run('openssl', args);
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
  );
  const sign = async (name: string, cn: string, extensions?: string) => {
    await ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      path(`${name}.key`),
      '-out',
      path(`${name}.csr`),
    );
    const args = [
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('ca.crt'),
      '-CAkey',
      path('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      path(`${name}.crt`),
    ];
    if (extensions) {
      await writeFile(path(`${name}.ext`), extensions);
      args.push('-extfile', path(`${name}.ext`));
    }
    await ssl(...args);
  };
  await sign('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  for (const client of clients) await sign(client, client);
  return {
    ca: path('ca.crt'),
    server: { cert: path('server.crt'), key: path('server.key') },
    client: (name: string) => ({ cert: path(`${name}.crt`), key: path(`${name}.key`) }),
  };
}
