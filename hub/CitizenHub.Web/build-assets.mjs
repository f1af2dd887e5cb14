// Builds what the host serves at /assets/: the stylesheet compiled from styles/citizenhub.scss over govuk-frontend,
// the Design System's script, and this product's own. Run by the project's build (npm ci first, from the lock file).
import { compile } from 'sass'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const out = process.argv[2] ?? join(here, 'dist')
const govuk = join(here, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
mkdirSync(join(out, 'assets'), { recursive: true })

const css = compile(join(here, 'styles', 'citizenhub.scss'), {
  loadPaths: [join(here, 'node_modules', 'govuk-frontend', 'dist')],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import']
})
writeFileSync(join(out, 'assets', 'citizenhub.css'), css.css)
copyFileSync(join(govuk, 'govuk-frontend.min.js'), join(out, 'assets', 'govuk-frontend.min.js'))
copyFileSync(join(here, 'scripts', 'citizenhub.mjs'), join(out, 'assets', 'citizenhub.mjs'))
copyFileSync(join(here, 'scripts', 'favicon.svg'), join(out, 'assets', 'favicon.svg'))
const version = JSON.parse(readFileSync(join(here, 'node_modules', 'govuk-frontend', 'package.json'))).version
writeFileSync(join(out, 'assets', 'VERSION'), `govuk-frontend ${version}\n`)
