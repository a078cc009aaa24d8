// A sweep's worker thread in a checkout that runs the TypeScript sources (bin/phasecore.js does
// the same for the main thread): register tsx in this thread, then load the worker's module. The
// built bundle needs no such step (sweep.ts starts the bundle itself as the worker).
const { register } = await import('tsx/esm/api');
register();
await import('./sweep-point.ts');
