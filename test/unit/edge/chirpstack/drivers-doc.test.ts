import { describe, expect, it } from 'vitest';
import { deviceTable } from '../../../../edge/drivers/chirpstack/device-table.ts';
import { chirpstackSettings } from '../../../../edge/drivers/chirpstack/settings.ts';
import { loraDocBlocks } from '../../../helpers/drivers-doc.ts';

describe("docs/drivers.md's LoRaWAN examples", () => {
  it('configure a chirpstack entry and a device-model table the driver accepts', () => {
    const [entry, table] = loraDocBlocks('json').map((block) => JSON.parse(block));
    // The registry takes `type` and `name` off an entry; the rest are the driver's settings.
    const { type, name, ...settings } = entry;
    expect([type, name]).toEqual(['chirpstack', 'north']);
    expect(chirpstackSettings.safeParse(settings).error).toBeUndefined();
    expect(deviceTable.safeParse(table).error).toBeUndefined();
  });
});
