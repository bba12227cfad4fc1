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

/**
 * Records in the page, in order: the next `input` event (`'input'`), when the element `selector`
 * gets `className` (`'marked'`), the first task the page runs after that input event
 * (`'next task'`), and the start of the first request whose URL contains `urlPart` (`'asked'`).
 * `'marked'` before `'next task'` means the page marked the element in the same turn as the input
 * (React renders an input's update synchronously), not after a timer such as a debounce. All in
 * the page, so the order does not depend on how fast the test process hears of each. Returns a
 * function that reads the order so far. (A script string: this project's tests have no DOM types.)
 */
export async function recordInputOrder(page: Page, selector: string, className: string, urlPart: string): Promise<() => Promise<string[]>> {
  const [s, c, u] = [selector, className, urlPart].map((value) => JSON.stringify(value));
  await page.evaluate(`(() => {
    const order = [];
    window.__inputOrder = order;
    const element = document.querySelector(${s});
    if (!element) throw new Error('no element ' + ${s});
    document.addEventListener('input', () => {
      order.push('input');
      setTimeout(() => order.push('next task'), 0);
    }, { capture: true, once: true });
    new MutationObserver(() => {
      if (element.classList.contains(${c}) && !order.includes('marked')) order.push('marked');
    }).observe(element, { attributes: true, attributeFilter: ['class'] });
    const fetchBefore = window.fetch;
    window.fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.includes(${u}) && !order.includes('asked')) order.push('asked');
      return fetchBefore(input, init);
    };
  })()`);
  return async () => (await page.evaluate('[...window.__inputOrder]')) as string[];
}
