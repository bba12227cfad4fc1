import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox, WrongSecretKeyError } from './secret-box.js';
import { loadMasterKey, verifyMasterKey } from './master-key.js';
import { testEngines } from '../../test/helpers/databases.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never shows the plaintext in the ciphertext', () => {
    const secret = 'gupshup-password-123456';
    const sealed = box.encrypt(secret);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(Buffer.from(secret).toString('base64'));
    expect(box.decrypt(sealed)).toBe(secret);
    expect(box.encrypt(secret)).not.toBe(sealed);
  });

  it('fails loudly with another key', () => {
    const sealed = box.encrypt('x');
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow(WrongSecretKeyError);
  });

  it('detects tampering', () => {
    const sealed = JSON.parse(box.encrypt('value')) as { ct: string };
    const bytes = Buffer.from(sealed.ct, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    sealed.ct = bytes.toString('base64');
    expect(() => box.decrypt(JSON.stringify(sealed))).toThrow(WrongSecretKeyError);
  });

  it('derives separate MAC keys per purpose', () => {
    const data = Buffer.from('abc');
    expect(box.mac('a', data).equals(box.mac('a', data))).toBe(true);
    expect(box.mac('a', data).equals(box.mac('b', data))).toBe(false);
  });
});

describe('master key file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wacast-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is created with mode 0600 on first run and reused afterwards', () => {
    const first = loadMasterKey({ secretKey: undefined, dataDir: dir });
    expect(first.created).toBe(true);
    const file = join(dir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    const second = loadMasterKey({ secretKey: undefined, dataDir: dir });
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('prefers WACAST_SECRET_KEY', () => {
    const key = randomBytes(32);
    expect(loadMasterKey({ secretKey: key, dataDir: dir }).key.equals(key)).toBe(true);
  });
});

describe.each(testEngines())('master key check ($name)', (engine) => {
  it('refuses to start with a different key than the data was encrypted with', async () => {
    const db = await engine.open();
    try {
      await verifyMasterKey(db, new SecretBox(randomBytes(32)), 'first');
      await expect(verifyMasterKey(db, new SecretBox(randomBytes(32)), 'WACAST_SECRET_KEY')).rejects.toThrow(/not the key this database/);
    } finally {
      await db.close();
    }
  });
});
