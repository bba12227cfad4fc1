import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPhones } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('logger', () => {
  it('masks phone numbers in messages and fields', () => {
    const { lines, logger } = capture();
    logger.info({ to: '+919876543210', nested: { phone: '447700900000' } }, 'sent to 919876543210');
    const out = lines.join('');
    expect(out).not.toMatch(/9876543210|447700900000/);
    expect(out).toContain('••••3210');
  });

  it('censors credentials', () => {
    const { lines, logger } = capture();
    logger.info({ credentials: { apiSecret: 'top-secret' }, password: 'hunter22', req: { headers: { authorization: 'Basic abc', 'x-wacast-passcode': 'pc' } } }, 'x');
    const out = lines.join('');
    expect(out).not.toMatch(/top-secret|hunter22|Basic abc|"pc"/);
  });

  it('hides the values of a database key error', () => {
    // PostgreSQL's unique and foreign key errors quote the values (a callback token, an identity).
    const { lines, logger } = capture();
    const error = Object.assign(new Error('duplicate key value violates unique constraint "provider_accounts_callback_token_key"'), {
      code: '23505',
      detail: 'Key (callback_token)=(zgEFiuh6PpHaT8J3J7PgpW6tCwJlplry) already exists.',
    });
    logger.error({ err: error }, 'request failed');
    const out = JSON.parse(lines.join('')) as { err: { detail: string; code: string } };
    expect(out.err).toMatchObject({ code: '23505', detail: 'Key (callback_token)=([redacted]) already exists.' });
  });

  it('leaves ordinary numbers alone', () => {
    expect(maskPhones('took 1234 ms, 12 items')).toBe('took 1234 ms, 12 items');
    // Ids stay whole (logs are searched by them), even when a digit group looks like a number…
    const id = '01a2189e-0678-7000-8894-295333189460';
    expect(maskPhones(`campaign ${id} to +919876543210`)).toBe(`campaign ${id} to +••••3210`);
    // …and a phone right after one is still masked.
    expect(maskPhones(`${id}:919876543210`)).toBe(`${id}:••••3210`);
  });
});
