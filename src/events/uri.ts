// RFC 3986 absolute URIs, as the OpenAPI `format: uri` fields require. `new URL()` alone is too
// lenient: it percent-encodes spaces and `<userId>` placeholders that a JSON-Schema `uri`
// check, and so the platform, rejects.
const HTTP_URL = /^https?:\/\/[^\s/?#<>"{}|\\^`[\]]+(?:[/?#][^\s<>"{}|\\^`]*)?$/i
const URN = /^urn:[a-z0-9][a-z0-9-]{0,31}:[^\s<>"{}|\\^`]+$/i
const BAD_PERCENT = /%(?![0-9a-f]{2})/i

/** True for an absolute `http(s)://` URL or a `urn:` name, written as a valid URI. */
export function isAbsoluteUri(value: string): boolean {
  return (HTTP_URL.test(value) || URN.test(value)) && !BAD_PERCENT.test(value)
}

/** True for an absolute `http(s)://` URL written as a valid URI. */
export function isHttpUrl(value: string): boolean {
  return HTTP_URL.test(value) && !BAD_PERCENT.test(value)
}
