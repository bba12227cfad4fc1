import { createHash, timingSafeEqual } from 'node:crypto';

/** sha256 hex: used for high-entropy random tokens (session cookies, passcodes, setup links). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
