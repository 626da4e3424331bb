import { describe, expect, it } from 'vitest';
import { connectorStatuses, errorCodes, evCharger } from '../../../../shared/kinds/evCharger/index.ts';
import { readingWith, TS, validReadings } from '../../fixtures.ts';

const accepts = (metrics: Record<string, unknown>) =>
  evCharger.reading.safeParse(readingWith('evCharger', metrics)).success;
const event = (fields: Record<string, unknown>) => ({
  deviceId: 'evc-000004',
  kind: 'evCharger',
  ts: TS,
  ...fields,
});
const command = (c: Record<string, unknown>) =>
  evCharger.command.safeParse({ deviceId: 'evc-000004', kind: 'evCharger', command: c }).success;

describe('EV charger reading', () => {
  it('accepts a complete reading of one connector', () => {
    expect(evCharger.reading.parse(validReadings.evCharger)).toEqual(validReadings.evCharger);
  });

  it('knows the OCPP 1.6 connector statuses and error codes, and no others', () => {
    expect(connectorStatuses).toHaveLength(9);
    expect(errorCodes).toHaveLength(16);
    for (const connectorStatus of connectorStatuses) expect(accepts({ connectorStatus })).toBe(true);
    for (const errorCode of errorCodes) expect(accepts({ errorCode })).toBe(true);
    expect(accepts({ connectorStatus: 'Occupied' })).toBe(false);
    expect(accepts({ errorCode: 'Mode3Error' })).toBe(false);
  });

  it.each([
    ['an RFID tag', { idTag: '04A2B3C4D5' }],
    ['a negative power', { activePower: -1 }],
    ['a power above 400 kW', { activePower: 401 }],
    ['energy as a string', { sessionEnergy: '6.4' }],
    ['a negative session duration', { sessionDuration: -5 }],
  ])('rejects %s', (_, metrics) => {
    expect(accepts(metrics)).toBe(false);
  });

  it('counts a faulted connector or one with an error code as not working', () => {
    expect(evCharger.healthy({ connectorStatus: 'Charging', errorCode: 'NoError' })).toBe(true);
    expect(evCharger.healthy({})).toBe(true);
    expect(evCharger.healthy({ connectorStatus: 'Faulted' })).toBe(false);
    expect(evCharger.healthy({ connectorStatus: 'Available', errorCode: 'WeakSignal' })).toBe(false);
  });
});

describe('EV charger events', () => {
  it('carries the energy and duration of a session, and the error code of a fault, as values', () => {
    const ended = event({ type: 'sessionEnded', values: { sessionEnergy: 21.4, sessionDuration: 5_400 } });
    expect(evCharger.event.parse(ended)).toEqual(ended);
    const fault = event({ type: 'fault', values: { errorCode: 'GroundFailure' } });
    expect(evCharger.event.parse(fault)).toEqual(fault);
  });

  it.each([
    ['a driver id among the values', { type: 'sessionStarted', values: { idTag: '04A2B3C4D5' } }],
    ['an RFID tag on the event', { type: 'sessionStarted', idTag: '04A2B3C4D5' }],
    ['an unknown error code', { type: 'fault', values: { errorCode: 'Broken' } }],
    ['empty values', { type: 'fault', values: {} }],
    ['an unknown event', { type: 'plugged' }],
  ])('rejects %s', (_, fields) => {
    expect(evCharger.event.safeParse(event(fields)).success).toBe(false);
  });
});

describe('EV charger commands', () => {
  it('accepts a power limit, availability, unlock and reset', () => {
    expect(command({ action: 'setPowerLimit', kW: 7.4 })).toBe(true);
    expect(command({ action: 'setAvailability', availability: 'unavailable' })).toBe(true);
    expect(command({ action: 'unlockConnector' })).toBe(true);
    expect(command({ action: 'reset', type: 'hard' })).toBe(true);
  });

  it.each([
    ['a negative limit', { action: 'setPowerLimit', kW: -1 }],
    ['a limit in watts', { action: 'setPowerLimit', W: 7_400 }],
    ['an unknown availability', { action: 'setAvailability', availability: 'reserved' }],
    ['a reset without a type', { action: 'reset' }],
    ['another kind of command', { action: 'reboot' }],
  ])('rejects %s', (_, c) => {
    expect(command(c)).toBe(false);
  });
});
