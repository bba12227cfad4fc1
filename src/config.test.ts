import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ host: '0.0.0.0', port: 3000, publicUrl: 'http://localhost:3000', allowPrivateUrls: false, logLevel: 'info', databaseUrl: undefined });
    expect(config.providerUrls.gupshupEnterprise).toBe('https://media.smsgupshup.com/GatewayAPI/rest');
    expect(config.providerUrls.vonageApi).toBe('https://api.nexmo.com');
  });

  it('writes an IPv6 WACAST_HOST in brackets in the default public URL', () => {
    expect(loadConfig({ WACAST_HOST: '::1', WACAST_PORT: '3900' }).publicUrl).toBe('http://[::1]:3900');
    expect(loadConfig({ WACAST_HOST: 'fd00::5' }).publicUrl).toBe('http://[fd00::5]:3000');
    expect(loadConfig({ WACAST_HOST: '::' }).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ WACAST_HOST: '127.0.0.1' }).publicUrl).toBe('http://127.0.0.1:3000');
    expect(new URL(loadConfig({ WACAST_HOST: '::1' }).publicUrl).port).toBe('3000');
  });

  it('reads every variable', () => {
    const key = 'a'.repeat(64);
    const config = loadConfig({
      WACAST_HOST: '127.0.0.1', WACAST_PORT: '8080', WACAST_DATA_DIR: '/var/lib/wacast', WACAST_DATABASE_URL: 'postgres://u@db/w',
      WACAST_SECRET_KEY: key, WACAST_PUBLIC_URL: 'https://wa.example.com/', WACAST_ALLOW_PRIVATE_URLS: 'true',
      GUPSHUP_ENTERPRISE_URL: 'http://localhost:4010/GatewayAPI/rest', GUPSHUP_API_URL: 'http://localhost:4010', VONAGE_API_URL: 'http://localhost:4010',
      WACAST_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: '/var/lib/wacast', databaseUrl: 'postgres://u@db/w', publicUrl: 'https://wa.example.com', allowPrivateUrls: true, logLevel: 'debug' });
    expect(config.secretKey?.toString('hex')).toBe(key);
    expect(config.providerUrls).toEqual({ gupshupEnterprise: 'http://localhost:4010/GatewayAPI/rest', gupshupApi: 'http://localhost:4010', vonageApi: 'http://localhost:4010' });
  });

  it('reads WACAST_METRICS_TOKEN (unset by default), and never prints a wrong one', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ WACAST_METRICS_TOKEN: ` ${hex} ` }).metricsToken).toBe(hex);
    expect(loadConfig({ WACAST_METRICS_TOKEN: 'q1W2e3R4t5Y6u7I8o9P0+/==' }).metricsToken).toBe('q1W2e3R4t5Y6u7I8o9P0+/==');
    for (const [value, why] of [
      ['short-secret', /WACAST_METRICS_TOKEN=\(hidden\) is invalid: expected at least 16 characters/],
      ['has a space in the middle!', /WACAST_METRICS_TOKEN=\(hidden\) is invalid: expected letters, digits and -._~\+\/ only/],
      ['x'.repeat(513), /WACAST_METRICS_TOKEN=\(hidden\) is invalid: expected at most 512 characters/],
    ] as const) {
      let message = '';
      try {
        loadConfig({ WACAST_METRICS_TOKEN: value });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message).toMatch(why);
      expect(message).not.toContain(value);
    }
  });

  it('accepts a base64 secret key', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ WACAST_SECRET_KEY: key.toString('base64') }).secretKey?.equals(key)).toBe(true);
  });

  it.each([
    ['WACAST_PORT', 'abc', /WACAST_PORT="abc" is invalid: expected an integer from 1 to 65535/],
    ['WACAST_PORT', '70000', /WACAST_PORT="70000" is invalid: expected an integer from 1 to 65535/],
    ['WACAST_DATABASE_URL', 'mysql://x', /WACAST_DATABASE_URL="mysql:\/\/x" is invalid: expected a postgres:\/\//],
    ['WACAST_SECRET_KEY', 'tooshort', /WACAST_SECRET_KEY=\(hidden\) is invalid: expected 32 bytes/],
    ['WACAST_PUBLIC_URL', 'localhost:3000', /WACAST_PUBLIC_URL="localhost:3000" is invalid: expected an absolute http/],
    ['WACAST_ALLOW_PRIVATE_URLS', 'maybe', /WACAST_ALLOW_PRIVATE_URLS="maybe" is invalid: expected true or false \(also 1\/0, yes\/no\)/],
    ['WACAST_LOG_LEVEL', 'loud', /WACAST_LOG_LEVEL="loud" is invalid/],
    ['VONAGE_API_URL', 'ftp://x', /VONAGE_API_URL="ftp:\/\/x" is invalid/],
  ])('names %s=%s and what is allowed', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('never prints the secret key', () => {
    try {
      loadConfig({ WACAST_SECRET_KEY: 'my-very-secret-but-wrong-key' });
    } catch (error) {
      expect((error as Error).message).not.toContain('my-very-secret');
    }
  });

  it('never prints the password of a wrong database or provider URL', () => {
    let message = '';
    try {
      loadConfig({ WACAST_DATABASE_URL: 'postgress://wacast:s3cret-Passw0rd@db.example.com:5432/wacast', VONAGE_API_URL: 'ftp://key:other/s3cret@api.example.com' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/WACAST_DATABASE_URL="postgress:\/\/\(hidden\)@db\.example\.com:5432\/wacast" is invalid/);
    expect(message).toMatch(/VONAGE_API_URL="ftp:\/\/\(hidden\)@api\.example\.com" is invalid/);
    expect(message).not.toContain('s3cret');
  });

  it('reads the free-space thresholds of the database disk in MB, and refuses a hold above the warning', () => {
    expect(loadConfig({}).disk).toEqual({ warnBelowBytes: 1e9, holdBelowBytes: 250e6 });
    expect(loadConfig({ WACAST_DISK_WARN_MB: '5000', WACAST_DISK_HOLD_MB: '2000' }).disk).toEqual({ warnBelowBytes: 5e9, holdBelowBytes: 2e9 });
    expect(loadConfig({ WACAST_DISK_WARN_MB: '0', WACAST_DISK_HOLD_MB: '0' }).disk).toEqual({ warnBelowBytes: 0, holdBelowBytes: 0 });
    expect(() => loadConfig({ WACAST_DISK_HOLD_MB: '1500' })).toThrow(
      'WACAST_DISK_HOLD_MB=1500 is invalid: it must not be above WACAST_DISK_WARN_MB=1000 (campaigns would hold before the dashboard warned)',
    );
    expect(() => loadConfig({ WACAST_DISK_HOLD_MB: '-1' })).toThrow('WACAST_DISK_HOLD_MB="-1" is invalid: expected a whole number of megabytes, 0 or more');
    expect(() => loadConfig({ WACAST_DISK_WARN_MB: '1.5GB' })).toThrow('WACAST_DISK_WARN_MB="1.5GB" is invalid: expected a whole number of megabytes, 0 or more');
  });

  it('reports every wrong variable at once', () => {
    expect(() => loadConfig({ WACAST_PORT: 'x', WACAST_LOG_LEVEL: 'y' })).toThrow(/WACAST_PORT[\s\S]*WACAST_LOG_LEVEL|WACAST_LOG_LEVEL[\s\S]*WACAST_PORT/);
  });
});
