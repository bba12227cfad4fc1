/** The token of the one-time link `<public url>/setup#token=…` (in the fragment, so it never reaches a server log). */
export function setupTokenFrom(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  return token && token.trim() !== '' ? token.trim() : null;
}
