import { beforeEach, describe, expect, it } from 'vitest';
import { fixedOrigin, forgetRenderedHosts, isPrivateAddress, outboundUrlProblem, renderedHostProblems, renderedUrlProblem, type HostLookup } from './outbound-url.js';

describe('outbound URLs', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '192.0.0.170', '100.64.0.1', '198.18.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1'])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  // IPv4 inside IPv6, as URL parsing writes it (hex) and as people type it.
  it.each(['::ffff:7f00:1', '::ffff:a9fe:a9fe', '::7f00:1', '::127.0.0.1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', '0:0:0:0:0:ffff:c0a8:101', 'fe80::1%eth0', 'fc00::', 'ff02::1'])(
    '%s is private',
    (address) => {
      expect(isPrivateAddress(address)).toBe(true);
    },
  );
  it.each(['8.8.8.8', '172.32.0.1', '192.0.1.1', '192.1.0.1', '2001:4860:4860::8888', '::ffff:808:808', '::ffff:8.8.8.8', '2002:808:808::1', '64:ff9b::808:808'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
  it('refuses loopback and private URLs unless allowed', async () => {
    expect(await outboundUrlProblem('http://127.0.0.1/a.jpg', false)).toMatch(/loopback or private/);
    expect(await outboundUrlProblem('http://localhost:8080/a.jpg', false)).toMatch(/this machine/);
    expect(await outboundUrlProblem('http://[::1]/a.jpg', false)).toMatch(/private/);
    expect(await outboundUrlProblem('http://127.0.0.1/a.jpg', true)).toBeNull();
    expect(await outboundUrlProblem('https://93.184.216.34/a.jpg', false)).toBeNull();
  });
  it('refuses IPv4-mapped and IPv4-compatible IPv6 literals in URLs', async () => {
    for (const url of ['http://[::ffff:127.0.0.1]/a.jpg', 'http://[::ffff:169.254.169.254]/', 'http://[::127.0.0.1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/']) {
      expect(await outboundUrlProblem(url, false), url).toMatch(/loopback or private/);
    }
    expect(await outboundUrlProblem('http://[::ffff:8.8.8.8]/a.jpg', false)).toBeNull();
  });
  it('checks rendered URLs without a lookup', () => {
    expect(renderedUrlProblem('https://cdn.example.com/a.jpg', false)).toBeNull();
    expect(renderedUrlProblem('http://[::ffff:10.0.0.1]/a.jpg', false)).toMatch(/loopback or private/);
    expect(renderedUrlProblem('http://metadata.internal/a', false)).toMatch(/private network/);
    expect(renderedUrlProblem('ftp://cdn.example.com/a.jpg', false)).toMatch(/https:\/\//);
    expect(renderedUrlProblem('http://127.0.0.1/a.jpg', true)).toBeNull();
  });
  it('refuses local names written with a trailing dot (the absolute form of the same name)', async () => {
    // `localhost.` resolves like `localhost`; unresolvable here, it would have been let through.
    for (const url of ['http://localhost./a.jpg', 'http://LOCALHOST.:8080/a.jpg', 'http://metadata.internal./a', 'http://printer.local./a', 'http://app.localhost../a']) {
      expect(await outboundUrlProblem(url, false), url).toMatch(/this machine or a private network/);
      expect(renderedUrlProblem(url, false), url).toMatch(/this machine or a private network/);
    }
    expect(renderedUrlProblem('https://cdn.example.com./a.jpg', false)).toBeNull();
  });
  it('refuses other schemes and credentials', async () => {
    expect(await outboundUrlProblem('file:///etc/passwd', false)).toMatch(/https:\/\//);
    expect(await outboundUrlProblem('https://u:p@example.com/a', false)).toMatch(/user name/);
    expect(await outboundUrlProblem('not a url', false)).toMatch(/absolute URL/);
  });
  it('refuses a host name that resolves to a private address', async () => {
    const resolve: HostLookup = async (host) => [{ address: host === 'intranet.example.com' ? '10.0.0.7' : '93.184.216.34' }];
    expect(await outboundUrlProblem('https://intranet.example.com/a.jpg', false, resolve)).toBe(
      'must not point at a private address (intranet.example.com resolves to one; set WACAST_ALLOW_PRIVATE_URLS=true to allow)',
    );
    expect(await outboundUrlProblem('https://cdn.example.com/a.jpg', false, resolve)).toBeNull();
    expect(await outboundUrlProblem('https://intranet.example.com/a.jpg', true, resolve)).toBeNull();
  });
});

describe('fixed origin of a media URL', () => {
  it.each([
    ['https://cdn.example.com/a.jpg', 'https://cdn.example.com/a.jpg'],
    ['https://cdn.example.com/{{profile.id}}.jpg', 'https://cdn.example.com'],
    ['https://cdn.example.com:8443?id={{profile.id}}', 'https://cdn.example.com:8443'],
    ['https://{{profile.cdn}}/a.jpg', null],
    ['https://img-{{profile.region}}.example.com/a.jpg', null],
    ['{{profile.photo}}', null],
    ['{% if profile.vip %}https://a.example.com/v.jpg{% endif %}', null],
  ])('%s → %s', (url, origin) => {
    expect(fixedOrigin(url)).toBe(origin);
  });
});

describe('host names rendered per recipient', () => {
  beforeEach(() => forgetRenderedHosts());
  const addresses: Record<string, string> = { 'intranet.example.com': '10.0.0.7', 'metadata.example.com': '169.254.169.254', 'cdn.example.com': '93.184.216.34' };
  const counting = () => {
    const asked: string[] = [];
    const resolve: HostLookup = async (host) => {
      asked.push(host);
      const address = addresses[host];
      if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return [{ address }];
    };
    return { asked, resolve };
  };

  it('names the URLs whose host resolves to a private address, each host looked up once', async () => {
    const { asked, resolve } = counting();
    const urls = ['https://cdn.example.com/1.jpg', 'https://INTRANET.example.com/2.jpg', 'https://intranet.example.com/3.jpg', 'https://metadata.example.com/4', 'https://gone.example.com/5.jpg', 'https://10.0.0.1/6.jpg'];
    const problems = await renderedHostProblems(urls, false, { resolve });
    expect([...problems.keys()].sort()).toEqual(['https://INTRANET.example.com/2.jpg', 'https://intranet.example.com/3.jpg', 'https://metadata.example.com/4']);
    expect(problems.get('https://metadata.example.com/4')).toMatch(/metadata\.example\.com resolves to one/);
    // Address literals and local names are renderedUrlProblem's: no lookup for them.
    expect(asked.sort()).toEqual(['cdn.example.com', 'gone.example.com', 'intranet.example.com', 'metadata.example.com']);
  });

  it('remembers a verdict for a minute, across batches', async () => {
    const { asked, resolve } = counting();
    const now = Date.now();
    await renderedHostProblems(['https://intranet.example.com/1.jpg'], false, { resolve, now });
    expect((await renderedHostProblems(['https://intranet.example.com/2.jpg'], false, { resolve, now: now + 59_000 })).size).toBe(1);
    expect(asked).toEqual(['intranet.example.com']);
    await renderedHostProblems(['https://intranet.example.com/3.jpg'], false, { resolve, now: now + 61_000 });
    expect(asked).toEqual(['intranet.example.com', 'intranet.example.com']);
  });

  it('lets a host through when its lookup does not answer within the budget, and does not wait for it again that minute', async () => {
    let calls = 0;
    const never: HostLookup = () => {
      calls++;
      return new Promise(() => {});
    };
    const started = performance.now();
    expect((await renderedHostProblems(['https://slow.example.com/a.jpg', 'https://slower.example.com/b.jpg'], false, { resolve: never, budgetMs: 50 })).size).toBe(0);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(calls).toBe(2);
    const { asked, resolve } = counting();
    await renderedHostProblems(['https://slow.example.com/a.jpg'], false, { resolve });
    expect(asked).toEqual([]);
    await renderedHostProblems(['https://slow.example.com/a.jpg'], false, { resolve, now: Date.now() + 61_000 });
    expect(asked).toEqual(['slow.example.com']);
  });

  it('checks nothing when private URLs are allowed', async () => {
    const { asked, resolve } = counting();
    expect((await renderedHostProblems(['https://intranet.example.com/1.jpg'], true, { resolve })).size).toBe(0);
    expect(asked).toEqual([]);
  });
});
