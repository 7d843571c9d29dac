// The files a fresh clone of the repository has: every file that no .gitignore excludes,
// found by walking the folder rather than asking git, so the packaging test also runs in a
// downloaded source archive, which has no .git. Each .gitignore applies below its own folder
// (a deeper one wins, `!` un-ignores), as git reads them; git's per-user excludes
// (.git/info/exclude, core.excludesFile) are not the repository's and are not read.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import ignore, { type Ignore } from 'ignore'

interface Rules {
  /** The folder the .gitignore is in, relative to the root ('' for the root). */
  base: string
  rules: Ignore
}

function isIgnored(path: string, scopes: Rules[]): boolean {
  let ignored = false
  for (const { base, rules } of scopes) {
    const { ignored: yes, unignored: no } = rules.test(base ? path.slice(base.length + 1) : path)
    if (yes) ignored = true
    else if (no) ignored = false
  }
  return ignored
}

/** Paths relative to `root`, with `/` separators, sorted. */
export function sourceFiles(root: string): string[] {
  const files: string[] = []
  const walk = (dir: string, scopes: Rules[]) => {
    const gitignore = join(root, dir, '.gitignore')
    const here = existsSync(gitignore) ? [...scopes, { base: dir, rules: ignore().add(readFileSync(gitignore, 'utf8')) }] : scopes
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name
      if (path === '.git') continue
      if (entry.isDirectory()) {
        if (!isIgnored(`${path}/`, here)) walk(path, here)
        continue
      }
      // A symbolic link is a file to git, even one to a folder; but a node_modules linked in
      // (a workspace, a copy of the sources for a test) is what `node_modules/` means.
      const linkedFolder = entry.isSymbolicLink() && statSync(join(root, path), { throwIfNoEntry: false })?.isDirectory()
      if (!isIgnored(path, here) && !(linkedFolder && isIgnored(`${path}/`, here))) files.push(path)
    }
  }
  walk('', [])
  return files.sort()
}
