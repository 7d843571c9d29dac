// Loaded before anything else on the benchmark page: counts timer callbacks that fire,
// IndexedDB writes, requests and their bytes, so the runner can read them off.
;(() => {
  const stats = (window.benchStats = { timerFires: 0, idbPuts: 0, fetches: 0, fetchBytes: 0, beacons: 0, beaconBytes: 0 })
  const wrap = (name) => {
    const original = window[name]
    window[name] = function (fn, ms, ...args) {
      const counted = typeof fn === 'function' ? function (...a) { stats.timerFires++; return fn.apply(this, a) } : fn
      return original.call(window, counted, ms, ...args)
    }
  }
  wrap('setTimeout')
  wrap('setInterval')
  const put = IDBObjectStore.prototype.put
  IDBObjectStore.prototype.put = function (...args) {
    stats.idbPuts++
    return put.apply(this, args)
  }
  const fetch = window.fetch
  window.fetch = function (input, init) {
    stats.fetches++
    stats.fetchBytes += init && typeof init.body === 'string' ? new TextEncoder().encode(init.body).length : 0
    return fetch.call(window, input, init)
  }
  const beacon = navigator.sendBeacon.bind(navigator)
  navigator.sendBeacon = (url, body) => {
    stats.beacons++
    stats.beaconBytes += typeof body === 'string' ? new TextEncoder().encode(body).length : 0
    return beacon(url, body)
  }
  window.setVisibility = (state) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' })
    document.dispatchEvent(new Event('visibilitychange'))
  }
  // A same-origin iframe with a paragraph, as the page has, for the input cost inside frames.
  window.addFrame = () =>
    new Promise((resolve) => {
      const frame = document.createElement('iframe')
      frame.srcdoc = '<p>A lesson inside an iframe.</p>'
      frame.onload = resolve
      document.body.append(frame)
    })
  window.loadScript = (src) =>
    new Promise((resolve, reject) => {
      const script = document.createElement('script')
      script.src = src
      script.onload = resolve
      script.onerror = reject
      document.head.append(script)
    })
})()
