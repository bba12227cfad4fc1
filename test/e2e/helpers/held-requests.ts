/**
 * Holds the dashboard's requests to one URL pattern, to see what a page shows while an answer is
 * on its way: `asked` resolves at the first request, `release()` lets them all through, and
 * `stop()` stops holding new ones.
 */
import type { Page } from 'playwright-core';

export interface HeldRequests {
  asked: Promise<void>;
  release(): void;
  stop(): Promise<void>;
}

export async function holdRequests(page: Page, url: string): Promise<HeldRequests> {
  let requested!: () => void;
  const asked = new Promise<void>((resolve) => (requested = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(url, async (route) => {
    requested();
    await released;
    await route.continue();
  });
  return { asked, release, stop: () => page.unroute(url) };
}
