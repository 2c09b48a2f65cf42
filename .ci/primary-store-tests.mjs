// Prints the server test files that can reach the *primary* store (the one DATABASE_URL selects), one per
// line: the files CI's second run, on PostgreSQL, must run. Every other test file either never opens a store
// or pins its store kind (describeEachStore, describeOnPostgres, openTestStore('postgres'), ...), and the first
// run has already run those on both stores.
//
// A file uses the primary store when it calls `openTestStore()` with no kind, `primaryStoreKind()`, or
// `createTestServer(...)` without a `storeKind`, or when it imports (directly or through other files, e.g. a
// module's test kit) a file that does. test-stores.ts and test-server.ts define these and do not count.
// Comments are ignored. If this picks a file with no primary-store test, vitest fails it loudly ("No test
// suite found"), so mistakes show on the side of running too much.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');
const definers = new Set(
  ['test-support/test-stores.ts', 'test-support/test-server.ts'].map((f) => join(src, f)),
);

const files = readdirSync(src, { recursive: true })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => join(src, file));

/** The text between the call's parentheses, for each call of `name` in `code`. */
function callArguments(code, name) {
  const found = [];
  for (let at = code.indexOf(`${name}(`); at !== -1; at = code.indexOf(`${name}(`, at + 1)) {
    let depth = 0;
    let end = at + name.length;
    for (; end < code.length; end++) {
      if (code[end] === '(') depth++;
      else if (code[end] === ')' && --depth === 0) break;
    }
    found.push(code.slice(at + name.length + 1, end));
  }
  return found;
}

function usesPrimaryStore(code) {
  return (
    callArguments(code, 'openTestStore').some((args) => args.trim() === '') ||
    /\bprimaryStoreKind\(/.test(code) ||
    callArguments(code, 'createTestServer').some((args) => !/\bstoreKind\b/.test(args))
  );
}

const imports = new Map();
const users = new Set();
for (const file of files) {
  const code = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|\s)\/\/.*$/gm, '$1');
  const imported = [...code.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)\.js'/g)].map((match) =>
    resolve(dirname(file), `${match[1]}.ts`),
  );
  imports.set(file, imported);
  if (!definers.has(file) && usesPrimaryStore(code)) users.add(file);
}

// Whoever imports a user is a user, until nothing changes.
for (let grew = true; grew; ) {
  grew = false;
  for (const [file, imported] of imports) {
    if (!users.has(file) && imported.some((dependency) => users.has(dependency))) {
      users.add(file);
      grew = true;
    }
  }
}

const tests = [...users].filter((file) => file.endsWith('.test.ts')).map((file) => relative(root, file));
for (const test of tests.sort()) console.log(test);
