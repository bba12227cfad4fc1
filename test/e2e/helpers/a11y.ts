/** Accessibility checks the browser tests run on every form they visit. */
import type { Page } from 'playwright-core';

/** Lists the form controls on the page that have no accessible label (no <label for>, aria-label or aria-labelledby). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const control of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLButtonElement>('input, select, textarea, button'))) {
      if (control.type === 'hidden') continue;
      const hasLabel =
        (control.labels !== null && control.labels.length > 0 && Array.from(control.labels).some((label) => label.textContent!.trim() !== '')) ||
        (control.getAttribute('aria-label') ?? '').trim() !== '' ||
        (control.getAttribute('aria-labelledby') ?? '').trim() !== '' ||
        (control instanceof HTMLButtonElement && control.textContent!.trim() !== '');
      if (!hasLabel) problems.push(control.outerHTML.slice(0, 120));
    }
    return problems;
  });
}
