/**
 * `@pushline/core` as Node resolves it (the `node` export condition): everything in the browser-safe entry plus the
 * Buffer frames the server writes. Both entries share one module graph, so `PushlineError` is the same class.
 */
export * from './frames/node.js'
export * from './index.js'
