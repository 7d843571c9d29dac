export function ensureDeps(dir?: string, extraArgs?: string[]): void
