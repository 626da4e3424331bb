import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkChannels } from '../../shared/topics.ts';
import { type PrivacyCity, startPrivacyCity } from './harness.ts';
import { freeFormText, nonJson, textIn, validMessage, variants } from './inputs.ts';
import { extraFields, type PersonalData, personalData } from './markers.ts';

/**
 * Personal data sent through every input, then searched for wherever data can end up (InfluxDB, the
 * files in DATA_DIR byte for byte, the logs, every REST answer for every role): none of it may be
 * found. Each case has markers of its own, so a leak names the case that caused it.
 */
let privacy: PrivacyCity;
let cases = 0;
const commandIds: string[] = [];
let alertId = '';

beforeAll(async () => {
  privacy = await startPrivacyCity();
  // Commands the gateway has not answered yet: one for each command result a case sends.
  for (let i = 0; i < 80; i++) {
    const created = await privacy.api('POST', `/devices/${privacy.cameraId}/commands`, {
      command: { action: 'reboot' },
    });
    commandIds.push(String(created.body.id));
  }
  // A tamper event fires the camera's default tamper alert: the alert the REST cases act on.
  await privacy.publish('events', [JSON.stringify(validMessage('events', fixtures()))]);
  const alerts = await privacy.api('GET', '/alerts?state=open');
  const tamper = (alerts.body.items as { id: string; ruleId: string }[]).find(
    (a) => a.ruleId === 'camera-tampered',
  );
  if (!tamper)
    throw new Error('the tamper event fired no alert: the alert cases would have nothing to act on');
  alertId = tamper.id;
}, 60_000);

afterAll(() => privacy?.stop());

function fixtures() {
  return {
    gatewayId: privacy.gatewayId,
    cameraId: privacy.cameraId,
    commandId: () => {
      const id = commandIds.shift();
      if (!id) throw new Error('the privacy suite ran out of unanswered commands');
      return id;
    },
  };
}

/** A case: its own personal data, sent by `send`, then found nowhere. */
function leakCase(name: string, send: (p: PersonalData) => Promise<void>) {
  const n = cases++;
  it(name, async () => {
    const p = personalData(n);
    await send(p);
    // One line per place a marker was found, so that a failure reads as the list of leaks.
    expect((await privacy.search(p.needles)).join('\n')).toBe('');
  });
}

const json = (messages: object[]) => messages.map((m) => JSON.stringify(m));

describe('personal data sent over MQTT is kept nowhere', () => {
  for (const channel of uplinkChannels) {
    const make = () => validMessage(channel, fixtures());
    for (const [variant, build] of Object.entries(variants))
      leakCase(`${channel}: ${variant}`, (p) => privacy.publish(channel, json(build(make, p, channel))));
    leakCase(`${channel}: not JSON (an image's bytes, text, JSON cut short)`, (p) =>
      privacy.publish(channel, nonJson(p)),
    );
    for (const path of freeFormText[channel])
      leakCase(`${channel}: free text in ${path.join('.')}`, (p) =>
        privacy.publish(channel, json(textIn(make, p, path))),
      );
  }
});

describe('personal data sent to the REST API is kept nowhere', () => {
  const rule = {
    id: 'privacy-rule',
    name: 'Crowded square',
    severity: 'minor',
    target: { kind: 'camera' },
    condition: { type: 'threshold', metric: 'peopleCount', op: '>', value: 500 },
    channels: ['log'],
  };

  leakCase('rules: extra fields, wrong types, markers as keys', async (p) => {
    const bodies = [
      { ...rule, ...extraFields(p) },
      { ...rule, target: { ...rule.target, ...extraFields(p) } },
      { ...rule, condition: { ...rule.condition, ...extraFields(p) } },
      { ...rule, severity: p.plate },
      { ...rule, condition: { ...rule.condition, value: p.embedding } },
      { ...rule, target: { kind: 'camera', device: p.imsi } },
      { ...rule, [p.plate2]: 1 },
    ];
    // Unknown fields of a rule are dropped (the rule schema strips them), the rest refused: either
    // way nothing of them is kept, which the search proves. A rule's names (name, description, and
    // also the metric and channels it names, which are not checked against the kind and the channel
    // list) are the operator's configuration, like the free text below.
    for (const body of bodies) {
      expect((await privacy.api('POST', '/rules', body)).status).toBeLessThan(500);
      expect((await privacy.api('POST', '/rules/dry-run?hours=1', body)).status).toBeLessThan(500);
    }
    expect((await privacy.api('POST', '/rules', `{"id":"${p.text}",`)).status).toBe(400);
  });

  leakCase('commands: extra fields, wrong types, free text, markers as keys', async (p) => {
    const path = `/devices/${privacy.cameraId}/commands`;
    const bodies = [
      { command: { action: 'reboot' }, ...extraFields(p) },
      { command: { action: 'reboot', ...extraFields(p) } },
      { command: { action: p.plate } },
      { command: { action: 'setReportingInterval', seconds: p.name } },
      { command: { action: 'reboot' }, ttlS: p.imsi },
      { command: { action: 'reboot', [p.mac]: 1 } },
      { command: p.embedding },
      { command: { action: 'reboot' }, [p.text]: 1 },
    ];
    for (const body of bodies) expect((await privacy.api('POST', path, body)).status).toBe(400);
    const group = { target: { kind: 'camera', district: p.plate2 }, command: { action: 'reboot' } };
    expect((await privacy.api('POST', '/commands', group)).status).toBe(422);
    expect(
      (await privacy.api('POST', `/devices/${encodeURIComponent(p.plate)}/commands`, bodies[0])).status,
    ).toBe(404);
  });

  leakCase('alert actions: extra fields, wrong types, markers as keys', async (p) => {
    const bodies: [string, object][] = [
      ['acknowledge', { note: 'checking', ...extraFields(p) }],
      ['comments', { text: 'on my way', ...extraFields(p) }],
      ['comments', { text: p.embedding }],
      ['assign', { assignee: [p.name, p.plate] }],
      ['resolve', { reason: 'fixed', [p.mac]: p.imsi }],
    ];
    for (const [action, body] of bodies)
      expect((await privacy.api('POST', `/alerts/${alertId}/${action}`, body)).status).toBe(400);
  });

  leakCase('query parameters of every list', async (p) => {
    const queries = [
      `/devices?q=${p.plate}`,
      `/devices?district=${p.name}`,
      `/devices?gateway=${p.mac}`,
      `/devices?${p.imsi}=1`,
      `/alerts?device=${p.plate2}`,
      `/alerts?district=${p.text}`,
      `/commands?deviceId=${p.imsi}`,
      `/dead-letters?gateway=${p.mac}`,
      `/dead-letters?reason=${p.name}`,
      `/series?kind=camera&metric=${p.plate}`,
      `/devices/${privacy.cameraId}/series?metric=${p.imageBase64.slice(0, 60)}`,
      `/map?district=${p.name}`,
      `/audit?actor=${p.plate}`,
    ];
    for (const query of queries) await privacy.api('GET', query.replaceAll(' ', '%20'));
  });
});

describe("operators' free text (alert notes, comments, assignee, resolution) is a work note by design", () => {
  it('is kept with the alert and in the audit log, shown to every role, and nowhere else', async () => {
    const note = 'lamp post 12: lens sprayed, cleaning booked';
    expect((await privacy.api('POST', `/alerts/${alertId}/comments`, { text: note })).status).toBe(200);
    const where = await privacy.search([note]);
    expect(
      where.filter(
        (place) =>
          !/^"[^"]+" in (GET \/api\/v1\/(alerts|audit)|file: tenants\/default\/cloud\.db)/.test(place),
      ),
    ).toEqual([]);
    for (const role of ['viewer', 'operator', 'admin'])
      expect(
        where.some((place) =>
          place.startsWith(`${JSON.stringify(note)} in GET /api/v1/alerts/${alertId} as ${role}:`),
        ),
      ).toBe(true);
  });
});
