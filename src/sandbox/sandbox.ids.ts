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

const scratch = Buffer.alloc(64);

/** Writes `count` random decimal digits at `at` in `scratch`. */
function writeDigits(at: number, count: number): void {
  const bytes = randomBytes(count);
  for (let i = 0; i < count; i++) scratch[at + i] = 0x30 + (bytes[i]! % 10);
}

/**
 * A Gupshup Enterprise message id: two integers joined by `-`, 19 and 18 digits
 * (`4843671605020377110-242097152723471982`). The first starts with 1–8 so it stays a positive
 * signed 64-bit integer, like the real ones. Built in a buffer: one flat string, not a chain of
 * concatenations (a benchmark keeps 100,000 of them).
 */
export function enterpriseMessageId(): string {
  const lead = randomBytes(2);
  scratch[0] = 0x31 + (lead[0]! % 8);
  writeDigits(1, 18);
  scratch[19] = 0x2d;
  scratch[20] = 0x31 + (lead[1]! % 9);
  writeDigits(21, 17);
  return scratch.toString('latin1', 0, 38);
}

const HEX = Buffer.from('0123456789abcdef');

/** A random UUID version 4 (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`), as one flat string. */
export function uuidV4(): string {
  const bytes = randomBytes(16);
  let at = 0;
  for (let i = 0; i < 16; i++) {
    let byte = bytes[i]!;
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) scratch[at++] = 0x2d;
    scratch[at++] = HEX[byte >> 4]!;
    scratch[at++] = HEX[byte & 0x0f]!;
  }
  return scratch.toString('latin1', 0, 36);
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
