// The site over the generated Markdown in docs/: the pages are read where
// codegen writes them, and the sidebar is built from the files found there.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type DefaultTheme } from 'vitepress'

const require = createRequire(import.meta.url)
const docs = fileURLToPath(new URL('../../docs', import.meta.url))

// The API families in the order the README presents them; any other family
// directory follows in name order.
const familyOrder = ['merchant', 'gateway', 'card', 'partner']

const dirs = (path: string) =>
  readdirSync(path).filter((name) => statSync(join(path, name)).isDirectory()).sort()

// The first `# ` heading of a generated page.
function title(file: string): string {
  const heading = readFileSync(file, 'utf8').match(/^# (.+)$/m)
  if (!heading) throw new Error(`${file}: no title heading`)
  return heading[1].trim()
}

// Families → groups → endpoints: every docs/<family>/<group>/<id>.md.
function endpoints(): DefaultTheme.SidebarItem[] {
  const families = dirs(docs)
    .filter((family) => dirs(join(docs, family)).length > 0) // not schemas/ nor openapi/
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  return families.map((family) => ({
    text: `${family[0].toUpperCase()}${family.slice(1)} API`,
    collapsed: false,
    items: dirs(join(docs, family)).map((group) => ({
      text: group,
      collapsed: true,
      items: readdirSync(join(docs, family, group))
        .filter((file) => file.endsWith('.md'))
        .sort()
        .map((file) => ({
          text: title(join(docs, family, group, file)),
          link: `/${family}/${group}/${file.replace(/\.md$/, '')}`,
        })),
    })),
  }))
}

function rank(family: string): number {
  const i = familyOrder.indexOf(family)
  return i < 0 ? familyOrder.length : i
}

export default defineConfig({
  title: 'Freedom Pay API',
  description: 'The Freedom Pay gateway API, generated from the YAML spec',
  // codegen owns docs/ (it removes any file there it did not write), so this
  // project lives beside it: the source directory is the repository, of
  // which only docs/ and the API reference page become pages.
  srcDir: '..',
  srcExclude: ['*.md', '!(docs|site)/**', 'docs/schemas/**', 'docs/openapi/**'],
  rewrites: { 'docs/README.md': 'index.md', 'docs/:page*': ':page*', 'site/api.md': 'api.md' },
  outDir: '../target/docs-site',
  cacheDir: '../target/docs-site-cache',
  // No favicon file: an empty one spares the browser a request that fails.
  head: [['link', { rel: 'icon', href: 'data:,' }]],
  vite: {
    build: { chunkSizeWarningLimit: 2000 }, // Swagger UI's bundle, loaded by the API page only
    server: { watch: { ignored: ['**/target/**'] } }, // `dev` watches the repository
    // The pages live outside this npm project: their imports resolve here.
    resolve: {
      alias: [
        { find: /^vue($|\/)/, replacement: `${dirname(require.resolve('vue/package.json'))}$1` },
      ],
    },
  },
  markdown: {
    // The pages quote placeholders such as `{{merchant_id}}` in inline code,
    // which Vue would read as interpolations.
    config(md) {
      const codeInline = md.renderer.rules.code_inline!
      md.renderer.rules.code_inline = (...args) =>
        codeInline(...args).replace(/^<code/, '<code v-pre')
    },
  },
  themeConfig: {
    nav: [
      { text: 'Endpoints', link: '/' },
      { text: 'API reference', link: '/api' },
      { text: 'Error codes', link: '/errors' },
      { text: 'Test data', link: '/test-data' },
    ],
    sidebar: [
      {
        text: 'Reference',
        items: [
          { text: 'Endpoint index', link: '/' },
          { text: 'API reference (OpenAPI)', link: '/api' },
          { text: 'Error codes', link: '/errors' },
          { text: 'Test cards and phones', link: '/test-data' },
        ],
      },
      ...endpoints(),
    ],
    search: { provider: 'local' },
    outline: { level: [2, 3] },
  },
})
