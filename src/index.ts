export * from './events/index.js'
export * from './core/index.js'
