// The dashboard build: hashed files under dist/web/assets, each written again as .br and .gz so
// `steward serve` sends them as they are (app/web.routes.ts) and never compresses per request.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const OUT = path.resolve(import.meta.dirname, '../dist/web');

function precompress(): Plugin {
  return {
    name: 'steward-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          const full = path.join(dir, e.name);
          return e.isDirectory() ? walk(full) : [full];
        });
      for (const file of walk(OUT).filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
        const body = fs.readFileSync(file);
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }));
        const br = { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length };
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(body, { params: br }));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact(), precompress()],
  build: { outDir: OUT, emptyOutDir: true, assetsDir: 'assets', target: 'es2022', sourcemap: false },
});
