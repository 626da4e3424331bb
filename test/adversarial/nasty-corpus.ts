/**
 * Nasty inputs for the MQTT payloads and the REST API (issue 6, "Bad input, tried on purpose").
 * Items are JSON *text*, so that what JSON.stringify cannot write (1e309, -0, lone surrogates,
 * duplicate keys, `__proto__` as an own key) reaches the parser exactly as an attacker sends it.
 *
 * `accept`: true = must be accepted and stored exactly; false = must be rejected (and dead-lettered);
 * undefined = either is fine, but it must be handled consistently.
 */

export interface NastyPayload {
  name: string;
  payload: string | Uint8Array;
  /** Found a source bug once (now fixed); the tests publish it separately with its own test. */
  knownBug?: string;
}

export interface NastyItem {
  name: string;
  /** JSON text of one reading or one event. */
  json: string;
  accept?: boolean;
  /** The device id a stored point must carry (when accepted). */
  deviceId?: string;
  /** Valid on its own; refused by the registry (so decodeMessage alone accepts it). */
  registryRejects?: true;
}

const q = JSON.stringify;
export const megabyte = 'x'.repeat(1024 * 1024);
export const deepArrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
export const deepObjects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

/** Strings that break parsers, line protocol, SQL LIKE, URLs and terminals. */
export const nastyStrings: string[] = [
  '',
  ' ',
  'a,b=c d',
  'a\\',
  '\\',
  'a\nb',
  'a\r\nb',
  'a\u0000b',
  '\u007f',
  '"quoted"',
  "'single'",
  '%',
  '_',
  '%_%',
  '*',
  '..',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '\u202eRTL-override',
  'مصباح-١',
  '💡🗑️📷',
  '\ud800',
  '\udfff\ud800',
  '\ufeffbom',
  '\uffff',
  'x'.repeat(129),
  'x'.repeat(100_000),
  '<script>alert(1)</script>',
  "'; DROP TABLE devices; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style lookup, on purpose
  '${jndi:ldap://x}',
  '1e309',
  'NaN',
  '-0',
  'null',
  'true',
  '[]',
  '{}',
];

/** Device ids that contain line-protocol metacharacters and are nevertheless valid. */
export const allowedMetaIds: string[] = [
  'adv lamp 1',
  'adv,lamp,2',
  'adv=lamp=3',
  'adv "lamp" 4',
  "adv 'lamp' 5",
  'adv,a=b c"d\'e 6',
  'adv-ünïcödé-灯-7',
  'adv-\u202e-rtl-8',
  'adv-💡-9',
  ' adv-leading-space-10',
  'adv-trailing-space-11 ',
  '__proto__',
  'constructor',
  `adv-${'y'.repeat(124)}`,
];

/** Whole messages for the telemetry and events topics of gateway `gw`; all are rejected. */
export function nastyPayloads(gw: string, now: Date): NastyPayload[] {
  const sentAt = now.toISOString();
  const env = (extra: string) => `{"v":1,"gatewayId":${q(gw)},"sentAt":${q(sentAt)},"batchId":"b"${extra}}`;
  const good = `{"deviceId":"adv-env","kind":"streetlight","ts":${q(sentAt)},"metrics":{"activePower":1}}`;
  const goodBody = `,"readings":[${good}],"events":[]`;
  return [
    { name: 'empty', payload: '' },
    { name: 'whitespace', payload: ' \n\t ' },
    { name: 'null', payload: 'null' },
    { name: 'true', payload: 'true' },
    { name: 'zero', payload: '0' },
    { name: 'string', payload: '"hello"' },
    { name: 'empty array', payload: '[]' },
    { name: 'empty object', payload: '{}' },
    { name: 'truncated JSON', payload: '{"v":1, not json' },
    { name: 'bare NaN', payload: 'NaN' },
    { name: 'bare Infinity', payload: 'Infinity' },
    { name: 'NaN in JSON', payload: env(`,"readings":[{"metrics":{"activePower":NaN}}]`) },
    { name: 'v is 1e309', payload: `{"v":1e309,"gatewayId":${q(gw)}}` },
    { name: 'v is "1"', payload: env('').replace('"v":1', '"v":"1"') },
    { name: 'v is 2', payload: env(goodBody).replace('"v":1', '"v":2') },
    { name: 'trailing comma', payload: `${env(goodBody).slice(0, -1)},}` },
    { name: 'single quotes', payload: "{'v':1}" },
    { name: 'comment', payload: `/* hi */${env(goodBody)}` },
    {
      name: 'utf-8 BOM',
      payload: `\ufeff${env(goodBody)}`,
      knownBug:
        'dead-letters/store.ts:121 TextDecoder drops the BOM: the dead letter does not show the payload',
    },
    { name: 'invalid utf-8', payload: Uint8Array.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]) },
    { name: 'NUL bytes', payload: Uint8Array.from([0, 0, 0, 0]) },
    { name: 'lone surrogate escape', payload: '"\\ud800"' },
    { name: 'readings is an object', payload: env(`,"readings":{"0":${good}}`) },
    { name: 'readings is a string', payload: env(`,"readings":"${good.replaceAll('"', '\\"')}"`) },
    { name: 'readings empty', payload: env(',"readings":[],"events":[]') },
    { name: 'no batch array', payload: env('') },
    { name: 'batchId empty', payload: env(goodBody).replace('"batchId":"b"', '"batchId":""') },
    { name: 'batchId 1 MB', payload: env(goodBody).replace('"batchId":"b"', `"batchId":"${megabyte}"`) },
    { name: 'batchId number', payload: env(goodBody).replace('"batchId":"b"', '"batchId":7') },
    { name: 'sentAt malformed', payload: env(goodBody).replace(sentAt, 'yesterday') },
    { name: 'sentAt year 0', payload: env(goodBody).replace(sentAt, '0000-01-01T00:00:00Z') },
    { name: 'gatewayId of another gateway', payload: env(goodBody).replace(q(gw), '"gw-other"') },
    { name: 'gatewayId upper case', payload: env(goodBody).replace(q(gw), q(gw.toUpperCase())) },
    { name: 'gatewayId null', payload: env(goodBody).replace(q(gw), 'null') },
    { name: 'gatewayId 1 MB', payload: env(goodBody).replace(q(gw), `"${megabyte}"`) },
    { name: 'gatewayId line protocol', payload: env(goodBody).replace(q(gw), q(`${gw},x=1 y`)) },
    { name: 'extra field', payload: env(`${goodBody},"extra":true`) },
    { name: 'image at envelope', payload: env(`${goodBody},"image":"${'A'.repeat(4096)}"`) },
    { name: '__proto__ key', payload: env(`${goodBody},"__proto__":{"polluted":true}`) },
    { name: 'constructor key', payload: env(`${goodBody},"constructor":{"prototype":{"polluted":true}}`) },
    { name: '1001 readings', payload: env(`,"readings":[${Array(1001).fill(good).join(',')}]`) },
    { name: '10,000 nested arrays', payload: deepArrays(10_000) },
    { name: '10,000 nested arrays in an extra field', payload: env(`${goodBody},"x":${deepArrays(10_000)}`) },
    { name: '10,000 nested objects as readings', payload: env(`,"readings":[${deepObjects(10_000)}]`) },
    {
      name: '10,000 nested arrays as gatewayId',
      payload: `{"v":1,"gatewayId":${deepArrays(10_000)}}`,
      knownBug: 'decode.ts:113 JSON.stringify(claimed) overflows the stack: decodeMessage throws',
    },
    { name: '1 MB string', payload: q(megabyte) },
  ];
}

const reading = (deviceId: string, kind: string, ts: string, metrics: string, extra = '') =>
  `{"deviceId":${q(deviceId)},"kind":${q(kind)},"ts":${q(ts)},"metrics":${metrics}${extra}}`;

/** Readings, each with its own device id unless the test is about the id; `now` is the batch time. */
export function nastyReadings(now: Date): NastyItem[] {
  const ts = new Date(now.getTime() - 60_000).toISOString();
  const lamp = (name: string, metrics: string, accept?: boolean, t = ts): NastyItem => ({
    name,
    json: reading(`adv-r-${name}`, 'streetlight', t, metrics),
    accept,
    deviceId: `adv-r-${name}`,
  });
  const cam = (name: string, metrics: string, accept?: boolean): NastyItem => ({
    name,
    json: reading(`adv-c-${name}`, 'camera', ts, metrics),
    accept,
    deviceId: `adv-c-${name}`,
  });
  const id = (name: string, deviceId: string, accept?: boolean): NastyItem => ({
    name,
    json: reading(deviceId, 'wasteBin', ts, '{"fillingLevel":50}'),
    accept,
    deviceId,
  });
  const plusMinutes = (m: number) => new Date(now.getTime() + m * 60_000);
  const withOffset = (d: Date, offset: string, sign: 1 | -1, hours: number) =>
    `${new Date(d.getTime() + sign * hours * 3_600_000).toISOString().slice(0, 19)}${offset}`;
  return [
    lamp('baseline lamp', '{"powerState":"on","dimmingLevel":100,"activePower":61.5,"status":"ok"}', true),
    lamp('minus zero', '{"dimmingLevel":-0}', true),
    lamp('tiny denormal', '{"powerFactor":5e-324}', true),
    lamp('upper bounds', '{"dimmingLevel":100,"energyConsumed":1e7,"powerFactor":1}', true),
    lamp('1e309', '{"activePower":1e309}', false),
    lamp('-1e309', '{"activePower":-1e309}', false),
    lamp('1e308', '{"activePower":1e308}', false),
    lamp('negative', '{"activePower":-1}', false),
    lamp('just above max', '{"powerFactor":1.0000000000000002}', false),
    lamp('"NaN" string', '{"activePower":"NaN"}', false),
    lamp('"Infinity" string', '{"activePower":"Infinity"}', false),
    lamp('number as string', '{"activePower":"42"}', false),
    lamp('boolean for number', '{"activePower":true}', false),
    lamp('null metric', '{"activePower":null}', false),
    lamp('array metric', '{"activePower":[1]}', false),
    lamp('object metric', '{"activePower":{"$numberDouble":"NaN"}}', false),
    lamp('enum wrong case', '{"powerState":"ON"}', false),
    lamp('enum with newline', '{"status":"ok\\n"}', false),
    lamp('no metrics', '{}', false),
    lamp('metrics null', 'null', false),
    lamp('metrics array', '[1,2]', false),
    lamp('unknown metric', '{"activePower":1,"faceImage":"x"}', false),
    lamp('__proto__ metric', '{"activePower":1,"__proto__":{"polluted":true}}', false),
    lamp('constructor metric', '{"constructor":1}', false),
    // Issue 13: refused (the whole message), where JSON.parse silently kept the last value.
    lamp('duplicate key', '{"activePower":-5,"activePower":5}', false),
    lamp('deep metric value', `{"activePower":${deepArrays(10_000)}}`, false),
    lamp('1 MB enum value', `{"status":"${megabyte}"}`, false),
    lamp('epoch 1970', '{"activePower":1}', false, '1970-01-01T00:00:00Z'),
    lamp('year 0', '{"activePower":1}', false, '0000-01-01T00:00:00Z'),
    lamp('year 9999', '{"activePower":1}', false, '9999-12-31T23:59:59.999Z'),
    lamp('8 days old', '{"activePower":1}', false, plusMinutes(-8 * 1440).toISOString()),
    lamp('1 hour ahead', '{"activePower":1}', false, plusMinutes(60).toISOString()),
    lamp('Feb 30', '{"activePower":1}', false, '2026-02-30T00:00:00Z'),
    lamp('no zone', '{"activePower":1}', false, ts.slice(0, 19)),
    lamp('lower-case z', '{"activePower":1}', false, ts.replace('Z', 'z')),
    lamp('space for T', '{"activePower":1}', false, ts.replace('T', ' ')),
    lamp('seconds 60', '{"activePower":1}', false, `${ts.slice(0, 17)}60Z`),
    lamp('expanded year', '{"activePower":1}', false, '+275760-09-13T00:00:00Z'),
    lamp('words', '{"activePower":1}', false, 'yesterday'),
    lamp('offset plus 14h', '{"activePower":2}', true, withOffset(plusMinutes(-2), '+14:00', 1, 14)),
    lamp('offset minus 12h', '{"activePower":3}', true, withOffset(plusMinutes(-3), '-12:00', -1, 12)),
    lamp('30 fraction digits', '{"activePower":4}', true, `${ts.slice(0, 19)}.${'1'.repeat(30)}Z`),
    {
      name: 'ts as number',
      json: reading('adv-r-ts-number', 'streetlight', ts, '{"activePower":1}').replace(
        q(ts),
        String(now.getTime()),
      ),
      accept: false,
    },
    cam('baseline camera', '{"streamStatus":"online","peopleCount":37,"crowdDensity":0.12,"rsrp":-88}', true),
    cam('fractional count', '{"peopleCount":1.5}', false),
    cam('negative count', '{"peopleCount":-5}', false),
    cam('unsafe integer', '{"vehicleCount":9007199254740993}', false),
    cam('rsrp above range', '{"rsrp":0}', false),
    cam('image metric', `{"peopleCount":1,"image":"data:image/jpeg;base64,${'/9j/'.repeat(256)}"}`, false),
    {
      name: 'image beside metrics',
      json: reading('adv-c-image', 'camera', ts, '{"peopleCount":1}', ',"image":"/9j/4AAQSkZJRg=="'),
      accept: false,
    },
    {
      name: 'kind with camera metrics',
      json: reading('adv-r-kind-mix', 'streetlight', ts, '{"peopleCount":1}'),
      accept: false,
    },
    {
      name: 'unknown kind',
      json: reading('adv-r-toaster', 'toaster', ts, '{"activePower":1}'),
      accept: false,
    },
    {
      name: 'kind of a known device',
      json: reading('adv-r-baseline lamp', 'camera', ts, '{"peopleCount":1}'),
      accept: false,
      registryRejects: true,
    },
    { name: 'reading is null', json: 'null', accept: false },
    { name: 'reading is a string', json: '"reading"', accept: false },
    { name: 'reading is an array', json: `[${reading('adv-arr', 'wasteBin', ts, '{}')}]`, accept: false },
    {
      name: 'dateLastEmptying malformed',
      json: reading('adv-b-date', 'wasteBin', ts, '{"dateLastEmptying":"last tuesday"}'),
      accept: false,
    },
    id('id empty', '', false),
    id('id 129 chars', 'x'.repeat(129), false),
    id('id 1 MB', megabyte, false),
    id('id newline', 'adv\nid', false),
    id('id CR', 'adv\rid', false),
    id('id tab', 'adv\tid', false),
    id('id NUL', 'adv\u0000id', false),
    id('id DEL', 'adv\u007fid', false),
    id('id trailing backslash', 'adv-id\\', false),
    id('id backslash', 'adv\\id', false),
    id('id slash', 'adv/id', false),
    id('id hash', 'adv#id', false),
    id('id plus', 'adv+id', false),
    {
      name: 'id number',
      json: reading('x', 'wasteBin', ts, '{"fillingLevel":1}').replace('"x"', '42'),
      accept: false,
    },
    {
      name: 'id null',
      json: reading('x', 'wasteBin', ts, '{"fillingLevel":1}').replace('"x"', 'null'),
      accept: false,
    },
    id('id lone surrogate', 'adv-\ud800-lone'),
    id('id noncharacter', 'adv-\uffff-nonchar'),
    id('id NEL and LS', 'adv-\u0085-\u2028'),
    ...allowedMetaIds.map((deviceId, n) => id(`allowed id ${n}`, deviceId, true)),
    {
      name: 'boolean as string',
      json: reading('adv-b-bool', 'wasteBin', ts, '{"lidOpen":"false"}'),
      accept: false,
    },
  ];
}

/** Events for the events topic. */
export function nastyEvents(now: Date): NastyItem[] {
  const ts = new Date(now.getTime() - 60_000).toISOString();
  const event = (name: string, body: string, accept?: boolean): NastyItem => ({
    name,
    json: `{"deviceId":${q(`adv-e-${name}`)},"kind":"streetlight","ts":${q(ts)}${body}}`,
    accept,
    deviceId: `adv-e-${name}`,
  });
  return [
    event('plain', ',"type":"lampFault"', true),
    // Events carry no free text (data minimisation): any detail is refused, however harmless.
    event(
      'detail with metacharacters',
      `,"type":"lampFault","detail":${q('a,b=c "d" \\ e \'f\' 💡')}`,
      false,
    ),
    event('detail 500 chars', `,"type":"lampFault","detail":"${'d'.repeat(500)}"`, false),
    event('value of its kind', ',"type":"switchedOn","values":{"switchedBy":"operator"}', true),
    event('value outside its enumeration', ',"type":"switchedOn","values":{"switchedBy":"Jan Novák"}', false),
    event('detail 501 chars', `,"type":"lampFault","detail":"${'d'.repeat(501)}"`, false),
    event('detail 1 MB', `,"type":"lampFault","detail":"${megabyte}"`, false),
    event('detail newline', ',"type":"lampFault","detail":"line1\\nline2"', false),
    event('detail NUL', ',"type":"lampFault","detail":"a\\u0000b"', false),
    event('detail number', ',"type":"lampFault","detail":5', false),
    event('type of another kind', ',"type":"tamper"', false),
    event('type unknown', ',"type":"explode"', false),
    event('type missing', '', false),
    event('extra field', ',"type":"lampFault","severity":"high"', false),
    event('__proto__', ',"type":"lampFault","__proto__":{"polluted":true}', false),
    event('metrics on an event', ',"type":"lampFault","metrics":{"activePower":1}', false),
  ];
}

/** REST bodies (text), for POST .../commands and PUT .../config. */
export const nastyBodies: { name: string; body: string }[] = [
  { name: 'empty', body: '' },
  { name: 'invalid JSON', body: '{"command": ' },
  { name: 'NaN', body: '{"command":{"action":"setDimming","level":NaN}}' },
  { name: 'null', body: 'null' },
  { name: 'number', body: '42' },
  { name: 'string', body: '"switch"' },
  { name: 'array', body: '[{"command":{"action":"reboot"}}]' },
  { name: 'empty object', body: '{}' },
  { name: 'level 1e309', body: '{"command":{"action":"setDimming","level":1e309}}' },
  { name: 'level -1', body: '{"command":{"action":"setDimming","level":-1}}' },
  { name: 'level string', body: '{"command":{"action":"setDimming","level":"50"}}' },
  { name: 'ttl huge', body: '{"command":{"action":"switch","on":true},"ttlS":1e300}' },
  { name: 'ttl negative', body: '{"command":{"action":"switch","on":true},"ttlS":-1}' },
  { name: 'ttl fraction', body: '{"command":{"action":"switch","on":true},"ttlS":0.5}' },
  { name: 'unknown action', body: '{"command":{"action":"selfDestruct"}}' },
  { name: 'extra field', body: '{"command":{"action":"switch","on":true},"extra":1}' },
  { name: '__proto__', body: '{"command":{"action":"switch","on":true},"__proto__":{"polluted":true}}' },
  { name: 'constructor', body: '{"constructor":{"prototype":{"polluted":true}}}' },
  { name: 'deep arrays', body: `{"command":${deepArrays(10_000)}}` },
  { name: 'deep objects', body: `{"command":${deepObjects(5_000)}}` },
  { name: 'reporting interval 0', body: '{"reportingIntervalS":0}' },
  { name: 'reporting interval NaN string', body: '{"reportingIntervalS":"NaN"}' },
  { name: 'reporting interval 1e309', body: '{"reportingIntervalS":1e309}' },
  { name: 'deadband negative', body: '{"reportingIntervalS":60,"deadband":{"activePower":-1}}' },
  { name: 'deadband long key', body: `{"reportingIntervalS":60,"deadband":{"${'k'.repeat(65)}":1}}` },
  { name: 'deadband __proto__', body: '{"reportingIntervalS":60,"deadband":{"__proto__":-1}}' },
  { name: 'version set by client', body: '{"reportingIntervalS":60,"version":99}' },
  { name: 'unicode garbage', body: '\ud800\udfff\u0000' },
];
