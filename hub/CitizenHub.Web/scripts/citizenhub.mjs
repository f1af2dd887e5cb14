// Progressive enhancement only: every page works without this. It marks the page as able to run the Design System's
// scripts (the template's inline script would need 'unsafe-inline' under the Content-Security-Policy) and starts them.
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
