/** The `wacast` executable of this installation, for starting its commands as child processes. */
import { fileURLToPath } from 'node:url';

export const WACAST_BIN = fileURLToPath(new URL('../../bin/wacast.js', import.meta.url));
