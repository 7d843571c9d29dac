/**
 * Puppeteer is only used (through @web/test-runner-puppeteer) to drive Firefox ESR over
 * WebDriver BiDi. Its Chrome download cannot reach its host on many CI machines and is
 * never used, so skip it; browsers come from the system (see docs/testing.md, "Running the tests").
 * @type {import('puppeteer').Configuration}
 */
module.exports = { skipDownload: true }
