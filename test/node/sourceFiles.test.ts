// The packaging test makes its fresh clone from sourceFiles(), which must list what git would
// (tracked and untracked files, not the ignored) and must work where there is no .git at all:
// a downloaded source archive, in which `npm test` has to pass too.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, it } from 'node:test'
import { sourceFiles } from './support/sourceFiles.js'

const repo = process.cwd()
const work = mkdtempSync(join(tmpdir(), 'timeback-sources-'))
after(() => rmSync(work, { recursive: true, force: true }))

const gitFiles = (): string[] | undefined => {
  if (!existsSync(join(repo, '.git'))) return undefined
  try {
    // Only the repository's .gitignore files: a developer's own excludes are not the project's.
    // Deduplicated: during a merge, a file in conflict is listed once per side.
    const args = ['ls-files', '-z', '--cached', '--others', '--deduplicate', '--exclude-per-directory=.gitignore']
    const out = execFileSync('git', args, { cwd: repo, encoding: 'utf8' })
    return out.split('\0').filter(Boolean).sort()
  } catch {
    return undefined // no git on this machine
  }
}
const listedByGit = gitFiles()

describe('sourceFiles: what a fresh clone has, without asking git', () => {
  it('lists what git lists: tracked and untracked files, not the ignored', { skip: !listedByGit && 'not a git checkout, or no git' }, () => {
    assert.deepEqual(sourceFiles(repo), listedByGit)
  })

  it('lists the same files in a copy without .git (a downloaded source archive)', () => {
    const files = sourceFiles(repo)
    const copy = join(work, 'archive')
    for (const file of files) {
      mkdirSync(dirname(join(copy, file)), { recursive: true })
      cpSync(join(repo, file), join(copy, file), { verbatimSymlinks: true })
    }
    // What a user's runs leave in an unpacked archive, each ignored by one of its .gitignore
    // files; its node_modules may be a link (as the packaging test makes in its clone).
    for (const junk of ['examples/next/node_modules/x/index.js', 'dist/esm/index.js', 'test-results/out.txt', 'npm-debug.log', 'examples/next/.next/build.txt', 'examples/next/next-env.d.ts']) {
      mkdirSync(dirname(join(copy, junk)), { recursive: true })
      writeFileSync(join(copy, junk), '')
    }
    symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'))
    assert.equal(existsSync(join(copy, '.git')), false)
    assert.deepEqual(sourceFiles(copy), files)
    assert.ok(files.includes('package.json') && files.includes('examples/next/package.json') && files.includes('src/index.ts'))
  })
})
