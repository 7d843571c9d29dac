// npm run build: rollup (ESM, proxy, IIFE) then tsc for the .d.ts files.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'

const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { stdio: 'inherit' })
  } catch {
    process.exit(1) // the tool has printed why
  }
}
rmSync('dist', { recursive: true, force: true })
run(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c', '--silent'])
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'])
console.log('built dist/ (esm, proxy, iife, types)')
