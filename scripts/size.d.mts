export interface SizeRow {
  name: string
  label: string
  raw: number
  gzip: number
  brotli: number
}
export function measure(): Promise<SizeRow[]>
