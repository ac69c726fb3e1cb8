// SPDX-License-Identifier: GPL-3.0-or-later
// Builds the console into dist/, which `linesight serve` serves at / and
// /assets/. The server's Content-Security-Policy allows scripts and styles
// from its own origin only, so the build must emit no inline script: the
// module-preload polyfill (an inline-able helper) is off, and every chunk
// is a file under assets/.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: process.env.LS_CONSOLE_OUT || 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    // no data: URLs for assets either: everything is a file of this origin
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    target: 'es2020',
  },
});
