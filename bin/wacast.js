#!/usr/bin/env node
// The `wacast` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import('../dist/main.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    console.error('wacast is not built yet: run `npm run build` (or `npm install`) first.');
    process.exit(1);
  }
  throw error;
});
