// `npm start`: builds what is missing or older than its sources, then runs `claimguard serve --demo` (demo
// data is loaded only into a store without customers).
// Extra arguments pass through: `npm start -- --port 8080`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(paths) {
  let newest = 0;
  for (const path of paths) {
    const full = join(root, path);
    if (!existsSync(full)) continue;
    const stats = statSync(full);
    if (stats.isDirectory()) {
      for (const entry of readdirSync(full)) newest = Math.max(newest, newestMtime([join(path, entry)]));
    } else {
      newest = Math.max(newest, stats.mtimeMs);
    }
  }
  return newest;
}

function outdated(output, sources) {
  const target = join(root, output);
  return !existsSync(target) || statSync(target).mtimeMs < newestMtime(sources);
}

function run(script) {
  process.stderr.write(`claimguard: npm run ${script}\n`);
  const result = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (outdated('dist/cli/main.js', ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json']))
  run('build:server');
if (outdated('web/dist/index.html', ['web/src', 'web/index.html', 'web/vite.config.ts'])) run('build:web');

const serve = spawn(
  process.execPath,
  [join(root, 'bin', 'claimguard.js'), 'serve', '--demo', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
// The server shuts down gracefully on these; pass them on instead of dying before it has.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => serve.kill(signal));
serve.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
