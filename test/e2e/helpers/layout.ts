/** Layout checks for text that must read as one sentence. */
import type { Locator } from 'playwright-core';

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
