// Validates Caliper envelopes against the platform's published OpenAPI documents, read from the
// YAML files beside this module with a standard JSON-Schema validator (ajv), not a hand copy.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { parse } from 'yaml'

const here = dirname(fileURLToPath(import.meta.url))
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

export const SEED_SPEC = join(here, 'timeback-events-api.openapi.yaml')
export const STRICT_SPEC = join(here, 'timeback-events-api.strict-copy.openapi.yaml')

/** Subjects the newest document added; the strict copy's enum predates them. */
export const SUBJECTS_MISSING_FROM_STRICT_COPY = ['Vocabulary', 'Writing', 'FastMath']

export interface SpecValidatorOptions {
  /**
   * `'as-published'` checks `object.subject` against the strict copy's own enum (six subjects);
   * `'newest'` (default) widens it with the subjects the newest document added, because the
   * newest document wins where the copies disagree.
   */
  strictSubjects?: 'as-published' | 'newest'
}

export interface SpecReport {
  /** Errors against `Envelope` of the seed OpenAPI. */
  seed: string[]
  /** Errors against the strict copy: its `Envelope` plus the event-specific schemas. */
  strict: string[]
}

export function loadSpec(file: string): any {
  return parse(readFileSync(file, 'utf8'), { maxAliasCount: -1 })
}

/** The request-body examples of `POST /caliper/event` in a spec document. */
export function requestExamples(spec: any): Record<string, any> {
  const examples = spec.paths['/caliper/event'].post.requestBody.content['application/json'].examples
  return Object.fromEntries(Object.entries(examples).map(([name, ex]: [string, any]) => [name, ex.value]))
}

export function createSpecValidator(options: SpecValidatorOptions = {}) {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  const seed = loadSpec(SEED_SPEC)
  const strict = loadSpec(STRICT_SPEC)
  if ((options.strictSubjects ?? 'newest') === 'newest') {
    const subject = strict.components.schemas.TimebackActivityContext.properties.subject
    subject.enum = [...subject.enum, ...SUBJECTS_MISSING_FROM_STRICT_COPY]
  }
  ajv.addSchema({ $id: 'seed', components: seed.components })
  ajv.addSchema({ $id: 'strict', components: strict.components })
  const compile = (ref: string): ValidateFunction => {
    const fn = ajv.getSchema(ref)
    if (!fn) throw new Error(`schema ${ref} not found`)
    return fn
  }
  const seedEnvelope = compile('seed#/components/schemas/Envelope')
  const strictEnvelope = compile('strict#/components/schemas/Envelope')
  const strictByType: Record<string, ValidateFunction> = {
    TimeSpentEvent: compile('strict#/components/schemas/TimebackTimeSpentEvent'),
    ActivityEvent: compile('strict#/components/schemas/TimebackActivityCompletedEvent'),
  }
  const strictParts = {
    actor: compile('strict#/components/schemas/TimebackUser'),
    object: compile('strict#/components/schemas/TimebackActivityContext'),
  }

  return {
    validateEnvelope(envelope: unknown): SpecReport {
      const report: SpecReport = { seed: [], strict: [] }
      if (!seedEnvelope(envelope)) report.seed.push(...format(seedEnvelope.errors))
      if (!strictEnvelope(envelope)) report.strict.push(...format(strictEnvelope.errors))
      const data = (envelope as { data?: unknown }).data
      if (Array.isArray(data)) {
        data.forEach((event, index) => {
          const type = (event as { type?: string })?.type ?? ''
          const validate = strictByType[type]
          if (!validate) {
            report.strict.push(`/data/${index}/type: not a Timeback event type (${type})`)
            return
          }
          if (!validate(event)) report.strict.push(...format(validate.errors, `/data/${index}`))
          for (const [part, check] of Object.entries(strictParts)) {
            if (!check((event as any)[part])) report.strict.push(...format(check.errors, `/data/${index}/${part}`))
          }
        })
      }
      return report
    },
  }
}

function format(errors: ErrorObject[] | null | undefined, prefix = ''): string[] {
  return (errors ?? []).map((e) => `${prefix}${e.instancePath || '/'}: ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
}
