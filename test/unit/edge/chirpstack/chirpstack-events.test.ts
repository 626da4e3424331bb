import { describe, expect, it } from 'vitest';
import {
  downlinkCommand,
  parseEvent,
  parseEventTopic,
} from '../../../../edge/drivers/chirpstack/chirpstack-events.ts';

/** The JSON examples of ChirpStack v4's documentation (integrations/events), abridged where noted. */
const deviceInfo = {
  tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
  tenantName: 'ChirpStack',
  applicationId: '17c82e96-be03-4f38-aef3-f83d48582d97',
  applicationName: 'Test application',
  deviceProfileId: '14855bf7-d10d-4aee-b618-ebfcb64dc7ad',
  deviceProfileName: 'Test device-profile',
  deviceName: 'Test device',
  devEui: '0101010101010101',
  tags: { key: 'value' },
};
const up = {
  deduplicationId: '3ac7e3c4-4401-4b8d-9386-a5c902f9202d',
  time: '2022-07-18T09:34:15.775023242+00:00',
  deviceInfo,
  devAddr: '00189440',
  dr: 1,
  fPort: 1,
  data: 'qg==',
  rxInfo: [
    { gatewayId: '0016c001f153a14c', uplinkId: 4217106255, rssi: -36, snr: 10.5, context: 'E3OWOQ==' },
  ],
  txInfo: { frequency: 867100000, modulation: { lora: { bandwidth: 125000, spreadingFactor: 11 } } },
};
const status = {
  deduplicationId: 'bf2a9746-1c8b-49be-a92e-f0b89c8534e4',
  time: '2022-07-18T09:35:06.927172638+00:00',
  deviceInfo,
  margin: 10,
  batteryLevel: 88.3,
};
const join = {
  deduplicationId: 'c9dbe358-2578-4fb7-b295-66b44edc45a6',
  time: '2022-07-18T09:33:28.823500726+00:00',
  deviceInfo,
  devAddr: '00189440',
};

describe('ChirpStack v4 events', () => {
  it("reads the documentation's uplink, status and join examples", () => {
    expect(parseEvent('up', up)).toMatchObject({
      success: true,
      data: { type: 'up', event: { fPort: 1, data: 'qg==', deviceInfo: { devEui: '0101010101010101' } } },
    });
    expect(parseEvent('status', status)).toMatchObject({
      success: true,
      data: { type: 'status', event: { margin: 10, batteryLevel: 88.3, externalPowerSource: false } },
    });
    expect(parseEvent('join', join)).toMatchObject({ success: true, data: { type: 'join' } });
  });

  it('fills in what the JSON mapping leaves out at its default, and keeps the decoded object', () => {
    const { fPort: _, data: __, ...bare } = up;
    expect(parseEvent('up', bare)).toMatchObject({ success: true, data: { event: { fPort: 0, data: '' } } });
    const { margin: _m, batteryLevel: _b, ...mains } = status;
    expect(parseEvent('status', { ...mains, externalPowerSource: true })).toMatchObject({
      data: {
        event: { margin: 0, batteryLevel: 0, externalPowerSource: true, batteryLevelUnavailable: false },
      },
    });
    expect(parseEvent('up', { ...up, object: { metrics: { fillingLevel: 3 } } })).toMatchObject({
      data: { event: { object: { metrics: { fillingLevel: 3 } } } },
    });
  });

  it('writes DevEUIs in lower case', () => {
    const upper = { ...up, deviceInfo: { ...deviceInfo, devEui: '24E124128C140062' } };
    expect(parseEvent('up', upper)).toMatchObject({
      data: { event: { deviceInfo: { devEui: '24e124128c140062' } } },
    });
  });

  it.each([
    ['no deduplicationId', { ...up, deduplicationId: undefined }],
    ['a DevEUI of 15 digits', { ...up, deviceInfo: { ...deviceInfo, devEui: '010101010101010' } }],
    ['data that is not base64', { ...up, data: 'q!==' }],
    ['data longer than a LoRaWAN frame', { ...up, data: 'A'.repeat(348) }],
    ['an fPort above 255', { ...up, fPort: 256 }],
    ['a time that is not RFC 3339', { ...up, time: 'yesterday' }],
    ['no deviceInfo', { ...up, deviceInfo: undefined }],
    ['an object that is a list', { ...up, object: [1, 2] }],
  ])('refuses an uplink with %s', (_, event) => {
    expect(parseEvent('up', event).success).toBe(false);
  });

  it('refuses a battery level above 100 % and a margin outside -32..31 dB', () => {
    expect(parseEvent('status', { ...status, batteryLevel: 100.1 }).success).toBe(false);
    expect(parseEvent('status', { ...status, margin: 32 }).success).toBe(false);
    expect(parseEvent('status', { ...status, margin: -32 }).success).toBe(true);
  });

  it('parses event topics and nothing else', () => {
    expect(parseEventTopic('application/app-1/device/24E124128C140062/event/up')).toEqual({
      applicationId: 'app-1',
      devEui: '24e124128c140062',
      event: 'up',
    });
    expect(parseEventTopic('application/app-1/device/24e124128c140062/command/down')).toBeUndefined();
    expect(parseEventTopic('application/app-1/device/x/event/up/more')).toBeUndefined();
  });

  it('publishes a downlink with data or with an object, never both or neither', () => {
    const base = { devEui: '0101010101010101', confirmed: false, fPort: 60 };
    expect(downlinkCommand.safeParse({ ...base, data: 'Af5k' }).success).toBe(true);
    expect(downlinkCommand.safeParse({ ...base, object: { action: 'switch', on: true } }).success).toBe(true);
    expect(downlinkCommand.safeParse({ ...base, data: 'Af5k', object: {} }).success).toBe(false);
    expect(downlinkCommand.safeParse(base).success).toBe(false);
    expect(downlinkCommand.safeParse({ ...base, fPort: 0, data: 'Af5k' }).success).toBe(false);
    expect(downlinkCommand.safeParse({ ...base, fPort: 224, data: 'Af5k' }).success).toBe(false);
  });
});
