import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecSandbox } from '../../edge/drivers/chirpstack/sandbox/codec-sandbox.ts';
import { CodecSandboxError } from '../../edge/drivers/chirpstack/sandbox/failure.ts';
import { loraDocBlocks } from '../helpers/drivers-doc.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * A city's codecs in the sandbox (QuickJS in WebAssembly, in a process of its own): whatever a codec does,
 * the call ends with an enumerated failure and the sandbox goes on serving the other codecs.
 */
// Deadlines far apart, so that which of QuickJS and the host stops a codec never depends on how
// busy the machine is.
const limits = { timeoutMs: 1_000, memoryBytes: 16 << 20, stackBytes: 256 << 10, maxOutputChars: 64 << 10 };
const sandbox = new CodecSandbox({ ...limits, terminateAfterMs: 20_000 });
afterAll(() => sandbox.close());

const input = {
  bytes: [0x2a, 0x01],
  fPort: 5,
  recvTime: new Date('2026-11-01T12:00:00Z'),
  variables: { depth: '90' },
};
const good = sandbox.codec(
  'good.js',
  `function decodeUplink(input) {
     return { data: { metrics: { fillingLevel: input.bytes[0], depth: Number(input.variables.depth) } },
              warnings: [input.recvTime.toISOString()] };
   }
   function encodeDownlink(input) { return { fPort: 9, bytes: [input.data.action.length] }; }`,
);

async function failure(call: unknown): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(CodecSandboxError);
    return { code: (error as CodecSandboxError).code, message: (error as Error).message };
  }
  throw new Error('the codec call succeeded');
}

const decodeWith = (name: string, source: string) => sandbox.codec(name, source).decodeUplink(input);

describe('the codec sandbox', () => {
  it("runs a city's codec: decodeUplink gets the frame, port, time and variables; encodeDownlink our command", async () => {
    expect(await good.decodeUplink(input)).toEqual({
      data: { metrics: { fillingLevel: 42, depth: 90 } },
      warnings: ['2026-11-01T12:00:00.000Z'],
    });
    expect(await good.encodeDownlink({ data: { action: 'switch', on: true }, variables: {} })).toEqual({
      fPort: 9,
      bytes: [6],
    });
  });

  it('runs the codec example of docs/drivers.md as its comments say', async () => {
    const example = sandbox.codec('example.js', loraDocBlocks('js')[0] ?? '');
    expect(await example.decodeUplink({ ...input, bytes: [96, 80], fPort: 1 })).toEqual({
      data: {
        metrics: { fillingLevel: 96, batteryLevel: 80 },
        events: [{ type: 'lidOpened', values: { fillingLevel: 96 } }],
      },
    });
    expect(await example.decodeUplink({ ...input, bytes: [1], fPort: 1 })).toEqual({
      errors: ['expected 2 bytes on fPort 1'],
    });
    expect(await example.encodeDownlink({ data: { action: 'requestStatus' }, variables: {} })).toEqual({
      fPort: 2,
      bytes: [1],
    });
  });

  it('stops an endless loop at its deadline, and the next call runs', async () => {
    const loop = `function decodeUplink(input) { for (;;) {} }`;
    expect(await failure(decodeWith('loop.js', loop))).toEqual({
      code: 'codecTimeout',
      message: 'InternalError: interrupted',
    });
    expect(await good.decodeUplink(input)).toMatchObject({ data: { metrics: { fillingLevel: 42 } } });
  });

  it('stops a huge allocation at its memory limit, and endless recursion at its stack limit', async () => {
    const huge = `function decodeUplink(input) { return { data: { metrics: { x: new Array(1e9).fill(0) } } }; }`;
    expect(await failure(decodeWith('huge.js', huge))).toEqual({
      code: 'codecOutOfMemory',
      message: 'InternalError: out of memory',
    });
    const deep = `function decodeUplink(input) { function f(n) { return f(n + 1) + 1; } return f(0); }`;
    expect((await failure(decodeWith('deep.js', deep))).code).toBe('codecStackOverflow');
    // A stack limit beyond what WebAssembly's own stack holds: the host's overflow, reported the same.
    // (Time enough that only the stack can end it.)
    const roomy = new CodecSandbox({
      ...limits,
      stackBytes: 4 << 20,
      timeoutMs: 10_000,
      terminateAfterMs: 20_000,
    });
    try {
      expect((await failure(roomy.codec('deep.js', deep).decodeUplink(input))).code).toBe(
        'codecStackOverflow',
      );
    } finally {
      await roomy.close();
    }
    expect(await good.decodeUplink(input)).toMatchObject({ data: { metrics: { fillingLevel: 42 } } });
  });

  it('kills the process of a codec QuickJS does not stop in time, and serves the others again', async () => {
    // QuickJS checks its deadline between bytecodes, not inside native code (near its memory limit it
    // collects garbage on every allocation: a codec hoarding memory ran 7 s past a 100 ms deadline).
    // A deadline QuickJS would keep for a minute stands for such a codec here.
    const slow = new CodecSandbox({ ...limits, timeoutMs: 60_000, terminateAfterMs: 1_000 });
    try {
      const loop = `function decodeUplink() { for (;;) {} }`;
      expect(await failure(slow.codec('loop.js', loop).decodeUplink(input))).toEqual({
        code: 'codecTimeout',
        message: 'no answer within 1000 ms: the sandbox process was killed',
      });
      const after = slow.codec('good.js', `function decodeUplink(input) { return { data: {} }; }`);
      expect(await after.decodeUplink(input)).toEqual({ data: {} });
    } finally {
      await slow.close();
    }
  });

  it('reports a codec that throws, has no decodeUplink, or is not JavaScript', async () => {
    const throwing = `function decodeUplink(input) { throw new Error('unknown frame type ' + input.bytes[0]); }`;
    expect(await failure(decodeWith('throwing.js', throwing))).toEqual({
      code: 'codecThrew',
      message: 'Error: unknown frame type 42',
    });
    expect(await failure(decodeWith('empty.js', 'var decoder = 1;'))).toEqual({
      code: 'codecMissingFunction',
      message: 'the codec has no decodeUplink',
    });
    expect((await failure(decodeWith('broken.js', 'function decodeUplink(input) {'))).code).toBe(
      'codecThrew',
    );
  });

  it('refuses answers of the wrong shape or size', async () => {
    const cases = {
      'number.js': 'function decodeUplink() { return { data: 5 }; }',
      'nothing.js': 'function decodeUplink() {}',
      'promise.js': 'function decodeUplink() { return Promise.resolve({ data: {} }); }',
      'bytes.js':
        'function decodeUplink() { return { data: {} }; } function encodeDownlink() { return { bytes: [256] }; }',
    };
    for (const [name, source] of Object.entries(cases)) {
      const codec = sandbox.codec(name, source);
      const call =
        name === 'bytes.js'
          ? codec.encodeDownlink({ data: { action: 'x' }, variables: {} })
          : codec.decodeUplink(input);
      expect((await failure(call)).code, name).toBe('codecBadOutput');
    }
    const big = `function decodeUplink() { return { data: { metrics: { x: 'y'.repeat(100000) } } }; }`;
    expect((await failure(decodeWith('big.js', big))).code).toBe('codecOutputTooLarge');
  });

  it('has only ECMAScript built-ins: no network, file system, process, timers or modules', async () => {
    const ecmascript = new Set(
      (
        'Error EvalError RangeError ReferenceError SyntaxError TypeError URIError InternalError AggregateError ' +
        'Array Object Function Iterator parseInt parseFloat isNaN isFinite decodeURI decodeURIComponent encodeURI ' +
        'encodeURIComponent escape unescape Infinity NaN undefined eval Number Boolean String Math Reflect Symbol ' +
        'globalThis BigInt Date RegExp JSON Proxy Map Set WeakMap WeakSet ArrayBuffer SharedArrayBuffer ' +
        'Uint8ClampedArray Int8Array Uint8Array Int16Array Uint16Array Int32Array Uint32Array BigInt64Array ' +
        'BigUint64Array Float16Array Float32Array Float64Array DataView Promise WeakRef FinalizationRegistry ' +
        'decodeUplink'
      ).split(' '),
    );
    const names = `function decodeUplink() { return { data: { metrics: { names: Object.getOwnPropertyNames(globalThis) } } }; }`;
    const result = await decodeWith('globals.js', names);
    const seen = result.data?.metrics?.names as string[];
    expect(seen.length).toBeGreaterThan(50);
    expect(seen.filter((name) => !ecmascript.has(name))).toEqual([]);
  });

  it('cannot reach the network: fetch does not exist, and a listening server sees no connection', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const attempts = {
        'fetch.js': `fetch('http://127.0.0.1:${port}/')`,
        'xhr.js': `new XMLHttpRequest().open('GET', 'http://127.0.0.1:${port}/')`,
        'socket.js': `new WebSocket('ws://127.0.0.1:${port}/')`,
        'net.js': `require('net').connect(${port}, '127.0.0.1')`,
      };
      for (const [name, call] of Object.entries(attempts)) {
        const source = `function decodeUplink() { ${call}; return { data: {} }; }`;
        expect(await failure(decodeWith(name, source)), name).toMatchObject({
          code: 'codecThrew',
          message: expect.stringMatching(/^ReferenceError: '\w+' is not defined$/),
        });
      }
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('cannot reach the file system: no require, process or std/os modules, and no file is written', async () => {
    const dir = await tempDir('sandbox');
    const target = join(dir.path, 'written.txt');
    try {
      const attempts = {
        'require.js': `require('fs').writeFileSync(${JSON.stringify(target)}, 'x')`,
        'process.js': `process.exit(1)`,
        'std.js': `std.open(${JSON.stringify(target)}, 'w')`,
        'os.js': `os.open(${JSON.stringify(target)}, 1)`,
      };
      for (const [name, call] of Object.entries(attempts)) {
        const source = `function decodeUplink() { ${call}; return { data: {} }; }`;
        expect((await failure(decodeWith(name, source))).message, name).toMatch(/^ReferenceError: /);
      }
      // A module import is refused: QuickJS has no module loader here (scripts cannot import at all).
      const imported = `import * as std from 'std'; function decodeUplink() { return { data: {} }; }`;
      expect(await failure(decodeWith('import.js', imported))).toMatchObject({ code: 'codecThrew' });
      const dynamic = `var loaded = 'pending'; import('os').then(function () { loaded = 'yes'; }, function (e) { loaded = String(e); });
        function decodeUplink() { return { data: {}, warnings: [loaded] }; }`;
      expect((await decodeWith('dynamic.js', dynamic)).warnings).toEqual(['pending']);
      expect(existsSync(target)).toBe(false);
    } finally {
      await dir.remove();
    }
  });
});
