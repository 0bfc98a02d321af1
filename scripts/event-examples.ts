/**
 * Writes docs/events.md (one normalised example per event type) and the generated mapping section of
 * docs/providers.md (each provider's events, fields and differences from django-anymail). Both come from the provider
 * modules and their simulators; `npm test` fails when either is stale.
 *
 * Run: npm run docs
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderEventsDoc } from '../src/docs/events-doc';
import { renderProvidersDoc } from '../src/docs/providers-doc';

const PROVIDERS_DOC = 'docs/providers.md';
writeFileSync('docs/events.md', renderEventsDoc());
writeFileSync(
  PROVIDERS_DOC,
  renderProvidersDoc(existsSync(PROVIDERS_DOC) ? readFileSync(PROVIDERS_DOC, 'utf8') : undefined),
);
console.log('docs/events.md and docs/providers.md written');
