/** Accessibility checks the browser tests run on every form they visit. */
import type { Page } from 'playwright-core';

// Runs in the page. Written as a string because the test code is type-checked without DOM types.
const FIND_UNLABELLED = `(() => {
  const problems = [];
  for (const control of document.querySelectorAll('input, select, textarea, button')) {
    if (control.type === 'hidden') continue;
    const labelled =
      Array.from(control.labels ?? []).some((label) => label.textContent.trim() !== '') ||
      (control.getAttribute('aria-label') ?? '').trim() !== '' ||
      (control.getAttribute('aria-labelledby') ?? '').trim() !== '' ||
      (control.tagName === 'BUTTON' && control.textContent.trim() !== '');
    if (!labelled) problems.push(control.outerHTML.slice(0, 120));
  }
  return problems;
})()`;

/** Lists the form controls on the page that have no accessible label (no <label for>, aria-label or aria-labelledby). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return (await page.evaluate(FIND_UNLABELLED)) as string[];
}

/** The label text and outline style of the focused element (a visible focus ring has a solid outline). */
export async function focusedControl(page: Page): Promise<{ id: string; label: string | null; outline: string }> {
  return (await page.evaluate(`(() => {
    const element = document.activeElement;
    return { id: element.id, label: element.labels?.[0]?.textContent ?? null, outline: getComputedStyle(element).outlineStyle };
  })()`)) as { id: string; label: string | null; outline: string };
}
