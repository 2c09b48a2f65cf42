import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/**
 * SECURITY (CSP): two modules of antd's @rc-component packages inject `<style>` elements through
 * rc-util's `updateCSS` without passing a nonce, and neither takes an option for one (ConfigProvider's
 * `csp` reaches antd's CSS-in-JS only):
 * - `@rc-component/portal`'s `useScrollLocker` (every Modal and Drawer portalled into <body>);
 * - `@rc-component/util`'s `getScrollBarSize` (every Table, on mount).
 * The strict `style-src 'self' 'nonce-…'` refuses them with console errors. This plugin swaps both for
 * CSP-safe versions in `src/vendor-overrides/` when the console is built. (The Vite dev server pre-bundles
 * dependencies without this plugin, but it serves no CSP either.)
 */
const overrides: [RegExp, string][] = [
  [
    /[\\/]@rc-component[\\/]util[\\/]es[\\/]getScrollBarSize\.js$/,
    fileURLToPath(new URL('./src/vendor-overrides/scroll-bar-size.ts', import.meta.url)),
  ],
  [
    /[\\/]@rc-component[\\/]portal[\\/]es[\\/]useScrollLocker\.js$/,
    fileURLToPath(new URL('./src/vendor-overrides/use-scroll-locker.ts', import.meta.url)),
  ],
];

export function cspSafeOverrides(): Plugin {
  const used = new Set<string>();
  return {
    name: 'claimguard-csp-safe-overrides',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || !source.startsWith('.') || !importer.includes('@rc-component')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!resolved) return null;
      for (const [pattern, replacement] of overrides) {
        if (pattern.test(resolved.id)) {
          used.add(replacement);
          return replacement;
        }
      }
      return null;
    },
    buildEnd(error) {
      // A renamed module upstream would silently bring the CSP errors back: fail the build instead.
      if (!error && this.meta.watchMode !== true && used.size !== overrides.length) {
        const missing = overrides.map(([, file]) => file).filter((file) => !used.has(file));
        this.error(`CSP-safe overrides not applied (module moved upstream?): ${missing.join(', ')}`);
      }
    },
  };
}
