import { describe, expect, it } from 'vitest';
import { isPrivateAddress, outboundUrlProblem, renderedUrlProblem } from './outbound-url.js';

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
});
