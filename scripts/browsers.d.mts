export interface BrowserPath {
  env: string
  path: string
  install: string
}
export const browserPaths: Record<'chromium' | 'firefox' | 'webkit', BrowserPath>
export const webkitMiniBrowser: string
export const chromiumArgs: string[]
export function requestedBrowsers(): Array<'chromium' | 'firefox' | 'webkit'>
export function assertInstalled(names: Array<'chromium' | 'firefox' | 'webkit'>): void
