#!/usr/bin/env node
// phasecore's command line. The TypeScript sources run through the tsx loader, so a fresh clone
// needs no build step: `npm install` is all (see docs/decisions.md).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = main(process.argv.slice(2));
