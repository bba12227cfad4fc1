// Builds the server (tsc) and the dashboard (vite) when any source is newer than the last build,
// so `npm install && npm start` works on a fresh clone and a second `npm start` starts at once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stampPath = join(root, '.wacast-build-stamp');
const inputs = ['src', 'web', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
const outputs = ['dist/main.js', 'dist/web/index.html'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const stampTime = existsSync(stampPath) ? statSync(stampPath).mtimeMs : 0;
const missingOutput = outputs.some((output) => !existsSync(join(root, output)));
const sourceTime = Math.max(...inputs.map((input) => newestMtime(join(root, input))));

if (!missingOutput && sourceTime <= stampTime) process.exit(0);

console.log('wacast: building server and dashboard…');
const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('wacast: build failed (see above).');
  process.exit(result.status ?? 1);
}
writeFileSync(stampPath, new Date().toISOString() + '\n');
