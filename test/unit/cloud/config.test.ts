import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadCloudConfig } from '../../../cloud/config.ts';

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadCloudConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadCloudConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadCloudConfig({});
    expect(config).toMatchObject({
      HTTP_PORT: 8080,
      HTTP_HOST: '0.0.0.0',
      MQTT_PORT: 1883,
      MQTT_HOST: '0.0.0.0',
      FLEET_DIR: './provisioning/fleet',
      INFLUX_TOKEN: '',
      INFLUX_DATABASE: 'city',
      INFLUX_ORG: 'city',
      INFLUX_BATCH_SIZE: 5_000,
      INFLUX_WRITE_CONCURRENCY: 4,
      JOURNAL_MAX_LINES: 5_000_000,
      DEDUPE_WINDOW_S: 604_800,
      DEVICE_OFFLINE_AFTER_S: 900,
      MAX_READING_AGE_S: 604_800,
      MAX_CLOCK_SKEW_S: 300,
      LOG_LEVEL: 'info',
    });
    expect(config.INFLUX_URL).toBeUndefined();
    expect(config.DATA_DIR).toBe(resolve('./data'));
    expect(config.CREDENTIALS_FILE).toBe(resolve('./data/gateway-credentials.json'));
  });

  it('coerces numeric variables from strings', () => {
    const config = loadCloudConfig({ MQTT_PORT: '18830', HTTP_PORT: '0', MAX_CLOCK_SKEW_S: '2.5' });
    expect(config.MQTT_PORT).toBe(18_830);
    expect(config.HTTP_PORT).toBe(0);
    expect(config.MAX_CLOCK_SKEW_S).toBe(2.5);
  });

  it('treats an empty variable as unset and refuses a blank port', () => {
    const config = loadCloudConfig({ MQTT_PORT: '', INFLUX_URL: '', INFLUX_DATABASE: '' });
    expect(config).toMatchObject({ MQTT_PORT: 1883, INFLUX_DATABASE: 'city' });
    expect(config.INFLUX_URL).toBeUndefined();
    expect(configError({ HTTP_PORT: ' ' }).message).toMatch(/\bHTTP_PORT: /);
  });

  it.each(['abc', '70000', '-1', '1883.5'])('refuses MQTT_PORT=%j, naming the variable', (value) => {
    expect(configError({ MQTT_PORT: value }).message).toMatch(/\bMQTT_PORT: /);
  });

  it('names every invalid variable at once', () => {
    const { message } = configError({ HTTP_PORT: 'x', LOG_LEVEL: 'verbose', INFLUX_URL: 'not a url' });
    expect(message).toContain('HTTP_PORT');
    expect(message).toContain('LOG_LEVEL');
    expect(message).toContain('INFLUX_URL');
    expect(message).not.toContain('MQTT_PORT');
  });

  it.each([
    ['MAX_CLOCK_SKEW_S', '0'],
    ['DEVICE_OFFLINE_AFTER_S', '-5'],
    ['INFLUX_BATCH_SIZE', '1.5'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%j', (name, value) => {
    expect(configError({ [name]: value }).message).toContain(name);
  });

  it('puts the credentials file under DATA_DIR, resolved to an absolute path', () => {
    const config = loadCloudConfig({ DATA_DIR: 'var/city' });
    expect(config.DATA_DIR).toBe(resolve('var/city'));
    expect(config.CREDENTIALS_FILE).toBe(resolve('var/city/gateway-credentials.json'));
    expect(loadCloudConfig({ DATA_DIR: '/srv/city' }).CREDENTIALS_FILE).toBe(
      '/srv/city/gateway-credentials.json',
    );
  });

  it('uses CREDENTIALS_FILE when given, resolved, regardless of DATA_DIR', () => {
    const config = loadCloudConfig({ DATA_DIR: '/srv/city', CREDENTIALS_FILE: 'secrets/gw.json' });
    expect(config.CREDENTIALS_FILE).toBe(resolve('secrets/gw.json'));
  });

  it('refuses a client CA without a TLS listener, where certificates are presented', () => {
    expect(() => loadCloudConfig({ MQTT_TLS_CA: '/etc/city/ca.crt' })).toThrow(
      /MQTT_TLS_CA: needs MQTTS_PORT/,
    );
    const tls = { MQTTS_PORT: '8883', MQTT_TLS_CERT: 'server.crt', MQTT_TLS_KEY: 'server.key' };
    expect(loadCloudConfig({ ...tls, MQTT_TLS_CA: '/etc/city/ca.crt' }).MQTT_TLS_CA).toBe('/etc/city/ca.crt');
  });

  it('takes a PostgreSQL DATABASE_URL, leaves it unset by default, and refuses any other URL plainly', () => {
    expect(loadCloudConfig({}).DATABASE_URL).toBeUndefined();
    for (const url of ['postgres://city:secret@db:5432/city', 'postgresql://127.0.0.1/city'])
      expect(loadCloudConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    for (const url of ['mysql://db/city', 'db:5432/city', 'city']) {
      const { message } = configError({ DATABASE_URL: url });
      expect(message).toContain('DATABASE_URL: a PostgreSQL URL, postgres://');
    }
    expect(configError({ DATABASE_URL: 'https://secret@db' }).message).not.toContain('secret');
  });

  it('ignores unrelated environment variables', () => {
    expect(() => loadCloudConfig({ PATH: '/usr/bin', HOME: '/root' })).not.toThrow();
  });
});
