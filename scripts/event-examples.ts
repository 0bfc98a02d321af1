/**
 * Writes docs/events.md (one normalised example per event type), generated from the provider modules and their
 * simulators; `npm test` fails when it is stale.
 *
 * Run: npm run docs
 */
import { writeFileSync } from 'node:fs';
import { renderEventsDoc } from '../src/docs/events-doc';

writeFileSync('docs/events.md', renderEventsDoc());
console.log('docs/events.md written');
