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
 * per message would be too slow: scheme, credentials, local names and address literals. When the
 * host itself is rendered, renderedHostProblems adds the DNS half, once per distinct host name.
 */
export function renderedUrlProblem(value: string, allowPrivate: boolean): string | null {
  return syntacticProblem(value, allowPrivate).problem;
}

/** Resolves a host name to its addresses (injectable for tests). */
export type HostLookup = (host: string) => Promise<ReadonlyArray<{ address: string }>>;
const systemLookup: HostLookup = (host) => lookup(host, { all: true, verbatim: true });

const LOOKUP_TIMEOUT_MS = 2000;

/** Whether `host` resolves to a private address; null when it could not be resolved in `timeoutMs`. */
async function resolvesPrivate(host: string, resolve: HostLookup, timeoutMs: number): Promise<boolean | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      resolve(host),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs))),
    ]);
    return addresses.some((entry) => isPrivateAddress(entry.address));
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

const privateHostProblem = (host: string) => `must not point at a private address (${host} resolves to one; set WACAST_ALLOW_PRIVATE_URLS=true to allow)`;

/** Why `value` may not be used as an outbound URL, or null when it may. */
export async function outboundUrlProblem(value: string, allowPrivate: boolean, resolve: HostLookup = systemLookup): Promise<string | null> {
  const { problem, host } = syntacticProblem(value, allowPrivate);
  if (problem || host === null) return problem;
  // Unresolvable here (offline machine, split DNS): the provider may still resolve it.
  return (await resolvesPrivate(host, resolve, LOOKUP_TIMEOUT_MS)) ? privateHostProblem(host) : null;
}

/**
 * The origin of a media URL that stays the same for every recipient (`https://cdn.example.com`),
 * or null when Liquid is in the scheme or host, so that each recipient's URL has its own host.
 * A URL without Liquid is its own fixed origin.
 */
export function fixedOrigin(value: string): string | null {
  if (!/[{][{%]/.test(value)) return value;
  return /^(https?:\/\/[^/?#{]+)[/?#]/i.exec(value)?.[1] ?? null;
}

/** Host names rendered into URLs, by whether they resolve to a private address (a minute at most). */
const renderedHosts = new Map<string, { private: boolean | null; until: number }>();
const RENDERED_HOST_TTL_MS = 60_000;
const RENDERED_HOSTS_KEPT = 10_000;
const RENDERED_LOOKUPS_AT_ONCE = 8;

/**
 * The DNS half of the check for URLs rendered per recipient, for a batch of them: which of `urls`
 * (already through renderedUrlProblem) have a host name that resolves to a private address, with
 * the reason. Each distinct name is resolved once a minute (shared by every campaign of this
 * process) and the whole batch waits at most `budgetMs` for its lookups; a name not resolved by
 * then is let through, as an unresolvable one is when a URL is saved, and not waited for again
 * that minute (so a resolver that never answers costs a publish at most one budget a minute).
 * Empty when private URLs are allowed.
 */
export async function renderedHostProblems(
  urls: Iterable<string>,
  allowPrivate: boolean,
  options: { resolve?: HostLookup; budgetMs?: number; now?: number } = {},
): Promise<Map<string, string>> {
  const problems = new Map<string, string>();
  if (allowPrivate) return problems;
  const now = options.now ?? Date.now();
  const hostOf = new Map<string, string>();
  for (const url of urls) {
    const { problem, host } = syntacticProblem(url, false);
    if (!problem && host !== null) hostOf.set(url, host.toLowerCase());
  }
  const verdict = new Map<string, boolean | null>();
  const unknown: string[] = [];
  for (const host of new Set(hostOf.values())) {
    const cached = renderedHosts.get(host);
    if (cached && cached.until > now) verdict.set(host, cached.private);
    else unknown.push(host);
  }
  const budgetMs = options.budgetMs ?? LOOKUP_TIMEOUT_MS;
  const deadline = performance.now() + budgetMs;
  let next = 0;
  const lookupNext = async (): Promise<void> => {
    while (next < unknown.length) {
      const host = unknown[next++]!;
      const left = deadline - performance.now();
      if (left <= 0) return;
      const isPrivate = await resolvesPrivate(host, options.resolve ?? systemLookup, left);
      verdict.set(host, isPrivate);
      if (renderedHosts.size >= RENDERED_HOSTS_KEPT) renderedHosts.delete(renderedHosts.keys().next().value!);
      renderedHosts.set(host, { private: isPrivate, until: now + RENDERED_HOST_TTL_MS });
    }
  };
  await Promise.all(Array.from({ length: Math.min(RENDERED_LOOKUPS_AT_ONCE, unknown.length) }, lookupNext));
  for (const [url, host] of hostOf) if (verdict.get(host) === true) problems.set(url, privateHostProblem(host));
  return problems;
}

/** Forgets the rendered hosts' verdicts (tests). */
export function forgetRenderedHosts(): void {
  renderedHosts.clear();
}
