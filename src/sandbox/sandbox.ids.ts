/**
 * Message ids in the formats the real providers hand out. They are made from a pooled buffer of
 * random bytes: the send path creates one per request, at tens of thousands per second.
 */
import { createHash, randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomBytes(count: number): Buffer {
  if (offset + count > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const slice = pool.subarray(offset, offset + count);
  offset += count;
  return slice;
}

/** `count` random decimal digits (count ≤ 9 per 32-bit draw, chained for more). */
function digits(count: number): string {
  let out = '';
  while (out.length < count) {
    const take = Math.min(9, count - out.length);
    const value = randomBytes(4).readUInt32BE(0) % 10 ** take;
    out += String(value).padStart(take, '0');
  }
  return out;
}

/**
 * A Gupshup Enterprise message id: two integers joined by `-`, 19 and 18 digits
 * (`4843671605020377110-242097152723471982`). The first starts with 1–8 so it stays a positive
 * signed 64-bit integer, like the real ones.
 */
export function enterpriseMessageId(): string {
  return `${1 + (randomBytes(1)[0]! % 8)}${digits(18)}-${1 + (randomBytes(1)[0]! % 9)}${digits(17)}`;
}

const HEX = '0123456789abcdef';

/** A random UUID version 4 (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`). */
export function uuidV4(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) {
    let byte = bytes[i]!;
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[byte >> 4]! + HEX[byte & 0x0f]!;
  }
  return out;
}

/** 32 lowercase hex characters, like the `instance` of a Vonage problem body. */
export function hexId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The WhatsApp message id Gupshup self-serve reports for one of its message ids
 * (`gBEGkYaYVSEEAgnZxQ3JmKK6Wvg`). Derived, not stored: the same Gupshup id always maps to the same
 * WhatsApp id, so an inbound reply can quote it without the sandbox keeping a table.
 */
export function whatsappIdFor(gupshupId: string): string {
  return `gBEG${createHash('sha1').update(gupshupId).digest('base64url').slice(0, 23)}`;
}

/** A new inbound WhatsApp message id (`ABEGkYaYVSEEAhAL3SLAWwHKeKrt6s3FKB0c`). */
export function inboundWhatsappId(): string {
  return `ABEG${randomBytes(24).toString('base64url').slice(0, 32)}`;
}
