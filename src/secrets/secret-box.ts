/**
 * Envelope encryption for provider credentials. Each value gets its own random 256-bit data key;
 * the value is sealed with AES-256-GCM under the data key, and the data key is sealed under the
 * instance master key. Ciphertext format (JSON): {"v":1,"kid","dk","iv","ct","tag"} with base64
 * fields. A wrong master key fails GCM authentication and throws WrongSecretKeyError.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export class WrongSecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WrongSecretKeyError';
  }
}

interface Sealed {
  v: 1;
  /** First 8 hex chars of sha256(master key): tells "wrong key" apart from "corrupt data". */
  kid: string;
  /** Data key sealed under the master key: iv(12) | tag(16) | ciphertext(32), base64. */
  dk: string;
  iv: string;
  ct: string;
  tag: string;
}

function seal(key: Buffer, plaintext: Buffer): { iv: Buffer; ct: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

function open(key: Buffer, iv: Buffer, ct: Buffer, tag: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

export class SecretBox {
  readonly keyId: string;
  private readonly derivedKeys = new Map<string, Buffer>();

  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('The master key must be 32 bytes.');
    this.keyId = createHash('sha256').update(masterKey).digest('hex').slice(0, 8);
  }

  encrypt(plaintext: string): string {
    const dataKey = randomBytes(32);
    const sealedKey = seal(this.masterKey, dataKey);
    const sealedValue = seal(dataKey, Buffer.from(plaintext, 'utf8'));
    const out: Sealed = {
      v: 1,
      kid: this.keyId,
      dk: Buffer.concat([sealedKey.iv, sealedKey.tag, sealedKey.ct]).toString('base64'),
      iv: sealedValue.iv.toString('base64'),
      ct: sealedValue.ct.toString('base64'),
      tag: sealedValue.tag.toString('base64'),
    };
    return JSON.stringify(out);
  }

  decrypt(ciphertext: string): string {
    let sealed: Sealed;
    try {
      sealed = JSON.parse(ciphertext) as Sealed;
    } catch {
      throw new Error('Encrypted value is not in the expected format.');
    }
    if (sealed.kid !== this.keyId) {
      throw new WrongSecretKeyError(
        `This value was encrypted with another secret key (key id ${sealed.kid}, current ${this.keyId}). Start wacast with the WACAST_SECRET_KEY (or data-dir key file) it was created with.`,
      );
    }
    const dk = Buffer.from(sealed.dk, 'base64');
    try {
      const dataKey = open(this.masterKey, dk.subarray(0, 12), dk.subarray(28), dk.subarray(12, 28));
      return open(dataKey, Buffer.from(sealed.iv, 'base64'), Buffer.from(sealed.ct, 'base64'), Buffer.from(sealed.tag, 'base64')).toString('utf8');
    } catch {
      throw new WrongSecretKeyError('Decryption failed: the secret key is wrong or the stored value was altered.');
    }
  }

  /**
   * HMAC-SHA256 of `data` under a key derived (HKDF) from the master key for `purpose`, so signed
   * values (callback tokens) can be checked without storing them and without reusing the key.
   */
  mac(purpose: string, data: Buffer): Buffer {
    let key = this.derivedKeys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.masterKey, Buffer.alloc(0), `wacast:${purpose}`, 32));
      this.derivedKeys.set(purpose, key);
    }
    return createHmac('sha256', key).update(data).digest();
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  decryptJson<T>(ciphertext: string): T {
    return JSON.parse(this.decrypt(ciphertext)) as T;
  }
}
