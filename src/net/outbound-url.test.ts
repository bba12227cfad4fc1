import { describe, expect, it } from 'vitest';
import { isPrivateAddress, outboundUrlProblem } from './outbound-url.js';

describe('outbound URLs', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1'])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
  it('refuses loopback and private URLs unless allowed', async () => {
    expect(await outboundUrlProblem('http://127.0.0.1/a.jpg', false)).toMatch(/loopback or private/);
    expect(await outboundUrlProblem('http://localhost:8080/a.jpg', false)).toMatch(/this machine/);
    expect(await outboundUrlProblem('http://[::1]/a.jpg', false)).toMatch(/private/);
    expect(await outboundUrlProblem('http://127.0.0.1/a.jpg', true)).toBeNull();
    expect(await outboundUrlProblem('https://93.184.216.34/a.jpg', false)).toBeNull();
  });
  it('refuses other schemes and credentials', async () => {
    expect(await outboundUrlProblem('file:///etc/passwd', false)).toMatch(/https:\/\//);
    expect(await outboundUrlProblem('https://u:p@example.com/a', false)).toMatch(/user name/);
    expect(await outboundUrlProblem('not a url', false)).toMatch(/absolute URL/);
  });
});
