/**
 * URLs entered through the API or the dashboard (media URLs) are fetched by the provider, and may
 * be fetched by wacast in the future: they may not point at loopback, private or link-local
 * addresses (server-side request forgery), unless WACAST_ALLOW_PRIVATE_URLS=true. Operator
 * configuration (provider base URLs) is trusted and never checked here.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

function ipv4Private(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return (
    a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19)) || a >= 224
  );
}

function ipv6Private(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower === '::' || lower === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return ipv4Private(mapped[1]!);
  return /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || lower.startsWith('ff');
}

export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return ipv4Private(address);
  if (version === 6) return ipv6Private(address);
  return false;
}

/** Why `value` may not be used as an outbound URL, or null when it may. */
export async function outboundUrlProblem(value: string, allowPrivate: boolean): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL such as https://cdn.example.com/image.jpg';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// or http://';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) {
    return 'must not point at this machine or a private network (set WACAST_ALLOW_PRIVATE_URLS=true to allow)';
  }
  if (isIP(host)) {
    return isPrivateAddress(host) ? 'must not point at a loopback or private address (set WACAST_ALLOW_PRIVATE_URLS=true to allow)' : null;
  }
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
