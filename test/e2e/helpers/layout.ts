/** Layout checks: pages that must fit the window, text that must read as one sentence. */
import type { Locator, Page } from 'playwright-core';

/** Pixels by which the page is wider than the window: 0 when nothing scrolls the whole page sideways. */
export async function pageOverflow(page: Page): Promise<number> {
  return (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
}

/** Runs `body` with the window at `width` pixels (same height), then restores the previous size. */
export async function atWidth<T>(page: Page, width: number, body: () => Promise<T>): Promise<T> {
  const before = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.setViewportSize({ width, height: before.height });
  try {
    return await body();
  } finally {
    await page.setViewportSize(before);
  }
}

/** Whether a text box shows its whole value: nothing of it scrolled out of sight, sideways or below. */
export async function showsWholeValue(control: Locator): Promise<boolean> {
  return control.evaluate((element) => element.scrollWidth <= element.clientWidth && element.scrollHeight <= element.clientHeight);
}

/**
 * Whether `inline` (a code, link or span inside the `block`'s text) sits on the block's first line,
 * after the text before it, rather than on a line of its own: within one line height plus the
 * block's padding of its top, and not at its left edge.
 */
export async function inFirstLineAfterText(block: Locator, inline: Locator): Promise<boolean> {
  const [outer, inner] = [await block.boundingBox(), await inline.boundingBox()];
  if (!outer || !inner) throw new Error('The block or the inline element is not on screen');
  return inner.y - outer.y < inner.height + 12 && inner.x > outer.x + 30;
}
