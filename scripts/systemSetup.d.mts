export function neededPackages(facts: { steps: string[]; browsers: string[]; display: boolean }): string[]
export type SetupPlan =
  | { action: 'none' }
  | { action: 'install'; commands: string[][] }
  | { action: 'print'; command: string; hint?: string }
export function planSetup(facts: { missing: string[]; apt: boolean; root: boolean; sudo: boolean }): SetupPlan
export function ensureSystem(steps: string[]): boolean
