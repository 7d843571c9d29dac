export { ledgerConformance } from './ledgerConformance.js'
export { timeBudgetConformance } from './timeBudgetConformance.js'
export type { ConformanceContext, ConformanceOptions, Subject } from './conformanceRun.js'
