/**
 * URLs entered through the API or the dashboard (media URLs) are fetched by the provider, and may
 * be fetched by wacast in the future: they may not point at loopback, private or link-local
 * addresses (server-side request forgery), unless WACAST_ALLOW_PRIVATE_URLS=true. Operator
 * configuration (provider base URLs) is trusted and never checked here.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * IANA special-purpose IPv4 ranges that do not reach the public internet: this network, private
 * (10/8, 172.16/12, 192.168/16), shared (100.64/10), loopback, link-local, IETF protocol
 * assignments (192.0.0/24, e.g. 192.0.0.170 for NAT64 discovery), benchmarking (198.18/15),
 * multicast and reserved (224/3). The documentation ranges are left alone: nothing routes them.
 */
function ipv4Private(address: string): boolean {
  const [a = 0, b = 0, c = 0] = address.split('.').map(Number);
  return (
    a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 192 && b === 0 && c === 0) ||
    (a === 198 && (b === 18 || b === 19)) || a >= 224
  );
}

/** The 16 bytes of an IPv6 address (zone ids dropped), or null when it is not one. */
function ipv6Bytes(address: string): number[] | null {
  let text = address.toLowerCase().split('%')[0]!;
  const tail: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    if (isIP(dotted[1]!) !== 4) return null;
    tail.push(...dotted[1]!.split('.').map(Number));
    text = `${text.slice(0, dotted.index)}:0:0`; // two placeholder groups, replaced below
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 0 : missing !== 0) return null;
  const all = [...head, ...Array<string>(Math.max(0, missing)).fill('0'), ...rest];
  const bytes: number[] = [];
  for (const group of all) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    const value = parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * Private, loopback, link-local, unique-local or multicast IPv6 — and every form that embeds an
 * IPv4 address (mapped `::ffff:a.b.c.d`, which URL parsing writes as `::ffff:7f00:1`; compatible
 * `::a.b.c.d`; NAT64 `64:ff9b::/96`; 6to4 `2002::/16`), judged by the IPv4 address inside.
 */
function ipv6Private(address: string): boolean {
  const bytes = ipv6Bytes(address);
  if (!bytes) return true; // not understood: refuse rather than guess
  const v4 = (offset: number) => ipv4Private(bytes.slice(offset, offset + 4).join('.'));
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4(12);
  if (zeros(0, 12)) return v4(12); // ::, ::1 and the deprecated IPv4-compatible form
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return v4(12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(2);
  const first = bytes[0]!;
  return (first & 0xfe) === 0xfc || (first === 0xfe && (bytes[1]! & 0xc0) === 0x80) || first === 0xff;
}

export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return ipv4Private(address);
  if (version === 6) return ipv6Private(address);
  return false;
}

const PRIVATE_HOST = 'must not point at this machine or a private network (set WACAST_ALLOW_PRIVATE_URLS=true to allow)';
const PRIVATE_ADDRESS = 'must not point at a loopback or private address (set WACAST_ALLOW_PRIVATE_URLS=true to allow)';

/** What is wrong with `value` that can be told without a DNS lookup, with its parsed form. */
function syntacticProblem(value: string, allowPrivate: boolean): { problem: string | null; host: string | null } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'must be an absolute URL such as https://cdn.example.com/image.jpg', host: null };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: 'must start with https:// or http://', host: null };
  if (url.username || url.password) return { problem: 'must not contain a user name or password', host: null };
  if (allowPrivate) return { problem: null, host: null };
  // `localhost.` is the absolute form of `localhost`: the same name, so trailing dots go first.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return { problem: PRIVATE_HOST, host: null };
  if (isIP(host)) return { problem: isPrivateAddress(host) ? PRIVATE_ADDRESS : null, host: null };
  return { problem: null, host };
}

/**
 * The check for a URL rendered per recipient (a media URL with Liquid in it), where a DNS lookup
 * per message would be too slow: scheme, credentials, local names and address literals.
 */
export function renderedUrlProblem(value: string, allowPrivate: boolean): string | null {
  return syntacticProblem(value, allowPrivate).problem;
}

/** Why `value` may not be used as an outbound URL, or null when it may. */
export async function outboundUrlProblem(value: string, allowPrivate: boolean): Promise<string | null> {
  const { problem, host } = syntacticProblem(value, allowPrivate);
  if (problem || host === null) return problem;
  try {
    const addresses = await Promise.race([
      lookup(host, { all: true, verbatim: true }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000)),
    ]);
    if (addresses.some((entry) => isPrivateAddress(entry.address))) {
      return `must not point at a private address (${host} resolves to one; set WACAST_ALLOW_PRIVATE_URLS=true to allow)`;
    }
  } catch {
    // Unresolvable here (offline machine, split DNS): the provider may still resolve it.
  }
  return null;
}
